package spawn

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/selfexe"
)

// TestProtectInstalledBinary: a program other than golxc runs the golxc
// binary it resolved, reached through a symlink as make install's lxc-*
// links are; both protections show that file's bytes and let no write
// through to it.
func TestProtectInstalledBinary(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	real := filepath.Join(dir, "lib", "golxc")
	content, err := os.ReadFile("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, content, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "golxc")
	if err := os.Symlink(filepath.Join("lib", "golxc"), link); err != nil {
		t.Fatal(err)
	}
	for _, memfd := range []bool{false, true} {
		t.Run(map[bool]string{false: "overlay", true: "memfd"}[memfd], func(t *testing.T) {
			testNoOverlay = memfd
			defer func() { testNoOverlay = false }()
			exe, err := protect(selfexe.Binary{Path: link})
			if err != nil {
				t.Fatal(err)
			}
			defer exe.Close()
			p := fmt.Sprintf("/proc/self/fd/%d", exe.Fd())
			if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, content) {
				t.Errorf("protected view differs from %s (%v)", real, err)
			}
			var fs unix.Statfs_t
			if err := unix.Fstatfs(int(exe.Fd()), &fs); err != nil {
				t.Fatal(err)
			}
			if onOverlay := fs.Type == unix.OVERLAYFS_SUPER_MAGIC; onOverlay == memfd {
				t.Errorf("filesystem type %#x: on overlayfs = %v, want %v", fs.Type, onOverlay, !memfd)
			}
			noWrites(t, p)
			if got, _ := os.ReadFile(real); !bytes.Equal(got, content) {
				t.Errorf("%s changed", real)
			}
		})
	}
}
