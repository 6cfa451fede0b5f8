// Package execinit is lxc-execute's minimal init. It runs as PID 1 inside
// the container: it starts the command as PID 2, forwards signals to it,
// reaps every zombie and returns the command's exit status (128+N when a
// signal killed it, 255 when it could not be executed).
package execinit

import (
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// ExecFailed is the status when the command cannot be executed (as LXC).
const ExecFailed = 255

// Run starts argv with env and supervises it until it exits. It never
// returns before the command is gone; the result is the exit code the
// init process should exit with. ready, when set, is called once every
// signal reaches Run's handler: the monitor takes it (the close of its
// sync socket) as "init runs" and forwards signals from then on, and one
// that came earlier would get the runtime's default action (exit 2).
func Run(argv, env []string, ready func()) int {
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)
	defer signal.Stop(sigs)
	if ready != nil {
		ready()
	}
	if len(argv) == 0 {
		return ExecFailed
	}

	path, err := lookPath(argv[0], env)
	if err != nil {
		return ExecFailed
	}
	attr := &syscall.ProcAttr{
		Env:   env,
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Setsid: true, Setctty: isTTY(0), Ctty: 0},
	}
	pid, err := syscall.ForkExec(path, argv, attr)
	if err != nil {
		return ExecFailed
	}
	shutdown := false
	for sig := range sigs {
		s := sig.(syscall.Signal)
		switch s {
		case syscall.SIGCHLD:
			if code, done := reap(pid); done {
				return code
			}
		case syscall.SIGURG:
			// Go runtime preemption signal, not meant for the payload.
		case syscall.SIGTERM, syscall.SIGPWR:
			// As LXC's init: ask everyone to go, escalate after a second.
			if os.Getpid() != 1 {
				// Not a container init (tests): never signal the whole host.
				_ = syscall.Kill(pid, s)
			} else if !shutdown {
				shutdown = true
				_ = syscall.Kill(-1, syscall.SIGTERM)
				go escalate()
			}
		case syscall.SIGALRM:
			_ = syscall.Kill(-1, syscall.SIGKILL)
		default:
			_ = syscall.Kill(pid, s)
		}
	}
	return ExecFailed
}

// escalate sends SIGALRM to ourselves after a second, like alarm(1).
func escalate() {
	var ts = unix.Timespec{Sec: 1}
	_ = unix.Nanosleep(&ts, nil)
	_ = syscall.Kill(os.Getpid(), syscall.SIGALRM)
}

// reap collects every exited child; done when the command itself exited.
func reap(cmd int) (int, bool) {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || pid <= 0 {
			return 0, false
		}
		if pid == cmd {
			return Status(ws), true
		}
	}
}

// Status maps a wait status to a shell-style exit code.
func Status(ws syscall.WaitStatus) int {
	switch {
	case ws.Exited():
		return ws.ExitStatus()
	case ws.Signaled():
		return 128 + int(ws.Signal())
	}
	return ExecFailed
}

func isTTY(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}

// lookPath resolves name like execvp, using PATH from the command's env.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	path := "/sbin:/usr/sbin:/bin:/usr/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", os.ErrNotExist
}
