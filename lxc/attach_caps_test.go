package lxc

import (
	"slices"
	"testing"

	"github.com/golxc/golxc/internal/config"
)

// attach.Options still takes names: the Spec's mask goes back to them
// unchanged in meaning (keep nothing stays "none", not "drop nothing").
func TestCapLists(t *testing.T) {
	for _, c := range []struct {
		caps       config.Caps
		drop, keep []string
	}{
		{config.Caps{}, nil, nil},
		{config.Caps{Set: 1<<19 | 1<<21}, []string{"sys_ptrace", "sys_admin"}, nil},
		{config.Caps{Keep: true}, nil, []string{"none"}},
		{config.Caps{Keep: true, Set: 1 << 5}, nil, []string{"kill"}},
	} {
		drop, keep := capLists(c.caps)
		if !slices.Equal(drop, c.drop) || !slices.Equal(keep, c.keep) {
			t.Errorf("%+v: %q %q, want %q %q", c.caps, drop, keep, c.drop, c.keep)
		}
	}
}
