package templates

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/selfexe"
)

// UsernsexecArgs is "lxc-usernsexec -m u:NS:HOST:RANGE ... -m g:... --",
// the prefix LXC puts before a template it runs for an idmapped
// container (the caller's own ids are among the maps).
func UsernsexecArgs(ns *UserNS) []string {
	args := []string{"lxc-usernsexec"}
	for _, m := range ns.UIDMaps {
		args = append(args, "-m", fmt.Sprintf("u:%d:%d:%d", m.ContainerID, m.HostID, m.Size))
	}
	for _, m := range ns.GIDMaps {
		args = append(args, "-m", fmt.Sprintf("g:%d:%d:%d", m.ContainerID, m.HostID, m.Size))
	}
	return append(args, "--")
}

// RunOptions say how RunExternal runs a template.
type RunOptions struct {
	Quiet bool // stdin, stdout and stderr to /dev/null (lxc-create -q)
	// UserNS, when set, runs the template in that user namespace, so
	// that what it writes belongs to the container's ids (a user's
	// namespace is made by lxc-usernsexec, through newuidmap).
	UserNS *UserNS
	// Kill, once closed, kills the template and everything it started;
	// RunExternal then returns after reaping it.
	Kill <-chan struct{}
	// Subcommand, when set, goes right after argv[0] (a multi-call
	// helper such as golxc-image's "download").
	Subcommand string
	// Label names the template in errors instead of its path (a
	// built-in template run by a helper binary).
	Label string
}

// RunExternal runs a template executable with LXC's calling convention (see
// Argv). The environment and cwd are inherited unchanged.
//
// As root the template gets its own mount namespace, so its mounts never
// reach the host, and its own PID namespace, whose init it is: when it
// dies, the kernel kills everything it started. It dies with lxc-create
// (parent-death signal SIGKILL), so even a SIGKILLed lxc-create leaves no
// template writing into a container directory the next tool removes.
func RunExternal(path string, a Args, o RunOptions) error {
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() == 0 {
		// Go's child makes / recursively private right after unshare, which
		// is stricter than LXC's rslave: nothing propagates either way.
		attr.Unshareflags = syscall.CLONE_NEWNS
		attr.Cloneflags = syscall.CLONE_NEWPID
		if ns := o.UserNS; ns != nil {
			attr.Cloneflags |= syscall.CLONE_NEWUSER
			attr.UidMappings, attr.GidMappings = ns.UIDMaps, ns.GIDMaps
			attr.GidMappingsEnableSetgroups = true
			attr.Credential = &syscall.Credential{Uid: 0, Gid: 0}
			a.MappedUID, a.MappedGID = ns.MappedUID, ns.MappedGID
		}
	}
	argv := argvWith(path, a, o.Subcommand)
	cmd := &exec.Cmd{Path: path, Args: argv, SysProcAttr: attr}
	if ns := o.UserNS; ns != nil && os.Geteuid() != 0 {
		// A user's maps go through newuidmap/newgidmap: the template
		// runs under golxc's lxc-usernsexec, exactly as LXC runs it.
		a.MappedUID, a.MappedGID = ns.MappedUID, ns.MappedGID
		bin, err := selfexe.Find()
		if err != nil {
			return err
		}
		argv = append(UsernsexecArgs(ns), path)
		argv = append(argv, argvWith(path, a, o.Subcommand)[1:]...)
		cmd = &exec.Cmd{Path: bin.Path, Args: argv, SysProcAttr: attr}
	}
	if !o.Quiet {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	}
	log.Debugf("Running template %s %q", path, argv[1:])
	switch {
	case o.UserNS != nil && os.Geteuid() != 0:
		log.Debugf("The template runs through lxc-usernsexec as the container's root (caller mapped to %d:%d)", a.MappedUID, a.MappedGID)
	case attr.Cloneflags&syscall.CLONE_NEWUSER != 0:
		log.Debugf("The template runs in new user (root mapped to %d:%d), mount and PID namespaces, killed with lxc-create", a.MappedUID, a.MappedGID)
	case attr.Cloneflags&syscall.CLONE_NEWPID != 0:
		log.Debugf("The template runs in new mount and PID namespaces, killed with lxc-create")
	default:
		log.Debugf("The template runs in the caller's namespaces (not root), killed with lxc-create")
	}
	err := runLocked(cmd, o.Kill)
	if o.Label != "" {
		path = o.Label
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		ws, _ := exit.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			return fmt.Errorf("template %s killed by signal %d (%s)", path, ws.Signal(), ws.Signal())
		}
		return fmt.Errorf("template %s exited with status %d", path, exit.ExitCode())
	}
	if err != nil {
		return fmt.Errorf("template %s: %w", path, err)
	}
	return nil
}

// argvWith is Argv with a helper's subcommand right after argv[0].
func argvWith(path string, a Args, sub string) []string {
	argv := Argv(path, a)
	if sub == "" {
		return argv
	}
	return append([]string{argv[0], sub}, argv[1:]...)
}

// runLocked starts and waits for cmd on one locked OS thread: the kernel
// sends the parent-death signal when the thread that forked exits, and Go
// may retire idle threads.
func runLocked(cmd *exec.Cmd, kill <-chan struct{}) error {
	select {
	case <-kill:
		return errors.New("interrupted before the template started")
	default:
	}
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			done <- err
			return
		}
		log.Tracef("Template process %d started (parent-death signal SIGKILL)", cmd.Process.Pid)
		waited := make(chan error, 1)
		go func() { waited <- cmd.Wait() }()
		select {
		case err := <-waited:
			log.Tracef("Template process %d exited: %s", cmd.Process.Pid, cmd.ProcessState)
			done <- err
		case <-kill:
			log.Debugf("Killing template process %d", cmd.Process.Pid)
			// As root the template's PID namespace dies with it; as a
			// user only the template itself is killed.
			cmd.Process.Signal(syscall.SIGKILL)
			<-waited
			done <- errors.New("interrupted")
		}
	}()
	return <-done
}
