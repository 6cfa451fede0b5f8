package tools

import (
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
)

func init() { register("lxc-monitor", runMonitor) }

const monitorHelp = `[--name=NAME]

lxc-monitor monitors the state of the NAME container

Options :
  -n, --name=NAME   NAME of the container
                    NAME may be a regular expression
  -Q, --quit        tell lxc-monitord to quit
`

// monitorScan is how often the lxcpaths are scanned for containers that
// started; their monitors replay what happened before we subscribed.
const monitorScan = 100 * time.Millisecond

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
			m := &stateMonitor{re: re, out: c.Stdout, watched: map[watchKey]watchState{}}
			m.run(c.LXCPaths)
			return 0
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}

type watchKey struct{ lxcpath, name string }

type watchState int

const (
	watching watchState = iota + 1
	ended               // subscription over; wait until the socket is gone
)

// stateMonitor follows every matching container through its own command
// socket (no lxc-monitord): existing ones from now on, new ones from the
// start of their boot.
type stateMonitor struct {
	re  *regexp.Regexp
	out io.Writer

	mu      sync.Mutex
	watched map[watchKey]watchState
	outMu   sync.Mutex
}

func (m *stateMonitor) run(lxcpaths []string) {
	first := true
	for {
		for _, lp := range lxcpaths {
			m.scan(lp, !first)
		}
		if first {
			// From here on, containers that start are seen from STARTING.
			log.Infof("watching %s", strings.Join(lxcpaths, " "))
		}
		first = false
		time.Sleep(monitorScan)
	}
}

// scan subscribes to matching containers not watched yet; replay is asked
// for containers that appeared after the first scan.
func (m *stateMonitor) scan(lxcpath string, replay bool) {
	names, err := cmdsock.ActiveNames(lxcpath)
	if err != nil {
		return
	}
	present := map[string]bool{}
	for _, n := range names {
		present[n] = true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, st := range m.watched {
		if k.lxcpath == lxcpath && st == ended && !present[k.name] {
			delete(m.watched, k)
		}
	}
	for _, n := range names {
		k := watchKey{lxcpath, n}
		if _, ok := m.watched[k]; ok || !m.re.MatchString(n) {
			continue
		}
		m.watched[k] = watching
		go m.follow(k, replay)
	}
}

func (m *stateMonitor) follow(k watchKey, replay bool) {
	defer func() {
		m.mu.Lock()
		m.watched[k] = ended
		m.mu.Unlock()
	}()
	cl, err := cmdsock.Dial(k.lxcpath, k.name)
	if err != nil {
		return
	}
	w, err := cl.Watch(replay)
	if err != nil {
		return
	}
	defer w.Close()
	w.SetName(k.name)
	for {
		msg, err := w.Next()
		if err != nil {
			return
		}
		m.print(k.name, msg)
	}
}

// print writes one line per message, each in a single write (LXC's
// lxc-monitor is line-buffered).
func (m *stateMonitor) print(name string, msg cmdsock.Msg) {
	var line string
	switch msg.Type {
	case cmdsock.MsgState:
		line = fmt.Sprintf("'%s' changed state to [%s]\n", name, cmdsock.State(msg.Value))
	case cmdsock.MsgExitCode:
		line = fmt.Sprintf("'%s' exited with status [%d]\n", name, (msg.Value>>8)&0xff)
	default:
		return
	}
	m.outMu.Lock()
	io.WriteString(m.out, line)
	m.outMu.Unlock()
}

// quitMonitord sends "quit" to LXC's lxc-monitord of lxcpath if one
// listens on @lxc/FNV64("lxc/LXCPATH/monitor-sock")/LXCPATH.
func quitMonitord(lxcpath string) {
	h := fnv.New64a()
	io.WriteString(h, "lxc/"+lxcpath+"/monitor-sock")
	addr := &net.UnixAddr{Name: fmt.Sprintf("@lxc/%016x/%s", h.Sum64(), lxcpath), Net: "unix"}
	conn, err := net.DialUnix("unix", nil, addr)
	if err != nil {
		return
	}
	defer conn.Close()
	conn.Write([]byte("quit"))
}
