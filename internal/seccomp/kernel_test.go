package seccomp

import (
	"runtime"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// onThrowawayThread runs f on a locked OS thread that is destroyed after
// f returns (the goroutine exits still locked), so filters loaded by f
// never reach other goroutines of the test binary.
func onThrowawayThread(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			done <- err
			return
		}
		done <- f()
	}()
	return <-done
}

func getppidErrno() syscall.Errno {
	_, _, e := syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
	return e
}

// The kernel accepts the program and applies it: getppid fails with the
// configured errno on the filtered thread only.
func TestKernelLoad(t *testing.T) {
	prog, err := CompileText("t", []byte("2\ndenylist\ngetppid errno 42\nkexec_load errno 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got syscall.Errno
	err = onThrowawayThread(t, func() error {
		if err := (&Filter{Program: prog}).Load(); err != nil {
			return err
		}
		got = getppidErrno()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != 42 {
		t.Fatalf("getppid under the filter: errno %d, want 42", got)
	}
	if e := getppidErrno(); e != 0 {
		t.Fatalf("getppid on another thread: errno %d (filter leaked)", e)
	}
}

// Without allow_nesting a second filter is not stacked (LXC: "Already
// seccomp-confined, not loading new policy"); with it, it is.
func TestNesting(t *testing.T) {
	first, _ := CompileText("first", []byte("2\ndenylist\nkexec_load errno 1\n"))
	second, _ := CompileText("second", []byte("2\ndenylist\ngetppid errno 43\n"))
	for _, nesting := range []bool{false, true} {
		var got syscall.Errno
		err := onThrowawayThread(t, func() error {
			if err := (&Filter{Program: first}).Load(); err != nil {
				return err
			}
			if err := (&Filter{Program: second, AllowNesting: nesting}).Load(); err != nil {
				return err
			}
			got = getppidErrno()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := syscall.Errno(0)
		if nesting {
			want = 43
		}
		if got != want {
			t.Errorf("allow_nesting=%v: getppid errno %d, want %d", nesting, got, want)
		}
	}
}

// Every program the compiler emits for the big allowlist is accepted by
// the kernel's verifier.
func TestKernelAcceptsLargeProgram(t *testing.T) {
	text := "2\ndenylist\n"
	n := 0
	for name := range syscallsI386() {
		if n < 150 && name != "exit" && name != "exit_group" {
			text += name + " errno 1 [0,0xdeadbeefcafe,SCMP_CMP_EQ]\n"
			n++
		}
	}
	prog, err := CompileText("big", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	err = onThrowawayThread(t, func() error { return prog.Load() })
	if err != nil {
		t.Fatalf("%d instructions: %v", len(prog.Filter), err)
	}
}
