package log

import (
	"errors"
	"fmt"
	"sync"

	"github.com/golxc/golxc/internal/buildinfo"
)

// Source says where a log file choice came from, which decides what a
// file that cannot be opened means.
type Source int

const (
	NoFile      Source = iota // no file: stderr only
	CommandLine               // -o: cannot open it, fail (LXC exits 1)
	ConfigFile                // lxc.log.file: warn and go on
	DefaultPath               // LXC's default file for -l: ignored if it cannot be opened
)

// Choice is a log file and the level lines reach it at.
type Choice struct {
	File   string
	Level  Level
	Source Source
}

// Choose is LXC's log choice for a tool or monitor: -o (cmdFile) at -l's
// level (cmdLevel, else ERROR) and lxc.log.* ignored; without -o,
// lxc.log.file (cfgFile, "" before the config is read), else defaultFile
// when -l is given, at lxc.log.level (cfgLevel) when valid, else -l's.
func Choose(cmdFile, cmdLevel, cfgFile, cfgLevel, defaultFile string) Choice {
	level := ERROR
	if cmdLevel != "" {
		level = CommandLineLevel(cmdLevel)
	}
	if cmdFile != "" {
		return Choice{cmdFile, level, CommandLine}
	}
	if lv, err := ParseLevel(cfgLevel); err == nil && cfgLevel != "" {
		level = lv
	}
	switch {
	case cfgFile != "":
		return Choice{cfgFile, level, ConfigFile}
	case cmdLevel != "" && defaultFile != "":
		return Choice{defaultFile, level, DefaultPath}
	}
	return Choice{"", level, NoFile}
}

// Apply opens the chosen file for prefix and name. A -o file that cannot
// be opened is an error, one line naming it and what to do; the default
// file is then silently dropped and lxc.log.file only warned about, as
// LXC does.
func (c Choice) Apply(prefix, name string, quiet bool) error {
	err := Setup(prefix, name, c.File, c.Level, quiet)
	if err == nil {
		if c.File != "" {
			banner(c.File)
		}
		return nil
	}
	switch c.Source {
	case CommandLine:
		cause := errors.Unwrap(err)
		if cause == nil {
			cause = err
		}
		return fmt.Errorf("cannot open the log file %s (-o): %w; give -o a file that can be created and written, or leave -o out", c.File, cause)
	case ConfigFile:
		Warnf("lxc.log.file: %v", err)
		return nil
	}
	return Setup(prefix, name, "", c.Level, quiet)
}

var (
	bannerMu   sync.Mutex
	bannerFile string // the file this process last named itself in
)

// banner writes, at INFO, which implementation and build writes the lines
// that follow: the first line a process logs to a file it opened. A log
// file is shared by every tool run on a container, and LXC's lines do not
// say who wrote them. Once per file per process (a preforked lxc-start
// that became the monitor reopens the same file).
func banner(file string) {
	bannerMu.Lock()
	defer bannerMu.Unlock()
	if file == bannerFile {
		return
	}
	bannerFile = file
	Infof("%s", buildinfo.String())
}
