// Package selfexe decides which golxc binary runs golxc's helper
// processes: the daemonized container monitor and every namespace stage
// (container init, attach). golxc itself runs its own image again
// (/proc/self/exe). Any other program that uses package lxc — a Go
// program, later the C library loaded by Python — must not: re-executing
// a foreign program runs its main() again, which starts another monitor,
// and so on. Such a host runs the installed golxc binary instead.
package selfexe

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
)

// EnvBinary names the golxc binary a non-golxc program runs for its
// helper processes.
const EnvBinary = "GOLXC_BINARY"

// SelfPath is what a golxc process runs again: its own image.
const SelfPath = "/proc/self/exe"

// Name is the multi-call binary's file name looked up in directories.
const Name = "golxc"

// ErrNotFound: no golxc binary was found for a non-golxc host.
var ErrNotFound = errors.New("golxc binary not found: install golxc (make install) or set " + EnvBinary + " to its path")

// buildBinDir is the directory golxc is installed into, when the build
// knows it (-ldflags "-X github.com/golxc/golxc/internal/selfexe.buildBinDir=/usr/local/bin");
// a library built next to the tools finds them there first.
var buildBinDir string

// wellKnown are the places packages and make install put golxc.
var wellKnown = []string{"/usr/local/bin/golxc", "/usr/bin/golxc", "/usr/lib/golxc/golxc"}

// isMain is set once, at the top of main, by a program that serves
// golxc's helper entry points itself (cmd/golxc, the test binaries that
// register their own stages). It identifies the program; it is not
// guessed from argv[0] or the file name.
var isMain atomic.Bool

// override is the path given to SetBinary ("" = none).
var override atomic.Pointer[string]

// MarkMain declares that the running program is golxc: it handles the
// monitor and stage entry points first thing in main
// (spawn.RunStageIfRequested, monitor.RunDaemonIfRequested), so helpers
// run its own image. Call it before those.
func MarkMain() { isMain.Store(true) }

// IsMain reports whether the running program is golxc (MarkMain).
func IsMain() bool { return isMain.Load() }

// SetBinary makes a non-golxc program run path as its golxc binary; ""
// goes back to the lookup. It fails when path is not an executable
// regular file (given as an absolute path).
func SetBinary(path string) error {
	if path == "" {
		override.Store(nil)
		return nil
	}
	if err := usable(path); err != nil {
		return fmt.Errorf("golxc binary %q: %w", path, err)
	}
	override.Store(&path)
	return nil
}

// Binary is the golxc image helper processes run.
type Binary struct {
	Path string // absolute path; SelfPath when Self
	Self bool   // the running program is golxc: /proc/self/exe
}

// Inputs are everything the choice depends on.
type Inputs struct {
	IsMain    bool     // the running program is golxc
	Override  string   // SetBinary's path
	Env       string   // $GOLXC_BINARY
	BuildDir  string   // install directory known at build time
	PATH      string   // $PATH
	WellKnown []string // last resort, in order
}

// Current gathers the running process's inputs.
func Current() Inputs {
	in := Inputs{IsMain: IsMain(), Env: os.Getenv(EnvBinary), BuildDir: buildBinDir,
		PATH: os.Getenv("PATH"), WellKnown: wellKnown}
	if p := override.Load(); p != nil {
		in.Override = *p
	}
	return in
}

// Find returns the golxc binary to run for a helper process.
func Find() (Binary, error) {
	b, err := Decide(Current())
	switch {
	case err != nil:
		log.Debugf("No golxc binary for the monitor and stages: %v", err)
	case b.Self:
		log.Tracef("Using this golxc's own image (%s) for the monitor and stages", b.Path)
	default:
		log.Debugf("Using the golxc binary %q for the monitor and stages", b.Path)
	}
	return b, err
}

// Decide picks the binary. golxc runs itself. Otherwise, in order: the
// SetBinary path, $GOLXC_BINARY (both must be usable: a wrong explicit
// choice is an error, not a reason to run something else), golxc in the
// build-time install directory, in $PATH (absolute entries only, so a
// "." entry cannot pick up a file from the caller's working directory),
// then the well-known paths. It only looks at the candidate files.
func Decide(in Inputs) (Binary, error) {
	if in.IsMain {
		return Binary{Path: SelfPath, Self: true}, nil
	}
	if in.Override != "" {
		if err := usable(in.Override); err != nil {
			return Binary{}, fmt.Errorf("golxc binary %q (set by the program): %w", in.Override, err)
		}
		return Binary{Path: in.Override}, nil
	}
	if in.Env != "" {
		if err := usable(in.Env); err != nil {
			return Binary{}, fmt.Errorf("%s=%s: %w: point it to the golxc binary or unset it", EnvBinary, in.Env, err)
		}
		return Binary{Path: in.Env}, nil
	}
	var candidates []string
	if in.BuildDir != "" {
		candidates = append(candidates, filepath.Join(in.BuildDir, Name))
	}
	for _, dir := range filepath.SplitList(in.PATH) {
		if filepath.IsAbs(dir) {
			candidates = append(candidates, filepath.Join(dir, Name))
		}
	}
	candidates = append(candidates, in.WellKnown...)
	for _, c := range candidates {
		if usable(c) == nil {
			return Binary{Path: c}, nil
		}
	}
	return Binary{}, ErrNotFound
}

// usable checks that p is an absolute path to an executable regular file
// (after symlinks).
func usable(p string) error {
	if !filepath.IsAbs(p) {
		return errors.New("not an absolute path")
	}
	if strings.HasSuffix(p, "/") {
		return errors.New("not a file")
	}
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	if err := unix.Access(p, unix.X_OK); err != nil {
		return fmt.Errorf("not executable: %w", err)
	}
	return nil
}
