// Package templates resolves and runs container templates the way
// lxc-create does (§8), and provides a built-in Go busybox template.
package templates

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Template directories searched for lxc-NAME scripts, in order.
const (
	GolxcTemplateDir = "/usr/local/share/golxc/templates"
	LXCTemplateDir   = "/usr/share/lxc/templates"
)

// DefaultDirs is the search order used by lxc-create.
var DefaultDirs = []string{GolxcTemplateDir, LXCTemplateDir}

// BuiltinBusybox is the name of the built-in Go busybox template.
const BuiltinBusybox = "busybox"

// BuiltinDownload is the download template, built in: golxc runs its
// image helper (golxc-image download) instead of LXC's shell script.
const BuiltinDownload = "download"

// NotFoundError is returned by Resolve for a template that cannot be used.
// LXC prints it as two lines: `bad template: X` and `Template "X" not found`.
type NotFoundError struct {
	Name  string
	Tried []string // paths looked at, in order
	Why   string   // extra detail (e.g. "not executable"), may be empty
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("bad template: %s: Template %q not found", e.Name, e.Name)
	if e.Why != "" {
		msg += ": " + e.Why
	}
	if len(e.Tried) > 0 {
		msg += " (looked for " + strings.Join(e.Tried, ", ") + ")"
	}
	return msg
}

// IsNone reports whether t means "no template": "none" or any prefix of it,
// as lxc-create compares with strncmp(t, "none", strlen(t)).
func IsNone(t string) bool {
	return strings.HasPrefix("none", t)
}

// Resolve maps lxc-create's -t argument to what to run.
//
//   - none (or a prefix of it): path == "" and builtin == "": no template.
//   - an absolute path: must be an executable file; returned as path.
//   - a built-in name ("busybox", "download"): builtin is set, and path is
//     the nominal LXC path (/usr/share/lxc/templates/lxc-NAME) for the config header.
//   - otherwise the first executable DIR/lxc-NAME in templateDirs.
//
// Relative paths are not resolved, as in LXC.
func Resolve(t string, templateDirs []string) (path string, builtin string, err error) {
	if IsNone(t) {
		return "", "", nil
	}
	if filepath.IsAbs(t) {
		if why := executableProblem(t); why != "" {
			return "", "", &NotFoundError{Name: t, Why: why}
		}
		return t, "", nil
	}
	if t == BuiltinBusybox || t == BuiltinDownload {
		return filepath.Join(LXCTemplateDir, "lxc-"+t), t, nil
	}
	if strings.Contains(t, "/") {
		return "", "", &NotFoundError{Name: t, Why: "relative template paths are not resolved; give an absolute path or a template name"}
	}
	var tried []string
	for _, dir := range templateDirs {
		p := filepath.Join(dir, "lxc-"+t)
		tried = append(tried, p)
		if executableProblem(p) == "" {
			return p, "", nil
		}
	}
	return "", "", &NotFoundError{Name: t, Tried: tried}
}

// executableProblem returns "" when p is an executable regular file, else
// a short reason.
func executableProblem(p string) string {
	st, err := os.Stat(p)
	if err != nil {
		if os.IsNotExist(err) {
			return "no such file"
		}
		return err.Error()
	}
	if !st.Mode().IsRegular() {
		return "not a regular file"
	}
	if unix.Access(p, unix.X_OK) != nil || st.Mode().Perm()&0o111 == 0 {
		return "not executable"
	}
	return ""
}
