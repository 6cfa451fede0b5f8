package tools

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-top", runTop) }

const topHelp = `

lxc-top monitors the state of the active containers

Options :
  -d, --delay     delay in seconds between refreshes (default: 3.0)
  -b, --batch     output designed to capture to a file
  -s, --sort      sort by [n,c,b,m] (default: n) where
                  n = Name
                  c = CPU use
                  b = Block I/O use
                  m = Memory use
                  s = Memory + Swap use
                  k = Kernel memory use
  -r, --reverse   sort in reverse (descending) order
`

type topOpts struct {
	delay    int
	delaySet bool
	batch    bool
	sortBy   byte
	reverse  bool
}

func runTop(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := &topOpts{delay: 3, sortBy: 'n'}
	t := &cli.Tool{
		Name: "lxc-top", Help: topHelp, NameMode: cli.NameOptional, MultiLXCPath: true,
		Options: []cli.Option{
			{Short: 'd', Long: "delay", Arg: cli.RequiredArg, Set: func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil {
					return fmt.Errorf("could not parse command line: -d %q is not a number of seconds", v)
				}
				o.delay, o.delaySet = n, true
				return nil
			}},
			{Short: 'b', Long: "batch", Set: func(string) error { o.batch = true; return nil }},
			{Short: 's', Long: "sort", Arg: cli.RequiredArg, Set: func(v string) error {
				if v != "" {
					o.sortBy = v[0]
				}
				return nil
			}},
			{Short: 'r', Long: "reverse", Set: func(string) error { o.reverse = true; return nil }},
		},
		Run: o.run,
	}
	return t.Main(argv, stdin, stdout, stderr)
}

// topTerminal is stdin put in non-canonical, no-echo mode, as LXC's
// lxc-top does even in batch mode (it reads keys from it).
type topTerminal struct{ saved *unix.Termios }

func openTopTerminal(stderr io.Writer) (*topTerminal, error) {
	saved, err := unix.IoctlGetTermios(0, unix.TCGETS)
	if err != nil {
		fmt.Fprintln(stderr, "stdin is not a tty")
		return nil, err
	}
	raw := *saved
	raw.Iflag &^= unix.IGNBRK
	raw.Iflag &= unix.BRKINT // as LXC: every other input flag off
	raw.Lflag &^= unix.ECHO | unix.ICANON
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(0, unix.TCSETSF, &raw); err != nil {
		fmt.Fprintln(stderr, "Failed to set new terminal settings")
		return nil, err
	}
	return &topTerminal{saved: saved}, nil
}

func (t *topTerminal) restore(stderr io.Writer) {
	_ = unix.IoctlSetTermios(0, unix.TCSETSF, t.saved)
	fmt.Fprintln(stderr)
}

// rows is the terminal's height now (LXC reads it once; golxc follows a
// resize at the next refresh), 25 when stdin cannot tell.
func (t *topTerminal) rows() int {
	ws, err := unix.IoctlGetWinsize(0, unix.TIOCGWINSZ)
	if err != nil {
		return 25
	}
	return int(ws.Row)
}

func (o *topOpts) run(c *cli.Ctx) int {
	term, err := openTopTerminal(c.Stderr)
	if err != nil {
		fmt.Fprintln(c.Stderr, "Failed to setup terminal")
		return 1
	}
	defer term.restore(c.Stderr)
	// INT and QUIT end lxc-top normally (exit 0, terminal restored).
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGINT, unix.SIGQUIT)
	defer signal.Stop(sigs)
	keys := make(chan byte)
	go readKeys(keys)

	if o.batch && !o.delaySet {
		o.delay = 300
	}
	if o.batch {
		fmt.Fprintln(c.Stdout, "time_ms,container,cpu_nanos,cpu_sys_userhz,cpu_user_userhz,blkio_bytes,blkio_iops,mem_used_bytes,memsw_used_bytes,kernel_mem_used_bytes")
	}
	for {
		// Refreshes keep a fixed cadence: the time a sample takes (200
		// containers: a tenth of a second here) comes out of the delay,
		// where LXC sleeps the whole delay after it and drifts.
		next := time.Now().Add(time.Duration(o.delay) * time.Second)
		rows, total := topSample(c.LXCPath)
		sortTop(rows, o.sortBy, o.reverse)
		fmt.Fprint(c.Stdout, renderTop(rows, total, term.rows()-3, o.batch, time.Now()))
		if !o.wait(sigs, &keys, next) {
			return 0
		}
	}
}

// wait sleeps until next; false when lxc-top must end (a signal, q, or
// stdin gone in interactive mode). An interactive key refreshes at once,
// as with LXC; batch mode ignores keys.
func (o *topOpts) wait(sigs <-chan os.Signal, keys *chan byte, next time.Time) bool {
	timer := time.NewTimer(max(time.Until(next), 0))
	defer timer.Stop()
	for {
		select {
		case <-sigs:
			return false
		case <-timer.C:
			return true
		case k, ok := <-*keys:
			switch {
			case !ok && o.batch:
				*keys = nil // nothing more to read; keep sampling
			case !ok || (!o.batch && k == 'q'):
				return false
			case !o.batch:
				o.key(k)
				return true
			}
		}
	}
}

// key applies an interactive key: r reverses; a sort key sorts by it, or
// reverses when it is the current one.
func (o *topOpts) key(k byte) {
	switch k {
	case 'r':
		o.reverse = !o.reverse
	case 'n', 'c', 'b', 'm', 's', 'k':
		if o.sortBy == k {
			o.reverse = !o.reverse
		} else {
			o.reverse = false
		}
		o.sortBy = k
	}
}

// readKeys sends each byte read from stdin; it closes keys at EOF or a
// hangup, which ends an interactive lxc-top as LXC's 'q' does.
func readKeys(keys chan<- byte) {
	buf := make([]byte, 1)
	for {
		n, err := unix.Read(0, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if n <= 0 || err != nil {
			close(keys)
			return
		}
		keys <- buf[0]
	}
}

// topRow is one container's line.
type topRow struct {
	name string
	st   lxc.Stats
}

// topSample reads every active container's resource use and their sum.
func topSample(lxcpath string) ([]topRow, lxc.Stats) {
	var rows []topRow
	var total lxc.Stats
	for _, n := range lxc.ActiveContainerNames(lxcpath) {
		ct, err := lxc.NewContainer(n, lxcpath)
		if err != nil {
			continue
		}
		st, err := ct.Stats()
		if err != nil {
			log.Debugf("No statistics for %q: %v", n, err)
		}
		rows = append(rows, topRow{n, st})
		total.CPU += st.CPU
		total.CPUUser += st.CPUUser
		total.CPUSystem += st.CPUSystem
		total.BlkIO += st.BlkIO
		total.BlkIORead += st.BlkIORead
		total.BlkIOWrite += st.BlkIOWrite
		total.Memory += st.Memory
		total.MemSwap += st.MemSwap
		total.KMem += st.KMem
	}
	return rows, total
}
