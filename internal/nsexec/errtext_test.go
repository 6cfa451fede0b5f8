//go:build linux && cgo

package nsexec

import (
	"strings"
	"syscall"
	"testing"
)

// TestErrTextAsGlibc: the C stages word every errno as glibc and Go do
// (Go's text is glibc's with a lower-case first letter), also when golxc
// is linked with musl, whose strerror words half of them differently
// ("Symbolic link loop" for ELOOP).
func TestErrTextAsGlibc(t *testing.T) {
	for e := 1; e < 134; e++ {
		want := syscall.Errno(e).Error()
		if strings.HasPrefix(want, "errno ") {
			continue // Go has no text for it
		}
		got := errText(e)
		if got == "" || !strings.EqualFold(got[:1], want[:1]) || got[1:] != want[1:] {
			t.Errorf("errno %d: C says %q, Go %q", e, got, want)
		}
	}
}
