package attach

import (
	"errors"
	"fmt"
	"github.com/golxc/golxc/internal/initsetup"
	"github.com/golxc/golxc/internal/seccomp"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"unsafe"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/spawn"
	"golang.org/x/sys/unix"
)

// stageName is the spawn stage that becomes the attached process.
const stageName = "attach"

func init() { spawn.RegisterStage(stageName, runStage) }

// stageSpec is everything the stage needs, sent as one sync packet.
type stageSpec struct {
	Argv        []string // empty: the user's shell
	Env         []string
	UID, GID    int
	Groups      []int
	Cwd         string
	Personality int    // -1: leave it
	DropCaps    bool   // restrict the bounding set to Kept
	Kept        uint64 // capabilities to keep in the bounding set
	NoNewPrivs  bool
	Seccomp     *seccomp.Filter // nil: none, or -e LSM
	Remount     bool            // new mount ns with fresh /proc and /sys
	CTTY        int             // std fd holding the pty slave to make the controlling tty, -1: none
	Prefix      string
	Name        string
	Quiet       bool
	// LogFD: the caller's log file is the stage's fd 3, lines at LogLevel.
	LogFD    bool
	LogLevel int
}

// stageLogFD is where Start puts the caller's log file.
const stageLogFD = 3

// Exit codes of the stage (the command's own status replaces them).
const (
	exitSetup   = 1   // anything before exec failed
	exitNoExec  = 127 // exec itself failed, as a shell reports it
	stageErrTag = "golxc-attach"
)

// runStage runs inside the container's namespaces.
func runStage(sync *os.File, _ []string) int {
	// Bounding set, personality, credentials and mount namespace are per
	// thread here: do everything on this thread and exec from it.
	runtime.LockOSThread()
	// sync stays open (close-on-exec) for the last report: lxc-attach
	// tells the command's status from a helper that died on its way in.
	defer sync.Close()
	var s stageSpec
	stdio, err := spawn.RecvFiles(sync, &s)
	if err == nil {
		err = takeStdio(stdio)
	}
	if err != nil {
		// Our stderr may still be /dev/null: lxc-attach says it.
		msg := fmt.Sprintf("attach stage: %v", err)
		if spawn.Send(sync, stageReport{Err: msg}) != nil {
			fmt.Fprintf(os.Stderr, "%s: %s\n", stageErrTag, msg)
		}
		return exitSetup
	}
	if s.LogFD {
		log.SetupFile(s.Prefix, s.Name, os.NewFile(stageLogFD, "log"), log.Level(s.LogLevel))
		log.Tracef("Attached process %d started initializing", os.Getpid())
	}
	if err := s.setup(); err != nil {
		s.errorf("%v", err)
		_ = spawn.Send(sync, stageReport{Failed: true})
		return exitSetup
	}
	argv := s.Argv
	if len(argv) == 0 {
		argv = []string{s.shell()}
	}
	path, err := lookPath(argv[0], envValue(s.Env, "PATH"))
	if err == nil {
		log.Noticef("Exec'ing %q (%s)", path, strings.Join(argv, " "))
		log.Close() // the attached command must hold no host file
	}
	_ = spawn.Send(sync, stageReport{Exec: true}) // from here on, the status is the command's
	if err == nil {
		err = unix.Exec(path, argv, s.Env)
	}
	s.errorf("%s - Failed to exec \"%s\"", errText(err), argv[0])
	return exitNoExec
}

// takeStdio makes the caller's streams, sent with the spec, our 0, 1
// and 2 (until now /dev/null: see Start).
func takeStdio(files []*os.File) error {
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	if len(files) != 3 {
		return fmt.Errorf("got %d std streams with the spec, want 3", len(files))
	}
	for i, f := range files {
		if err := unix.Dup3(int(f.Fd()), i, 0); err != nil {
			return fmt.Errorf("install std stream %d: %w", i, err)
		}
	}
	return nil
}

func (s *stageSpec) errorf(format string, args ...any) {
	if s.Quiet {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if s.Name != "" {
		msg = s.Name + ": " + msg
	}
	fmt.Fprintf(os.Stderr, "%s: %s\n", s.Prefix, msg)
}

func (s *stageSpec) setup() error {
	if s.Remount {
		if err := remountProcSys(); err != nil {
			return err
		}
	}
	if s.Personality >= 0 {
		if _, _, e := unix.RawSyscall(unix.SYS_PERSONALITY, uintptr(s.Personality), 0, 0); e != 0 {
			return fmt.Errorf("set personality %#x: %v", s.Personality, e)
		}
	}
	if s.Cwd != "" {
		if unix.Chdir(s.Cwd) != nil {
			log.Debugf("Could not enter %q, staying in /", s.Cwd)
			_ = unix.Chdir("/") // LXC only warns; setns left us at the root anyway
		}
	}
	if s.CTTY >= 0 {
		if err := unix.IoctlSetInt(s.CTTY, unix.TIOCSCTTY, 0); err != nil {
			return fmt.Errorf("make the pty the controlling terminal: %v", err)
		}
	}
	if s.DropCaps {
		if err := initsetup.DropBounding(s.Kept); err != nil {
			return err
		}
		log.Tracef("Dropped capabilities")
	}
	// Without no_new_privs only CAP_SYS_ADMIN allows loading a filter, so
	// it goes in before the ids change; with it, as late as possible.
	if !s.NoNewPrivs {
		if err := s.Seccomp.Load(); err != nil {
			return err
		}
	}
	if err := s.setIDs(); err != nil {
		return err
	}
	log.Noticef("Switched to uid %d, gid %d, groups %v", s.UID, s.GID, s.Groups)
	log.Tracef("Set up environment (%d variables)", len(s.Env))
	// Credential changes reset dumpable; stay non-dumpable until exec.
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_DUMPABLE, 0): %v", err)
	}
	if s.NoNewPrivs {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %v", err)
		}
	}
	// Nothing but 0, 1 and 2 crosses the exec.
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		if err := markAllCloexec(); err != nil {
			return err
		}
	}
	if s.NoNewPrivs {
		return s.Seccomp.Load()
	}
	return nil
}

// setIDs switches groups, gid and uid on this thread only (the thread
// that execs); raw syscalls, since Go's wrappers change every thread.
func (s *stageSpec) setIDs() error {
	groups := make([]uint32, len(s.Groups))
	for i, g := range s.Groups {
		groups[i] = uint32(g)
	}
	if len(groups) == 0 {
		groups = append(groups, 0) // a valid pointer; the count is still 0
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(s.Groups)), uintptr(unsafe.Pointer(&groups[0])), 0); e != 0 && e != unix.EPERM {
		return fmt.Errorf("setgroups(%v): %v", s.Groups, e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(s.GID), uintptr(s.GID), uintptr(s.GID)); e != 0 {
		return fmt.Errorf("setresgid(%d): %v", s.GID, e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(s.UID), uintptr(s.UID), uintptr(s.UID)); e != 0 {
		return fmt.Errorf("setresuid(%d): %v", s.UID, e)
	}
	return nil
}

// remountProcSys gives this thread a private mount namespace with /proc
// and /sys of the namespaces it joined (-R without the mount ns).
func remountProcSys() error {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("remount /proc and /sys: unshare(CLONE_NEWNS): %v", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("remount /proc and /sys: make / a slave: %v", err)
	}
	_ = unix.Unmount("/proc", unix.MNT_DETACH)
	if err := unix.Mount("proc", "/proc", "proc", 0, ""); err != nil {
		return fmt.Errorf("remount /proc: %v", err)
	}
	// /sys only when it was a mount point: EINVAL means it was not.
	if err := unix.Unmount("/sys", unix.MNT_DETACH); err == nil {
		if err := unix.Mount("sysfs", "/sys", "sysfs", 0, ""); err != nil {
			return fmt.Errorf("remount /sys: %v", err)
		}
	}
	return nil
}

// shell is the target uid's login shell from the container's passwd.
func (s *stageSpec) shell() string {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return fallbackShell
	}
	defer f.Close()
	return shellFor(f, s.UID)
}

// lookPath resolves name like execvp: names with a slash are used as
// they are, others are searched in PATH; EACCES wins over ENOENT.
func lookPath(name, path string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	if path == "" {
		path = DefaultPath
	}
	err := error(unix.ENOENT)
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		st, serr := os.Stat(p)
		if serr != nil || st.IsDir() {
			continue
		}
		if unix.Access(p, unix.X_OK) != nil {
			err = unix.EACCES
			continue
		}
		return p, nil
	}
	return "", err
}

func errText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return capitalize(errno.Error())
	}
	return err.Error()
}

// capitalize turns Go's "no such file or directory" into strerror's form.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// markAllCloexec is the fallback for kernels without close_range.
func markAllCloexec() error {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("list open fds: %v", err)
	}
	for _, e := range ents {
		var fd int
		if _, err := fmt.Sscan(e.Name(), &fd); err == nil && fd > 2 {
			unix.CloseOnExec(fd)
		}
	}
	return nil
}
