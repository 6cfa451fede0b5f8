package tools

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/pushreg"
)

func init() { register("lxc-monitor", runMonitor) }

const monitorHelp = `[--name=NAME]

lxc-monitor monitors the state of the NAME container

Options :
  -n, --name=NAME   NAME of the container
                    NAME may be a regular expression
  -Q, --quit        tell lxc-monitord to quit
`

func runMonitor(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	quit := false
	t := &cli.Tool{
		Name: "lxc-monitor", Help: monitorHelp, NameMode: cli.NameOptional, MultiLXCPath: true,
		Options: []cli.Option{
			{Short: 'Q', Long: "quit", Set: func(string) error { quit = true; return nil }},
		},
		Run: func(c *cli.Ctx) int {
			if quit {
				// golxc needs no lxc-monitord; one LXC may have left
				// running is told to quit.
				for _, lp := range c.LXCPaths {
					quitMonitord(lp)
				}
				return 0
			}
			name := c.Name
			if name == "" {
				name = ".*"
			}
			re, err := regexp.CompilePOSIX("^" + name + "$")
			if err != nil {
				log.Errorf("Failed to compile the regex '%s'", name)
				return 1
			}
			m := &stateMonitor{re: re, out: c.Stdout, pending: map[recordKey][]cmdsock.Msg{}}
			return m.run(c.LXCPaths)
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}

// stateMonitor prints the records golxc's container monitors push to it
// (package pushreg), plus, for an lxcpath whose LXC lxc-monitord already
// runs, what that daemon relays from LXC's monitor FIFO.
//
// Containers of real LXC 5.0.2 push nothing: their monitors write the FIFO,
// which only lxc-monitord reads. Like LXC's lxc-monitor we see them through
// a running lxc-monitord, but we never spawn one (golxc needs none), so
// without it they go unseen; and, as for LXC's lxc-monitor, what the daemon
// reads before it accepted our connection is lost. golxc monitors write the
// FIFO too, so with an lxc-monitord their records come twice; see relay for
// how the copy is dropped.
type stateMonitor struct {
	re  *regexp.Regexp
	out io.Writer

	mu      sync.Mutex // output, relayed and pending
	relayed map[string]bool
	// pending holds records pushed for containers of an lxcpath with an
	// lxc-monitord whose relayed copy has not come yet.
	pending map[recordKey][]cmdsock.Msg
}

type recordKey struct{ lxcpath, name string }

// maxPending bounds a container's pending records: a copy the FIFO lost
// (full pipe) is never relayed.
const maxPending = 64

// run registers with every lxcpath before logging "watching", so every
// transition after that line is printed; it returns only on failure (a
// signal ends the process once the listeners are unregistered).
func (m *stateMonitor) run(lxcpaths []string) int {
	var listeners []*pushreg.Listener
	var closing atomic.Bool
	closeAll := func() {
		closing.Store(true)
		for _, l := range listeners {
			l.Close()
		}
	}
	for _, lp := range lxcpaths {
		l, err := pushreg.Listen(lp)
		if err != nil {
			log.Errorf("Failed to register for the container monitors of %s: %v", lp, err)
			closeAll()
			return 1
		}
		listeners = append(listeners, l)
	}
	m.unregisterOnSignal(closeAll)
	m.relayed = map[string]bool{}
	var relays []func()
	for i, lp := range lxcpaths {
		if md := dialMonitord(lp); md != nil {
			log.Infof("relaying LXC's lxc-monitord of %s", lp)
			m.relayed[lp] = true
			l := listeners[i]
			relays = append(relays, func() { m.relay(lp, md, l) })
		}
	}
	failed := make(chan error, len(listeners))
	for i, lp := range lxcpaths {
		l := listeners[i]
		go func() { failed <- l.Serve(func(msg cmdsock.Msg) { m.pushed(lp, msg) }) }()
	}
	for _, r := range relays {
		go r()
	}
	log.Infof("watching %s", strings.Join(lxcpaths, " "))
	err := <-failed
	if closing.Load() {
		select {} // a signal is ending the process
	}
	log.Errorf("Failed to receive container states: %v", err)
	closeAll()
	return 1
}

// unregisterOnSignal removes our sockets before dying of SIGINT, SIGTERM
// or SIGHUP the way LXC's lxc-monitor does.
func (m *stateMonitor) unregisterOnSignal(closeAll func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig := <-sigs
		closeAll()
		signal.Reset(sig)
		_ = syscall.Kill(os.Getpid(), sig.(syscall.Signal))
	}()
}

// pushed prints a record a golxc monitor pushed, remembering it if an
// lxc-monitord will relay it again.
func (m *stateMonitor) pushed(lxcpath string, msg cmdsock.Msg) {
	if !m.re.MatchString(msg.Name) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.relayed[lxcpath] {
		k := recordKey{lxcpath, msg.Name}
		q := append(m.pending[k], msg)
		if len(q) > maxPending {
			q = q[len(q)-maxPending:]
		}
		m.pending[k] = q
	}
	m.printLocked(msg)
}

// relay prints what lxc-monitord relays, except copies of pushed records.
// A golxc monitor pushes a record before it writes it to the FIFO, so once
// the records queued on our listener are handled (Drain), the pushed
// original of a relayed copy is in pending if it came at all.
func (m *stateMonitor) relay(lxcpath string, md io.ReadCloser, l *pushreg.Listener) {
	defer md.Close()
	buf := make([]byte, cmdsock.MsgSize)
	for {
		if _, err := io.ReadFull(md, buf); err != nil {
			log.Infof("lxc-monitord of %s went away: %v", lxcpath, err)
			m.mu.Lock()
			m.relayed[lxcpath] = false
			for k := range m.pending {
				if k.lxcpath == lxcpath {
					delete(m.pending, k)
				}
			}
			m.mu.Unlock()
			return
		}
		msg, _ := cmdsock.DecodeMsg(buf)
		if !m.re.MatchString(msg.Name) {
			continue
		}
		l.Drain(func(p cmdsock.Msg) { m.pushed(lxcpath, p) })
		m.mu.Lock()
		if !m.takePending(recordKey{lxcpath, msg.Name}, msg) {
			m.printLocked(msg)
		}
		m.mu.Unlock()
	}
}

// takePending drops the pending original of msg, and the records before
// it whose copies the FIFO lost. Called with m.mu held.
func (m *stateMonitor) takePending(k recordKey, msg cmdsock.Msg) bool {
	q := m.pending[k]
	for i, p := range q {
		if p == msg {
			if rest := q[i+1:]; len(rest) > 0 {
				m.pending[k] = rest
			} else {
				delete(m.pending, k)
			}
			return true
		}
	}
	return false
}

// printLocked writes one line per record, each in a single write (LXC's
// lxc-monitor is line-buffered). Called with m.mu held.
func (m *stateMonitor) printLocked(msg cmdsock.Msg) {
	var line string
	switch msg.Type {
	case cmdsock.MsgState:
		line = fmt.Sprintf("'%s' changed state to [%s]\n", msg.Name, cmdsock.State(msg.Value))
	case cmdsock.MsgExitCode:
		line = fmt.Sprintf("'%s' exited with status [%d]\n", msg.Name, (msg.Value>>8)&0xff)
	default:
		return
	}
	io.WriteString(m.out, line)
}
