// Package log writes LXC-format log lines: to a log file at or above the
// file's level, and to stderr for errors (one line each, unless quiet).
//
// File line format, as LXC 5.0.2 (UTC timestamps):
//
//	PREFIX[ NAME] YYYYMMDDhhmmss.mmm LEVEL    CATEGORY - FILE:FUNC:LINE - MESSAGE
package log

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"

	"golang.org/x/sys/unix"
)

// Level is a log priority, with LXC's numbering.
type Level int

const (
	TRACE Level = iota
	DEBUG
	INFO
	NOTICE
	WARN
	ERROR
	CRIT
	ALERT
	FATAL
	NOTSET
)

var levelNames = [...]string{"TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "CRIT", "ALERT", "FATAL", "NOTSET"}

func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return "NOTSET"
	}
	return levelNames[l]
}

// ParseLevel accepts a level name in any case, or its number 0-8 (the
// forms lxc.log.level takes).
func ParseLevel(s string) (Level, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	for i, n := range levelNames[:NOTSET] {
		if u == n || u == strconv.Itoa(i) {
			return Level(i), nil
		}
	}
	return NOTSET, fmt.Errorf("invalid log priority %q: use one of TRACE DEBUG INFO NOTICE WARN ERROR CRIT ALERT FATAL", s)
}

// CommandLineLevel is the level -l NAME selects, as LXC's tools read it:
// one of the nine names in any case; anything else (WARNING, a number, a
// typo) is accepted and leaves the default, ERROR.
func CommandLineLevel(s string) Level {
	for i, n := range levelNames[:NOTSET] {
		if strings.EqualFold(s, n) {
			return Level(i)
		}
	}
	return ERROR
}

// Logger is one log configuration: a file at a level, and errors on
// stderr unless quiet. A process has one current Logger, which the
// package functions write through (Current); tools are short-lived
// processes, so a single one (as in LXC) keeps call sites simple. A
// preforked lxc-start is two programs in one process: its monitor gets a
// Logger of its own (Install) and lxc-start ends through its old one.
type Logger struct {
	mu     sync.Mutex
	prefix string // program name, e.g. "lxc-start"
	name   string // container name, may be empty
	file   *os.File
	level  Level
	quiet  bool
	stderr io.Writer
	// floor is the lowest level any appender takes (NOTSET: none), read
	// without the lock so a line nobody will read costs one atomic load.
	floor atomic.Int32
}

// New returns the configuration a process starts with: no file, errors
// on stderr, prefix "lxc".
func New() *Logger {
	l := &Logger{prefix: "lxc", level: ERROR, stderr: os.Stderr}
	l.floor.Store(int32(ERROR))
	return l
}

// refloor recomputes floor; called with mu held.
func (lg *Logger) refloor() {
	f := NOTSET
	if lg.stderr != nil && !lg.quiet {
		f = ERROR
	}
	if lg.file != nil && lg.level < f {
		f = lg.level
	}
	lg.floor.Store(int32(f))
}

// Enabled reports whether a line at l would be written anywhere; call
// sites that build costly arguments (loops over mounts) check it first.
func Enabled(l Level) bool { return int32(l) >= Current().floor.Load() }

// Setup configures the current logger. file "" or "none" disables the file.
func Setup(prefix, name, file string, level Level, quiet bool) error {
	return Current().Setup(prefix, name, file, level, quiet)
}

// Setup configures lg. file "" or "none" disables the file.
func (lg *Logger) Setup(prefix, name, file string, level Level, quiet bool) error {
	lg.mu.Lock()
	defer lg.mu.Unlock()
	defer lg.refloor()
	lg.prefix, lg.name, lg.level, lg.quiet = prefix, name, level, quiet
	if lg.file != nil {
		lg.file.Close()
		lg.file = nil
	}
	if file == "" || file == "none" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return fmt.Errorf("log file %s: %w", file, err)
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o660)
	if err != nil {
		return fmt.Errorf("log file %s: %w", file, err)
	}
	lg.file = f
	return nil
}

// SetupFile makes f (an inherited log file, opened O_APPEND by the
// process that passed it) the log file: the namespace and attach stages
// write to the file of the monitor or tool that started them, whatever
// their view of the filesystem. f is marked close-on-exec so nothing the
// stage runs inherits it; Close closes it.
func SetupFile(prefix, name string, f *os.File, level Level) {
	lg := Current()
	lg.mu.Lock()
	defer lg.mu.Unlock()
	defer lg.refloor()
	if lg.file != nil {
		lg.file.Close()
	}
	syscall.CloseOnExec(int(f.Fd()))
	lg.prefix, lg.name, lg.level, lg.quiet = prefix, name, level, true
	lg.file = f
}

// File returns a new descriptor of the open log file (nil if none) for a
// child process, with the level lines are written at; the caller closes it.
func File() (*os.File, Level) {
	lg := Current()
	lg.mu.Lock()
	defer lg.mu.Unlock()
	if lg.file == nil {
		return nil, lg.level
	}
	// Close-on-exec in the same call: a fork elsewhere must not inherit it.
	fd, err := unix.FcntlInt(lg.file.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, lg.level
	}
	return os.NewFile(uintptr(fd), lg.file.Name()), lg.level
}

// Prefix is the program name lines start with.
func Prefix() string { lg := Current(); lg.mu.Lock(); defer lg.mu.Unlock(); return lg.prefix }

// SetName changes the container name shown in log lines.
func SetName(name string) { lg := Current(); lg.mu.Lock(); lg.name = name; lg.mu.Unlock() }

// SetStderr redirects the stderr appender (tests).
func SetStderr(w io.Writer) {
	lg := Current()
	lg.mu.Lock()
	lg.stderr = w
	lg.refloor()
	lg.mu.Unlock()
}

// CurrentLevel returns the file log level.
func CurrentLevel() Level { lg := Current(); lg.mu.Lock(); defer lg.mu.Unlock(); return lg.level }

// HasFile reports whether a log file is open.
func HasFile() bool { lg := Current(); lg.mu.Lock(); defer lg.mu.Unlock(); return lg.file != nil }

// Close closes the current logger's file.
func Close() { Current().Close() }

// Close closes lg's file; lg keeps its stderr appender.
func (lg *Logger) Close() {
	lg.mu.Lock()
	defer lg.mu.Unlock()
	defer lg.refloor()
	if lg.file != nil {
		lg.file.Close()
		lg.file = nil
	}
}

// logf writes one line; skip counts the frames from fileLine up to the
// line's caller (callers call logf directly, so it is always 3).
func (lg *Logger) logf(l Level, format string, args ...any) {
	if int32(l) < lg.floor.Load() {
		return
	}
	msg := fmt.Sprintf(format, args...)
	lg.mu.Lock()
	defer lg.mu.Unlock()
	if lg.file != nil && l >= lg.level {
		_, _ = lg.file.WriteString(fileLine(lg.prefix, lg.name, l, msg, 3))
	}
	if l >= ERROR && !lg.quiet && lg.stderr != nil {
		fmt.Fprintln(lg.stderr, userLine(lg.prefix, lg.name, msg))
	}
}

// FileErrorf writes an ERROR line to the current log file only: for
// messages the caller already printed on stderr itself (a tool's own
// errors, which LXC also logs).
func FileErrorf(format string, args ...any) { Current().fileErrorf(format, args...) }

// FileErrorf is the package's FileErrorf on lg.
func (lg *Logger) FileErrorf(format string, args ...any) { lg.fileErrorf(format, args...) }

// fileErrorf: its callers call it directly, so the line's caller is 3 up.
func (lg *Logger) fileErrorf(format string, args ...any) {
	lg.mu.Lock()
	defer lg.mu.Unlock()
	if lg.file == nil || ERROR < lg.level {
		return
	}
	_, _ = lg.file.WriteString(fileLine(lg.prefix, lg.name, ERROR, fmt.Sprintf(format, args...), 3))
}

// userLine is what a person sees on stderr: one line, no source noise.
func userLine(prefix, name, msg string) string {
	if name != "" {
		return prefix + ": " + DisplayName(name) + ": " + msg
	}
	return prefix + ": " + msg
}

// fileLine formats one log file line; the category is the package of the
// caller skip frames up (the subsystem, like LXC's per-file categories).
// A message never spans lines: embedded newlines would forge entries.
func fileLine(prefix, name string, l Level, msg string, skip int) string {
	pc, file, line, _ := runtime.Caller(skip)
	fn := "?"
	if f := runtime.FuncForPC(pc); f != nil {
		fn = f.Name()
		if i := strings.LastIndexByte(fn, '/'); i >= 0 {
			fn = fn[i+1:]
		}
		// pkg.(*T).method.func1 -> method.func1: drop package and receiver.
		if i := strings.IndexByte(fn, '.'); i >= 0 {
			fn = fn[i+1:]
		}
		if strings.HasPrefix(fn, "(") {
			if i := strings.Index(fn, ")."); i >= 0 {
				fn = fn[i+2:]
			}
		}
	}
	b := make([]byte, 0, 128+len(msg))
	b = append(b, prefix...)
	if name != "" {
		b = append(b, ' ')
		b = append(b, name...)
	}
	b = append(b, ' ')
	b = time.Now().UTC().AppendFormat(b, "20060102150405.000")
	b = append(b, ' ')
	ls := l.String()
	b = append(b, ls...)
	for i := len(ls); i < 8; i++ {
		b = append(b, ' ')
	}
	b = append(b, ' ')
	b = append(b, filepath.Base(filepath.Dir(file))...)
	b = append(b, " - "...)
	b = append(b, filepath.Base(file)...)
	b = append(b, ':')
	b = append(b, fn...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(line), 10)
	b = append(b, " - "...)
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\n' || c == '\r' {
			c = ' '
		}
		b = append(b, c)
	}
	b = append(b, '\n')
	return string(b)
}

func Tracef(format string, args ...any)  { Current().logf(TRACE, format, args...) }
func Debugf(format string, args ...any)  { Current().logf(DEBUG, format, args...) }
func Infof(format string, args ...any)   { Current().logf(INFO, format, args...) }
func Noticef(format string, args ...any) { Current().logf(NOTICE, format, args...) }
func Warnf(format string, args ...any)   { Current().logf(WARN, format, args...) }
func Errorf(format string, args ...any)  { Current().logf(ERROR, format, args...) }

// The same on one Logger rather than the current one.
func (lg *Logger) Tracef(format string, args ...any) { lg.logf(TRACE, format, args...) }
func (lg *Logger) Debugf(format string, args ...any) { lg.logf(DEBUG, format, args...) }
func (lg *Logger) Errorf(format string, args ...any) { lg.logf(ERROR, format, args...) }

// DefaultFile is LXC's default log file when -l is given without -o:
// /var/log/lxc/NAME.log for root on the default lxcpath, else
// LXCPATH/NAME/NAME.log.
func DefaultFile(lxcpath, defaultLXCPath, name string) string {
	if name == "" {
		return ""
	}
	if os.Geteuid() == 0 && lxcpath == defaultLXCPath {
		return filepath.Join("/var/log/lxc", name+".log")
	}
	return filepath.Join(lxcpath, name, name+".log")
}

// DisplayName is a container name as shown in messages: quoted when it
// holds control characters, so a hostile name cannot split an error line
// or send terminal escapes.
func DisplayName(name string) string {
	for _, r := range name {
		if unicode.IsControl(r) {
			return strconv.Quote(name)
		}
	}
	return name
}
