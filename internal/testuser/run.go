package testuser

import (
	"bytes"
	"errors"
	"os/exec"
	"syscall"
	"testing"
)

// Result is what a finished command gave: its exit code and output.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Run runs cmd (its directory, environment and credentials set by the
// caller, e.g. u.Cred()) and collects its exit code and output; a
// command that could not be run at all fails the test.
func Run(t testing.TB, cmd *exec.Cmd) Result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return Result{code, out.String(), errb.String()}
}

// Cred is the process attribute that runs a command as u: u's uid and
// primary group, no supplementary groups (not root's).
func (u User) Cred() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: u.UID, Gid: u.GID, Groups: []uint32{}}}
}
