package monitor

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/selfexe"
)

// A daemonizing lxc-start run as root was forked before the Go runtime
// started (internal/nsexec/prefork.c): this process is the child, its
// parent waits for the exit code on the verdict pipe. Rather than starting
// a second golxc as the monitor, this process becomes the monitor. The
// phases run one after the other, each as it would in a process of its
// own:
//
//	lxc-start:  options, config ... Start -> startDaemon
//	monitor:    /dev/null stdio, setsid, cwd /, its own log: until RUNNING or failure
//	lxc-start:  prints the verdict on the caller's stderr as usual, returns its code
//	Exit:       stdio to /dev/null, verdict byte to the parent (which exits), monitor goes on
//
// The monitor's main goroutine holds (reporter.hold) while lxc-start
// finishes, so the two never print at the same time. Its other goroutines
// (command handlers) go on meanwhile: the monitor has its own Logger, the
// current one from the moment this process becomes the monitor, and
// lxc-start ends through the Logger it had (log.Install), so no monitor
// line reaches lxc-start's log or the caller's stderr.

var (
	verdictOnce sync.Once
	verdictPipe *os.File // nil unless preforked
)

func preforkVerdictPipe() *os.File {
	verdictOnce.Do(func() {
		if fd, ok := nsexec.TakePreforkFD(); ok && selfexe.IsMain() {
			verdictPipe = os.NewFile(uintptr(fd), "prefork verdict")
		}
	})
	return verdictPipe
}

// inheritedFDs are the caller's fds Start marked close-on-exec; the
// in-process monitor closes them ("--daemon implies --close-all-fds").
var inheritedFDs []int

// inProcess is the monitor this process runs, once startInProcess made it.
var inProcess *preforkedMonitor

type preforkedMonitor struct {
	devnull int
	stdio   [3]int // the caller's fds 0-2 while the monitor holds /dev/null
	sigpipe chan os.Signal
	release chan struct{}
	done    chan int // the monitor's exit code
}

// startInProcess makes this preforked lxc-start the monitor of o and
// returns its verdict; ok is false when this process was not preforked or
// cannot become the monitor, and the caller starts one the usual way.
func startInProcess(o Options) (code int, err error, ok bool) {
	if preforkVerdictPipe() == nil {
		return 0, nil, false
	}
	devnull, err := unix.Open(os.DevNull, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		log.Debugf("Cannot run the monitor in this process: open %s: %v", os.DevNull, err)
		return 0, nil, false
	}
	if err := setProcTitle(monitorTitle(o)); err != nil {
		log.Debugf("Cannot run the monitor in this process: %v", err)
		unix.Close(devnull)
		return 0, nil, false
	}
	log.Debugf("Running the monitor in this process %d (lxc-start was forked before the Go runtime)", os.Getpid())
	p := &preforkedMonitor{devnull: devnull, release: make(chan struct{}), done: make(chan int, 1)}
	for i := range p.stdio {
		p.stdio[i], _ = unix.FcntlInt(uintptr(i), unix.F_DUPFD_CLOEXEC, 3)
	}
	p.nullStdio()
	if _, err := syscall.Setsid(); err != nil {
		log.Debugf("setsid: %v", err)
	}
	_ = os.Chdir("/")
	for _, fd := range inheritedFDs {
		unix.Close(fd)
		log.Tracef("Closed inherited fd %d in the monitor", fd)
	}
	inheritedFDs = nil

	// From here on the current Logger is the monitor's, before any of its
	// goroutines runs; lxc-start's stays open for the lines it writes
	// after the verdict. The monitor's stderr appender is off: fd 2 is
	// the caller's again while lxc-start prints its verdict.
	toolLog := log.Install(log.New())
	log.SetStderr(nil)
	r := &reporter{ch: make(chan status, 1), hold: p.release, waiter: preforkVerdictPipe()}
	go func() {
		code, _ := run(o, r)
		r.report(status{Error: errNoVerdict(o).Error()}) // no-op once reported
		p.done <- code
	}()
	s := <-r.ch
	// When the caller's lxc-start (the parent) died, it prints nothing
	// more, as LXC's: stdio stays /dev/null.
	if !readerGone(r.waiter) {
		p.restoreStdio()
	}
	// A caller's stderr pipe with no reader must cost lxc-start its
	// message, not the monitor (this process) its life: with SIGPIPE
	// caught, writes to fds 1-2 fail with EPIPE instead. Caught, not
	// ignored: an ignored signal would stay ignored in what the monitor
	// execs. Until Exit, which gives stdio to /dev/null.
	p.sigpipe = make(chan os.Signal, 1)
	signal.Notify(p.sigpipe, syscall.SIGPIPE)
	inProcess = p
	code, err = s.result(toolLog)
	return code, err, true
}

func (p *preforkedMonitor) nullStdio() {
	for i := 0; i < 3; i++ {
		_ = unix.Dup2(p.devnull, i)
	}
}

func (p *preforkedMonitor) restoreStdio() {
	for i, fd := range p.stdio {
		if fd >= 0 {
			_ = unix.Dup2(fd, i)
		}
	}
}

// Exit ends lxc-start with code. When it was preforked it tells the
// waiting parent first, which exits with code; when this process became
// the monitor, its stdio goes to /dev/null as an exec'd monitor's would
// and it runs the monitor to its end.
func Exit(code int) {
	pipe := preforkVerdictPipe()
	if pipe == nil {
		os.Exit(code)
	}
	p := inProcess
	if p != nil {
		// Before the verdict: a $(lxc-start ...) must not wait for us.
		p.nullStdio()
		for _, fd := range p.stdio {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
		unix.Close(p.devnull)
		signal.Stop(p.sigpipe)
	}
	// The parent may be gone (killed): nobody to tell, nothing to do.
	verdict := []byte{byte(code)}
	if p != nil && len(p.sigpipe) > 0 {
		verdict = append(verdict, byte(syscall.SIGPIPE)) // the parent dies of it
	}
	_, _ = pipe.Write(verdict)
	pipe.Close()
	if p == nil {
		os.Exit(code)
	}
	close(p.release)
	os.Exit(<-p.done)
}

// setProcTitle makes /proc/PID/cmdline read "title\x00", as the exec'd
// monitor's single argv[0] does ("[lxc monitor] LXCPATH NAME"), which
// LXC's tools and scripts look for. It writes into the stack area the
// kernel shows (nsexec.PreforkTitleArea); the kernel reads a command line
// whose last argv byte is not NUL up to its first NUL (setproctitle's
// convention), which makes a title of any length up to the area's read
// exactly. The area is one page at most for that reading.
func setProcTitle(title string) error {
	area, argvLen := nsexec.PreforkTitleArea()
	if len(title)+1 > len(area) || len(title)+1 > os.Getpagesize() || argvLen <= 0 || argvLen > len(area) {
		return fmt.Errorf("set the monitor's process title: %d bytes do not fit in the %d the command line has", len(title)+1, len(area))
	}
	clear(area)
	copy(area, title)
	if len(title)+1 < argvLen {
		area[argvLen-1] = ' ' // past the title's NUL: only marks the title
	}
	log.Tracef("Process title set to %q", title)
	return nil
}
