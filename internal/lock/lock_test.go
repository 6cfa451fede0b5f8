package lock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPathLayout(t *testing.T) {
	got := Path("/run", "/var/lib/lxc", "c1")
	if got != "/run/lxc/lock/var/lib/lxc/.c1" {
		t.Fatalf("Path = %q", got)
	}
}

func TestLockCreatesFileAndDirsWithLXCModes(t *testing.T) {
	run := t.TempDir()
	l := Container(run, "/srv/lxc", "c1")
	if err := l.Lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	st, err := os.Stat(filepath.Join(run, "lxc/lock/srv/lxc/.c1"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 || st.Size() != 0 {
		t.Fatalf("lock file mode %v size %d, want 0600 empty", st.Mode(), st.Size())
	}
	dir, err := os.Stat(filepath.Join(run, "lxc/lock/srv"))
	if err != nil {
		t.Fatal(err)
	}
	if want := os.FileMode(0o755) &^ umask(); dir.Mode().Perm() != want {
		t.Fatalf("lock dir mode %v, want %v", dir.Mode().Perm(), want)
	}
}

func umask() os.FileMode {
	d := filepath.Join(os.TempDir(), "golxc-umask-probe")
	os.Remove(d)
	os.Mkdir(d, 0o777)
	defer os.Remove(d)
	st, _ := os.Stat(d)
	return 0o777 &^ st.Mode().Perm()
}

// Two Lock values in one process must exclude each other (POSIX record locks
// would not; OFD locks do).
func TestTwoLocksInOneProcessExclude(t *testing.T) {
	run := t.TempDir()
	a := Container(run, "/var/lib/lxc", "c1")
	b := Container(run, "/var/lib/lxc", "c1")
	if ok, err := a.TryLock(); !ok || err != nil {
		t.Fatalf("first TryLock = %v, %v", ok, err)
	}
	if ok, err := b.TryLock(); ok || err != nil {
		t.Fatalf("second TryLock while held = %v, %v; want false", ok, err)
	}
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.TryLock(); !ok || err != nil {
		t.Fatalf("TryLock after unlock = %v, %v", ok, err)
	}
	b.Unlock()
}

func TestLocksArePerContainer(t *testing.T) {
	run := t.TempDir()
	a := Container(run, "/var/lib/lxc", "c1")
	b := Container(run, "/var/lib/lxc", "c2")
	c := Container(run, "/srv/lxc", "c1")
	for _, l := range []*Lock{a, b, c} {
		if ok, err := l.TryLock(); !ok || err != nil {
			t.Fatalf("TryLock %s = %v, %v", l.Path(), ok, err)
		}
		defer l.Unlock()
	}
}

func TestUnlockNotHeld(t *testing.T) {
	if err := Container(t.TempDir(), "/x", "c").Unlock(); err == nil {
		t.Fatal("Unlock of a free lock succeeded")
	}
}

func TestContentionWithOtherProcess(t *testing.T) {
	run := t.TempDir()
	h := startHolder(t, "container", run, "/var/lib/lxc", "c1")
	l := Container(run, "/var/lib/lxc", "c1")
	if ok, err := l.TryLock(); ok || err != nil {
		t.Fatalf("TryLock while other process holds = %v, %v; want false", ok, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Lock(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with cancelled ctx while held = %v, want context.Canceled", err)
	}
	h.release(t)
	// Blocking wait now succeeds because the holder exited cleanly.
	if err := l.Lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.Unlock()
}

// A blocked waiter is woken when the holder releases.
func TestBlockedLockProceedsAfterRelease(t *testing.T) {
	run := t.TempDir()
	h := startHolder(t, "container", run, "/var/lib/lxc", "c1")
	l := Container(run, "/var/lib/lxc", "c1")
	done := make(chan error, 1)
	go func() { done <- l.Lock(context.Background()) }()
	h.release(t)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	l.Unlock()
}

func TestReleaseOnHolderDeath(t *testing.T) {
	run := t.TempDir()
	h := startHolder(t, "container", run, "/var/lib/lxc", "c1")
	l := Container(run, "/var/lib/lxc", "c1")
	if ok, _ := l.TryLock(); ok {
		t.Fatal("lock not held by helper")
	}
	h.kill(t)
	if ok, err := l.TryLock(); !ok || err != nil {
		t.Fatalf("TryLock after holder was killed = %v, %v; want true", ok, err)
	}
	l.Unlock()
}

// UnlockAndRemove (lxc-destroy) removes the lock file and the directories
// it leaves empty, and a locker that was waiting on the removed file ends
// up holding the new one: never two holders at once.
func TestUnlockAndRemove(t *testing.T) {
	run := t.TempDir()
	a := Container(run, "/var/lib/lxc", "c1")
	other := Container(run, "/var/lib/lxc", "c2")
	if err := a.Lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	waiter := Container(run, "/var/lib/lxc", "c1")
	got := make(chan error, 1)
	go func() { got <- waiter.Lock(context.Background()) }()
	// Give the waiter a chance to open the file and block on it; either
	// order must end with one holder.
	for i := 0; i < 100 && !waiting(a.Path()); i++ {
		sleepMs(5)
	}
	if err := a.UnlockAndRemove(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	third := Container(run, "/var/lib/lxc", "c1")
	if ok, err := third.TryLock(); ok || err != nil {
		t.Fatalf("TryLock while the waiter holds the lock = %v, %v; want false", ok, err)
	}
	// Another container's lock keeps the shared directory.
	if err := other.Lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := waiter.UnlockAndRemove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(waiter.Path()); !os.IsNotExist(err) {
		t.Fatalf("lock file left: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(other.Path())); err != nil {
		t.Fatalf("directory of another container's lock removed: %v", err)
	}
	if err := other.UnlockAndRemove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(run, "lxc/lock/var")); !os.IsNotExist(err) {
		t.Fatalf("empty lock directories left: %v", err)
	}
	if _, err := os.Stat(filepath.Join(run, "lxc/lock")); err != nil {
		t.Fatalf("RUNDIR/lxc/lock itself removed: %v", err)
	}
}

// waiting reports whether some other open file description of this process
// refers to path (the waiter opened it and is about to block).
func waiting(path string) bool {
	ents, _ := os.ReadDir("/proc/self/fd")
	n := 0
	for _, e := range ents {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && target == path {
			n++
		}
	}
	return n >= 2
}

func sleepMs(n int) { time.Sleep(time.Duration(n) * time.Millisecond) }
