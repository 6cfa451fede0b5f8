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
	"time"
	"unicode"
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

// ParseLevel accepts a level name in any case, or its number 0-8.
func ParseLevel(s string) (Level, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	for i, n := range levelNames[:NOTSET] {
		if u == n || u == fmt.Sprint(i) {
			return Level(i), nil
		}
	}
	return NOTSET, fmt.Errorf("invalid log priority %q: use one of TRACE DEBUG INFO NOTICE WARN ERROR CRIT ALERT FATAL", s)
}

// Logger is the process-wide logger. Tools are short-lived processes, so a
// single global one (as in LXC) keeps call sites simple.
type Logger struct {
	mu     sync.Mutex
	prefix string // program name, e.g. "lxc-start"
	name   string // container name, may be empty
	file   io.WriteCloser
	level  Level
	quiet  bool
	stderr io.Writer
}

var std = &Logger{prefix: "lxc", level: ERROR, stderr: os.Stderr}

// Setup configures the global logger. file "" or "none" disables the file.
func Setup(prefix, name, file string, level Level, quiet bool) error {
	std.mu.Lock()
	defer std.mu.Unlock()
	std.prefix, std.name, std.level, std.quiet = prefix, name, level, quiet
	if std.file != nil {
		std.file.Close()
		std.file = nil
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
	std.file = f
	return nil
}

// SetName changes the container name shown in log lines.
func SetName(name string) { std.mu.Lock(); std.name = name; std.mu.Unlock() }

// SetStderr redirects the stderr appender (tests).
func SetStderr(w io.Writer) { std.mu.Lock(); std.stderr = w; std.mu.Unlock() }

// CurrentLevel returns the file log level.
func CurrentLevel() Level { std.mu.Lock(); defer std.mu.Unlock(); return std.level }

// HasFile reports whether a log file is open.
func HasFile() bool { std.mu.Lock(); defer std.mu.Unlock(); return std.file != nil }

// Close closes the log file.
func Close() { _ = Setup(std.prefix, std.name, "", std.level, std.quiet) }

func logf(l Level, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	std.mu.Lock()
	defer std.mu.Unlock()
	if std.file != nil && l >= std.level {
		fmt.Fprint(std.file, fileLine(std.prefix, std.name, l, msg, 3))
	}
	if l >= ERROR && !std.quiet && std.stderr != nil {
		fmt.Fprintln(std.stderr, userLine(std.prefix, std.name, msg))
	}
}

// userLine is what a person sees on stderr: one line, no source noise.
func userLine(prefix, name, msg string) string {
	if name != "" {
		return prefix + ": " + DisplayName(name) + ": " + msg
	}
	return prefix + ": " + msg
}

func fileLine(prefix, name string, l Level, msg string, skip int) string {
	pc, file, line, _ := runtime.Caller(skip)
	fn := "?"
	if f := runtime.FuncForPC(pc); f != nil {
		fn = f.Name()
		if i := strings.LastIndexByte(fn, '.'); i >= 0 {
			fn = fn[i+1:]
		}
	}
	category := filepath.Base(filepath.Dir(file))
	head := prefix
	if name != "" {
		head += " " + name
	}
	ts := time.Now().UTC().Format("20060102150405.000")
	return fmt.Sprintf("%s %s %-8s %s - %s:%s:%d - %s\n", head, ts, l, category, filepath.Base(file), fn, line, msg)
}

func Tracef(format string, args ...any)  { logf(TRACE, format, args...) }
func Debugf(format string, args ...any)  { logf(DEBUG, format, args...) }
func Infof(format string, args ...any)   { logf(INFO, format, args...) }
func Noticef(format string, args ...any) { logf(NOTICE, format, args...) }
func Warnf(format string, args ...any)   { logf(WARN, format, args...) }
func Errorf(format string, args ...any)  { logf(ERROR, format, args...) }

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
