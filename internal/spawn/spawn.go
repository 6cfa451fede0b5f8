// Package spawn starts golxc processes inside new or existing namespaces.
//
// Start executes golxc — the running binary when it is golxc, else the
// installed golxc (internal/selfexe) — through a view nothing can write
// through (ProtectedExe), with the namespace stage of internal/nsexec
// armed. That C stage unshares or joins namespaces
// before the Go runtime exists, forks the final process as a direct child
// of the caller (CLONE_PARENT), and the Go runtime then starts in it and
// runs the Go stage registered under Request.Stage. See nsexec's doc.go for
// the protocol.
package spawn

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/namespace"
	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/procenv"
	"github.com/golxc/golxc/internal/timerslack"
)

// Mode is Create or Join.
type Mode = nsexec.Mode

const (
	Create = nsexec.Create // unshare new namespaces (container init)
	Join   = nsexec.Join   // enter a running process's namespaces (attach)
)

// Request describes the process to start.
type Request struct {
	Mode       Mode
	CloneFlags uintptr // Create: CLONE_NEW* to unshare
	UIDMap     []config.IDMap
	GIDMap     []config.IDMap // Create with CLONE_NEWUSER: written by the parent
	JoinPID    int            // Join: target process (normally the container init)
	JoinFlags  uintptr        // Join: CLONE_NEW* to enter; ones we already share are skipped
	Stage      string         // Go stage to run (see RegisterStage)
	Args       []string       // passed to the stage function
	Env        []string       // stage environment; nil means os.Environ()
	ExtraFiles []*os.File     // fd 3+i in the stage, as with os/exec
	Stdin      *os.File       // nil: /dev/null
	Stdout     *os.File
	Stderr     *os.File
	CgroupFD   int  // >= 0: cgroup2 dir fd, the stage is cloned into it (CLONE_INTO_CGROUP); -1: none
	Setsid     bool // the final process becomes a session leader
	Pdeathsig  syscall.Signal
	// CallerThread forks on the calling goroutine, not a fresh one. A
	// caller that has locked it to its thread (runtime.LockOSThread) and
	// keeps it gets the fork on that thread: the parent-death signal then
	// follows that thread, which a monitor that execs itself (hibernation)
	// must exec from. An unlocked caller (a monitor that never
	// hibernates) gets whichever thread runs the fork, which lives as long
	// as the process.
	CallerThread bool
	// Share (Create only) lists namespaces the process joins instead of
	// getting new ones (lxc.namespace.share.*); their flags must not be in
	// CloneFlags. A shared user namespace is joined first and the process
	// becomes root in it; the others are joined before a new user namespace
	// is made. A shared pid namespace holds the final process (not PID 1).
	// Start does not close the files.
	Share []SharedNS
	// Prepare, if set, runs while the stage waits: in Create after the user
	// namespace and its maps exist but before the other namespaces are
	// unshared, in Join before any setns. pid is the intermediate process;
	// the final process inherits its cgroups, so a hybrid host moves pid
	// into the container cgroups here and a new cgroup ns is rooted there.
	// For a non-root caller with a new user namespace it runs before the
	// maps are written instead, while pid still has the caller's uid (a
	// user moves only its own processes between v1 cgroups).
	Prepare func(pid int) error
	// NarrowCaps (Create only) limits every capability set of the final
	// process to CapKeep before its Go runtime starts (see nsexec); for a
	// Go stage that never execs, such as lxc-execute's init.
	NarrowCaps bool
	CapKeep    uint64
	// NoNewPrivs (Create only) sets no_new_privs in the final process
	// before its Go runtime starts, so every thread has it.
	NoNewPrivs bool
	// ExecPlan: the final process runs no Go stage; it waits for an exec
	// plan (nsexec.Plan, sent with SendPlan after Start returns) and its C
	// executor carries it out and execs. Stage then only names the process
	// (argv[0], messages) and need not be registered.
	ExecPlan bool
	// Argv0 is the final process's argv[0] ("" = "[golxc STAGE]").
	Argv0 string
	// Abort, once closed, makes a Start still waiting for the stage give
	// up: it kills what it started and returns ErrAborted. A stage that
	// Prepare put into a frozen cgroup never answers, and the caller must
	// still be able to obey a signal.
	Abort <-chan struct{}
	// Release, if set, is called with the pid of each process Start ends
	// on failure, before reaping it (and again after a SIGKILL): a task in
	// a frozen cgroup can neither finish nor, in a v1 freezer, die until
	// something moves it out (cgroup.Evict).
	Release func(pid int)
}

// ErrAborted: Start gave up because Request.Abort was closed.
var ErrAborted = errors.New("spawn: aborted while the stage was starting")

// SharedNS is a namespace to join: an open /proc/PID/ns/<name> (or a bind
// mount of one). The kernel checks on setns that it is of type Flag.
type SharedNS struct {
	Flag uintptr // exactly one CLONE_NEW* flag
	File *os.File
}

// StageError is a failure reported by the C stage.
type StageError struct {
	Step  string // e.g. "unshare(CLONE_NEWUSER)"
	Errno syscall.Errno
}

func (e *StageError) Error() string { return fmt.Sprintf("spawn: %s: %s", e.Step, e.Errno) }
func (e *StageError) Unwrap() error { return e.Errno }

// testNoPidfd makes Join skip the pidfd so tests reach the /proc/PID/ns path.
var testNoPidfd bool

// Start runs the namespace stage and returns once the final process is in
// its namespaces and about to start its Go stage. On error nothing is left
// behind: every fd Start made is closed and every process it made is
// killed and reaped.
func Start(req Request) (*Process, error) {
	if err := validate(&req); err != nil {
		return nil, err
	}
	exe, err := ProtectedExe()
	if err != nil {
		return nil, err
	}
	defer exe.Close() // the stage holds its own reference once exec'd
	parentEnd, childEnd, err := syncPair()
	if err != nil {
		return nil, err
	}
	defer childEnd.Close()
	s := &starter{req: req, sync: parentEnd, final: -1}
	p, err := s.run(exe, childEnd)
	if err != nil {
		s.cleanup()
		return nil, err
	}
	return p, nil
}

func validate(req *Request) error {
	if req.Stage == "" {
		return errors.New("spawn: Request.Stage is empty: name the Go stage to run")
	}
	if _, ok := stageFunc(req.Stage); !ok && !req.ExecPlan {
		return fmt.Errorf("spawn: stage %q is not registered (spawn.RegisterStage)", req.Stage)
	}
	// The C stage handles exactly the table's namespaces (checked by a
	// test in internal/nsexec).
	allNamespaces := namespace.AllFlags()
	switch req.Mode {
	case Create:
		if req.CloneFlags&^allNamespaces != 0 {
			return fmt.Errorf("spawn: CloneFlags %#x has non-namespace bits %#x", req.CloneFlags, req.CloneFlags&^allNamespaces)
		}
		if err := validateShare(req.Share, req.CloneFlags); err != nil {
			return err
		}
	case Join:
		if len(req.Share) > 0 {
			return errors.New("spawn: Share is for Create; Join enters JoinPID's namespaces")
		}
		if req.JoinPID <= 0 {
			return fmt.Errorf("spawn: join needs JoinPID, got %d", req.JoinPID)
		}
		if req.JoinFlags&^allNamespaces != 0 {
			return fmt.Errorf("spawn: JoinFlags %#x has non-namespace bits %#x", req.JoinFlags, req.JoinFlags&^allNamespaces)
		}
	default:
		return fmt.Errorf("spawn: unknown mode %d (want spawn.Create or spawn.Join)", req.Mode)
	}
	return nil
}

func validateShare(share []SharedNS, clone uintptr) error {
	allNamespaces := namespace.AllFlags()
	var seen uintptr
	for _, sh := range share {
		switch {
		case sh.Flag&^allNamespaces != 0 || sh.Flag == 0 || sh.Flag&(sh.Flag-1) != 0:
			return fmt.Errorf("spawn: Share flag %#x is not one CLONE_NEW* flag", sh.Flag)
		case sh.File == nil:
			return fmt.Errorf("spawn: Share flag %#x has no file", sh.Flag)
		case seen&sh.Flag != 0:
			return fmt.Errorf("spawn: namespace %#x shared twice", sh.Flag)
		case clone&sh.Flag != 0:
			return fmt.Errorf("spawn: namespace %#x is both shared and in CloneFlags", sh.Flag)
		}
		seen |= sh.Flag
	}
	return nil
}

// syncPair makes the SOCK_SEQPACKET pair; the parent end is non-blocking so
// it works with the poller and read deadlines.
func syncPair() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("spawn: socketpair: %w", err)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, fmt.Errorf("spawn: socketpair: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "golxc-sync"), os.NewFile(uintptr(fds[1]), "golxc-sync-child"), nil
}

// starter holds what cleanup must undo.
type starter struct {
	req   Request
	sync  *os.File
	inter int // pid of the intermediate; 0 once reaped
	final int // pid of the final process once reported, else -1
	// prepared: Prepare already ran (at the map request, for a user).
	prepared bool
}

func (s *starter) run(exe, childEnd *os.File) (*Process, error) {
	req := s.req
	files := append(append([]*os.File(nil), req.ExtraFiles...), childEnd, exe)
	syncFD := 3 + len(req.ExtraFiles)
	boot := nsexec.Bootstrap{
		Mode:       req.Mode,
		NSFlags:    uint64(req.CloneFlags),
		PidFD:      -1,
		ExeFD:      syncFD + 1,
		Pdeathsig:  int(req.Pdeathsig),
		Setsid:     req.Setsid,
		Prepare:    req.Prepare != nil,
		NarrowCaps: req.NarrowCaps && req.Mode == Create,
		CapKeep:    req.CapKeep,
		NoNewPrivs: req.NoNewPrivs && req.Mode == Create,
		ExecPlan:   req.ExecPlan,
		// A user's new user namespace: the user owns it and must reach
		// the process (setns(pidfd) for the network helper, attach).
		Dumpable: req.Mode == Create && req.CloneFlags&unix.CLONE_NEWUSER != 0 && os.Getuid() != 0,
	}
	if req.Mode == Join {
		boot.NSFlags = uint64(req.JoinFlags)
		boot.JoinPID = req.JoinPID
		pidfd, err := openPidfd(req.JoinPID)
		if err != nil {
			return nil, err
		}
		if pidfd != nil {
			defer pidfd.Close()
			files = append(files, pidfd)
			boot.PidFD = syncFD + 2
		}
	}
	for _, sh := range req.Share {
		boot.Share = append(boot.Share, nsexec.Share{NSType: uint32(sh.Flag), FD: 3 + len(files)})
		files = append(files, sh.File)
	}
	if err := sendRaw(s.sync, boot.Encode()); err != nil {
		return nil, fmt.Errorf("spawn: send bootstrap message: %w", err)
	}

	stdio, closeStdio, err := stdioFiles(req)
	if err != nil {
		return nil, err
	}
	fds := make([]uintptr, 0, 3+len(files))
	for _, f := range append(stdio, files...) {
		fds = append(fds, f.Fd())
	}
	attr := &syscall.ProcAttr{
		Env:   stageEnv(req.Env, syncFD, req.Stage),
		Files: fds,
		Sys: &syscall.SysProcAttr{
			Pdeathsig:   syscall.SIGKILL, // the intermediate must not outlive a dead parent
			UseCgroupFD: req.CgroupFD >= 0,
			CgroupFD:    req.CgroupFD,
		},
	}
	// Resolved in the child, after its fds are set up. syscall rather
	// than os/exec: os probes pidfd support with an extra fork in every
	// process that starts a child, a cost on each start and attach.
	path := "/proc/self/fd/" + strconv.Itoa(syncFD+1)
	argv := append([]string{argv0(req)}, req.Args...)
	// Pdeathsig fires when the forking *thread* exits. A fresh goroutine
	// never runs on a locked thread, and unlocked threads live as long as
	// the process, so the caller's LockOSThread state cannot kill us.
	type started struct {
		pid int
		err error
	}
	done := make(chan started, 1)
	// On a thread with the caller's timer slack (see internal/timerslack):
	// the stage and the container inherit it.
	fork := func() {
		timerslack.Fork(func() {
			pid, err := syscall.ForkExec(path, argv, attr)
			done <- started{pid, err}
		})
	}
	if req.CallerThread {
		fork()
	} else {
		go fork()
	}
	st := <-done
	closeStdio()
	runtime.KeepAlive(files)
	if st.err != nil {
		return nil, fmt.Errorf("spawn: exec the protected golxc binary for stage %q: %w", req.Stage, st.err)
	}
	s.inter = st.pid
	childEnd.Close() // so EOF tells us the stage processes are gone

	stopWatch := s.watchAbort()
	err = s.handshake()
	if stopWatch() {
		log.Debugf("spawn: stage %q aborted during the handshake (%v)", req.Stage, err)
		return nil, ErrAborted
	}
	if err != nil {
		return nil, err
	}
	if err := s.reapIntermediate(); err != nil {
		return nil, err
	}
	pidfd, err := unix.PidfdOpen(s.final, 0)
	if err != nil {
		if !errors.Is(err, unix.ENOSYS) {
			return nil, fmt.Errorf("spawn: pidfd_open(pid %d): %w", s.final, err)
		}
		pidfd = -1
	}
	p := &Process{Pid: s.final, Sync: s.sync, pidfd: pidfd}
	return p, nil
}

func openPidfd(pid int) (*os.File, error) {
	if testNoPidfd {
		return nil, nil
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ENOSYS) {
		return nil, nil // < 5.3: the stage joins by /proc/PID/ns paths
	}
	if err != nil {
		return nil, fmt.Errorf("spawn: pidfd_open(pid %d) of the process to join: %w", pid, err)
	}
	return os.NewFile(uintptr(fd), "pidfd"), nil
}

func stageEnv(env []string, syncFD int, stage string) []string {
	if env == nil {
		env = os.Environ()
	}
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		if !strings.HasPrefix(kv, nsexec.EnvSyncFD+"=") && !strings.HasPrefix(kv, nsexec.EnvStage+"=") {
			out = append(out, kv)
		}
	}
	out = procenv.SingleP(out)
	return append(out, nsexec.EnvSyncFD+"="+strconv.Itoa(syncFD), nsexec.EnvStage+"="+stage)
}

// handshake serves the C stage until the final process says it is ready.
func (s *starter) handshake() error {
	pid := s.inter
	for {
		msg, err := recvRaw(s.sync)
		if err != nil {
			return s.stageDied(err)
		}
		if len(msg) == 0 {
			return s.stageDied(nil)
		}
		switch body := string(msg[1:]); msg[0] {
		case nsexec.MsgMapRequest:
			if s.req.Prepare != nil && os.Geteuid() != 0 && !s.prepared {
				// A user may move only its own uid's processes into
				// v1 cgroups: the stage still has the caller's uid
				// now, not once it became the namespace's root.
				if err := s.req.Prepare(pid); err != nil {
					return fmt.Errorf("spawn: prepare pid %d: %w", pid, err)
				}
				s.prepared = true
			}
			if err := writeIDMaps(pid, s.req.UIDMap, s.req.GIDMap); err != nil {
				return err
			}
			if err := sendRaw(s.sync, []byte{nsexec.MsgMapDone}); err != nil {
				return fmt.Errorf("spawn: tell the stage its id maps are written: %w", err)
			}
		case nsexec.MsgPrepare:
			if s.req.Prepare == nil {
				return fmt.Errorf("spawn: stage asked for Prepare, which the request does not have")
			}
			if !s.prepared {
				if err := s.req.Prepare(pid); err != nil {
					return fmt.Errorf("spawn: prepare pid %d: %w", pid, err)
				}
			}
			if err := sendRaw(s.sync, []byte{nsexec.MsgPrepared}); err != nil {
				return fmt.Errorf("spawn: tell the stage Prepare is done: %w", err)
			}
		case nsexec.MsgPid:
			final, err := strconv.Atoi(body)
			if err != nil || final <= 0 {
				return fmt.Errorf("spawn: stage reported a bad pid %q", body)
			}
			s.final = final
		case nsexec.MsgReady:
			if s.final < 0 {
				return errors.New("spawn: stage said ready before reporting its pid")
			}
			return nil
		case nsexec.MsgError:
			return parseStageError(body)
		default:
			return fmt.Errorf("spawn: unexpected message %q from the namespace stage", truncate(msg))
		}
	}
}

func parseStageError(body string) error {
	num, step, ok := strings.Cut(body, " ")
	errno, err := strconv.Atoi(num)
	if !ok || err != nil {
		return fmt.Errorf("spawn: namespace stage failed: %q", body)
	}
	return &StageError{Step: step, Errno: syscall.Errno(errno)}
}

// stageDied explains an EOF (or read error) in the middle of the handshake.
func (s *starter) stageDied(readErr error) error {
	who, pid := "namespace stage", s.inter
	if s.final > 0 {
		who, pid = "final process", s.final
	}
	if readErr != nil && !errors.Is(readErr, os.ErrClosed) && !isEOF(readErr) {
		return fmt.Errorf("spawn: read from the %s (pid %d): %w", who, pid, readErr)
	}
	if s.final > 0 {
		ws, err := wait4(s.final)
		s.final = -1
		if err == nil {
			return fmt.Errorf("spawn: %s (pid %d) %s before it was ready", who, pid, describe(ws))
		}
	}
	return fmt.Errorf("spawn: %s (pid %d) ended before it was ready: %v", who, pid, s.reapInter())
}

func (s *starter) reapIntermediate() error {
	if err := s.reapInter(); err != nil {
		return fmt.Errorf("spawn: namespace stage intermediate: %w", err)
	}
	return nil
}

// reapInter waits for the intermediate; an error unless it exited 0.
func (s *starter) reapInter() error {
	if s.inter <= 0 {
		return nil
	}
	ws, err := wait4(s.inter)
	s.inter = 0
	switch {
	case err != nil:
		return err
	case ws.Exited() && ws.ExitStatus() == 0:
		return nil
	}
	return errors.New(describe(ws))
}

// watchAbort makes a pending read of the sync socket fail once
// req.Abort is closed. stop ends the watch and reports whether it fired.
func (s *starter) watchAbort() (stop func() bool) {
	if s.req.Abort == nil {
		return func() bool { return false }
	}
	done := make(chan struct{})
	fired := make(chan bool, 1)
	go func() {
		select {
		case <-s.req.Abort:
			_ = s.sync.SetReadDeadline(time.Unix(1, 0))
			fired <- true
		case <-done:
			fired <- false
		}
	}()
	return func() bool {
		close(done)
		return <-fired
	}
}

// cleanup ends and reaps whatever run started and closes the sync socket.
// The intermediate is not killed outright: killed between its fork and
// its 'D', it would leave a final process we cannot name. It is moved
// out of a possibly frozen cgroup (Release) and, its reads of our answers
// ending in EOF, either fails or finishes; only one that does not exit
// within intermediateGrace is killed.
func (s *starter) cleanup() {
	if s.inter > 0 {
		_ = shutdownWrite(s.sync)
		s.release(s.inter)
		if !exitsWithin(s.inter, intermediateGrace) {
			unix.Kill(s.inter, unix.SIGKILL)
			s.release(s.inter)
		}
		s.reapInter()
	}
	s.learnFinal()
	if s.final > 0 {
		unix.Kill(s.final, unix.SIGKILL) // our unreaped child: the pid cannot be recycled
		s.release(s.final)
		wait4(s.final)
	}
	s.sync.Close()
}

// intermediateGrace bounds the wait for an intermediate to end by itself.
const intermediateGrace = 5 * time.Second

// exitsWithin reports whether pid (our unreaped child) has exited or
// does so within d.
func exitsWithin(pid int, d time.Duration) bool {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		if err == unix.EINTR {
			continue
		}
		return err == nil && n > 0
	}
}

// shutdownWrite makes the stage's pending and future reads of the sync
// socket end in EOF.
func shutdownWrite(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.Shutdown(int(fd), unix.SHUT_WR) }); err != nil {
		return err
	}
	return serr
}

func (s *starter) release(pid int) {
	if s.req.Release != nil {
		s.req.Release(pid)
	}
}

// learnFinal reads what is queued on the sync socket, without waiting,
// for a 'D<pid>' the handshake did not get to (the intermediate has been
// reaped: whatever it sent is there): the final process is our child
// and must be killed too.
func (s *starter) learnFinal() {
	if s.final > 0 || s.sync == nil {
		return
	}
	rc, err := s.sync.SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, 256)
	_ = rc.Control(func(fd uintptr) {
		for {
			n, _, err := unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT)
			if err != nil || n <= 0 {
				return
			}
			if buf[0] == nsexec.MsgPid {
				if pid, err := strconv.Atoi(string(buf[1:n])); err == nil && pid > 0 {
					s.final = pid
				}
			}
		}
	})
}

func argv0(req Request) string {
	if req.Argv0 != "" {
		return req.Argv0
	}
	return "[golxc " + req.Stage + "]"
}

// stdioFiles returns the stage's fds 0-2: the request's files, /dev/null
// (opened once, shared by every unset stream) for those unset. closeStdio
// closes what was opened here.
func stdioFiles(req Request) (files []*os.File, closeStdio func(), err error) {
	var null *os.File
	closeStdio = func() {
		if null != nil {
			null.Close()
		}
	}
	for _, f := range []*os.File{req.Stdin, req.Stdout, req.Stderr} {
		if f == nil {
			if null == nil {
				if null, err = os.OpenFile(os.DevNull, os.O_RDWR, 0); err != nil {
					return nil, nil, err
				}
			}
			f = null
		}
		files = append(files, f)
	}
	return files, closeStdio, nil
}
