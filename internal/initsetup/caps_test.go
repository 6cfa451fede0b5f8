package initsetup

import (
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/config"
)

func TestKeptCaps(t *testing.T) {
	all := capSet(1<<uint(config.LastCap()+1) - 1)
	if got := keptCaps(config.Caps{Set: 1<<16 | 1<<21}); got != all&^(1<<16|1<<21) {
		t.Errorf("drop: %x", got)
	}
	if got := keptCaps(config.Caps{Keep: true}); got != 0 {
		t.Errorf("keep none: %x", got)
	}
	if got := keptCaps(config.Caps{Keep: true, Set: 1<<5 | 1<<7 | 1<<63}); got != 1<<5|1<<7 {
		t.Errorf("keep: %x (a capability the kernel lacks must not count)", got)
	}
}

// KeptCaps still takes the names attach.Options carries.
func TestKeptCapsNames(t *testing.T) {
	all := uint64(1)<<uint(config.LastCap()+1) - 1
	got, err := KeptCaps([]string{"sys_module", "21"}, nil)
	if err != nil || got != all&^(1<<16|1<<21) {
		t.Errorf("drop: %x %v", got, err)
	}
	got, err = KeptCaps(nil, []string{"none"})
	if err != nil || got != 0 {
		t.Errorf("keep none: %x %v", got, err)
	}
	got, err = KeptCaps(nil, []string{"kill", "setuid"})
	if err != nil || got != 1<<5|1<<7 {
		t.Errorf("keep: %x %v", got, err)
	}
	if _, err := KeptCaps([]string{"kill"}, []string{"kill"}); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("drop+keep: %v", err)
	}
	if _, err := KeptCaps([]string{"KILL"}, nil); err == nil || !strings.Contains(err.Error(), "lxc.cap.drop") {
		t.Errorf("bad name: %v", err)
	}
}
