package initsetup

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/nsexec"
)

// The drops come from the mask, named from config's one table, with
// CAP_SETPCAP (which dropping needs) last; nothing the kernel lacks.
func TestBoundingDrops(t *testing.T) {
	all := uint64(1)<<(unix.CAP_SYS_ADMIN+1) - 1 // a kernel knowing 0..21
	got := BoundingDrops(config.Caps{Set: 1<<unix.CAP_SETPCAP | 1<<unix.CAP_SYS_ADMIN | 1<<40}, all)
	if len(got) != 2 || got[0] != (nsexecCap(unix.CAP_SYS_ADMIN, "sys_admin")) ||
		got[1] != nsexecCap(unix.CAP_SETPCAP, "setpcap") {
		t.Errorf("drop: %+v", got)
	}
	got = BoundingDrops(config.Caps{Keep: true, Set: 1 << unix.CAP_KILL}, all)
	if len(got) != 21 || got[len(got)-1].Num != unix.CAP_SETPCAP {
		t.Fatalf("keep kill: %d drops %+v", len(got), got)
	}
	for _, c := range got {
		if c.Num == unix.CAP_KILL || c.Name != config.CapabilityName(c.Num) {
			t.Errorf("keep kill: %+v", c)
		}
	}
	if got := BoundingDrops(config.Caps{}, all); len(got) != 0 {
		t.Errorf("drop nothing: %+v", got)
	}
}

func nsexecCap(n int, name string) nsexec.Cap { return nsexec.Cap{Num: n, Name: name} }
