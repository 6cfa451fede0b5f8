package pushreg

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cmdsock"
)

// sendAs sends b to path from a thread running as uid: the thread is
// thrown away afterwards (a raw setresuid changes only the calling thread).
func sendAs(uid int, path string, b []byte) error {
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with us
		if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(uid), uintptr(uid), uintptr(uid)); e != 0 {
			done <- e
			return
		}
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			done <- err
			return
		}
		defer unix.Close(fd)
		done <- unix.Sendto(fd, b, 0, &unix.SockaddrUnix{Name: path})
	}()
	return <-done
}

// TestOtherUsersCannotSpoofRecords: an unprivileged user cannot reach a
// root listener's socket, and a record that gets there anyway (the
// directory opened up by mistake) is dropped on its credentials.
func TestOtherUsersCannotSpoofRecords(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to send as another user")
	}
	dir := testDir(t)
	l := listen(t, dir)
	ch := collect(l)
	// Only the registry directory itself keeps uid 65534 out.
	for d := filepath.Dir(dir); d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	fake, _ := state("c1", cmdsock.FROZEN).Encode()
	if err := sendAs(65534, l.Path(), fake); !errors.Is(err, unix.EACCES) {
		t.Fatalf("uid 65534 sending into the 0700 registry: %v, want EACCES", err)
	}
	// Opened up: the kernel delivers, the listener must drop it.
	for path, mode := range map[string]os.FileMode{dir: 0o711, l.Path(): 0o777} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := sendAs(65534, l.Path(), fake); err != nil {
		t.Fatalf("setup: uid 65534 could not send into the opened registry: %v", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sendIn(dir, state("c1", cmdsock.STOPPED))
	if got := next(t, ch); got != state("c1", cmdsock.STOPPED) {
		t.Fatalf("listener took %+v from uid 65534", got)
	}
}
