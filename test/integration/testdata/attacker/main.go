// Command attacker runs inside a test container and tries, as container
// root, what a hostile container does to processes entering it:
//
//	attacker watch SECONDS OUT  for every new process that is not a plain
//	                           container process (its exe is unreadable or
//	                           is not busybox/attacker), try to open its exe
//	                           for writing (directly and by reopening an
//	                           O_PATH fd) and ptrace it; one line per
//	                           process goes to OUT. It never writes to an
//	                           exe it managed to open.
//	attacker tiocsti TEXT      push TEXT into the input queue of its stdin
//	                           tty with TIOCSTI; prints what each ioctl did.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: attacker watch SECONDS OUT | tiocsti TEXT")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "watch":
		secs, _ := strconv.Atoi(os.Args[2])
		watch(time.Duration(secs)*time.Second, os.Args[3])
	case "ptrace":
		// A short-lived tracer: PTRACE_SEIZE never stops the tracee and
		// the kernel detaches it when this process exits.
		pid, _ := strconv.Atoi(os.Args[2])
		_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SEIZE, uintptr(pid), 0, 0, 0, 0)
		if e != 0 {
			fmt.Print(errno(e))
			return
		}
		// Allowed because the process has exec'd the container's
		// binary meanwhile (dumpable again): not an attack on golxc.
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		switch {
		case err == nil && !strings.Contains(link, "golxc"):
			fmt.Print("after-exec")
		case err != nil && !os.IsPermission(err):
			fmt.Print("gone") // exited meanwhile: nothing to tell
		default:
			fmt.Print("OK")
		}
	case "tiocsti":
		for _, c := range []byte(os.Args[2]) {
			b := c
			if _, _, e := unix.Syscall(unix.SYS_IOCTL, 0, unix.TIOCSTI, uintptr(unsafePtr(&b))); e != 0 {
				fmt.Printf("tiocsti: %v\n", e)
				os.Exit(0)
			}
		}
		fmt.Println("tiocsti: ok")
	}
}

func errno(err error) string {
	if err == nil {
		return "OK"
	}
	if e, ok := err.(unix.Errno); ok {
		return unix.ErrnoName(e)
	}
	return err.Error()
}

func watch(d time.Duration, out string) {
	f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	self, _ := os.Readlink("/proc/self/exe")
	seen := map[int]bool{os.Getpid(): true, 1: true}
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		dir, err := os.Open("/proc")
		if err != nil {
			continue
		}
		names, _ := dir.Readdirnames(-1)
		dir.Close()
		for _, n := range names {
			pid, err := strconv.Atoi(n)
			if err != nil || seen[pid] {
				continue
			}
			seen[pid] = true
			link, lerr := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
			// Container processes run container binaries; what enters
			// runs golxc (its memfd copy) until exec, or hides its exe
			// (non-dumpable, readlink EACCES).
			if lerr == nil && (link == self || !strings.Contains(link, "golxc")) {
				continue
			}
			if lerr != nil && os.IsNotExist(lerr) {
				continue // gone, or a kernel thread
			}
			fmt.Fprintf(f, "pid=%d exe=%q readlink=%s write=%s reopen=%s ptrace=%s\n",
				pid, link, errno(unwrap(lerr)), tryWrite(pid), tryReopen(pid), tryPtrace(pid))
		}
	}
	f.Close()
}

func unwrap(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	if le, ok := err.(*os.LinkError); ok {
		return le.Err
	}
	return err
}

func tryWrite(pid int) string {
	fd, err := unix.Open(fmt.Sprintf("/proc/%d/exe", pid), unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return errno(err)
	}
	defer unix.Close(fd)
	return rewrite(fd)
}

// rewrite writes the file's first byte back onto itself: the content never
// changes, but a success proves the binary was writable. Opening alone can
// succeed on a sealed memfd, whose seals refuse the write itself.
func rewrite(fd int) string {
	b := make([]byte, 1)
	if _, err := unix.Pread(fd, b, 0); err != nil {
		return "pread:" + errno(err)
	}
	_, err := unix.Pwrite(fd, b, 0)
	return errno(err)
}

// tryReopen is CVE-2019-5736's move: hold an O_PATH fd to the exe and
// reopen it for writing through /proc/self/fd (after the process left the
// binary, ETXTBSY no longer protects it).
func tryReopen(pid int) string {
	fd, err := unix.Open(fmt.Sprintf("/proc/%d/exe", pid), unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return "opath:" + errno(err)
	}
	defer unix.Close(fd)
	var last error
	for i := 0; i < 3000; i++ { // until the binary is idle, as an exploit waits
		w, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", fd), unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err == nil {
			defer unix.Close(w)
			return rewrite(w)
		}
		last = err
		if err != unix.ETXTBSY {
			break
		}
		time.Sleep(time.Millisecond)
	}
	return errno(last)
}

func tryPtrace(pid int) string {
	out, err := exec.Command("/proc/self/exe", "ptrace", strconv.Itoa(pid)).Output()
	if err != nil {
		return "exec:" + err.Error()
	}
	return string(out)
}
