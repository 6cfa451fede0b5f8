package main

import (
	"path/filepath"
	"testing"
)

// TestAttachTerminalStreamsSameAsLXC: LXC_ATTACH_TERMINAL gives the pty
// only to the std streams that are terminals (a pipe or a file stays
// what it was), and with none of them a terminal the attached process
// still gets the pty as controlling terminal and is hung up (SIGHUP) once
// the pty's other end closes, under golxc's library as under LXC's.
func TestAttachTerminalStreamsSameAsLXC(t *testing.T) {
	needRoot(t)
	needHeaders(t)
	dir := built(t)
	bin := filepath.Join(t.TempDir(), "terminal_streams")
	gcc(t, bin, "testdata/terminal_streams.c", "-L"+dir, "-llxc")
	name := "capi-ttystreams"
	run := programRun(t, dir, []string{name}, func(lxcpath string) []string {
		return []string{bin, name, lxcpath, t.TempDir()}
	})
	fromGolxc := run(libEnv(dir))
	want := `createl: 1
start: 1
wait RUNNING: 1
no tty: signal 1
no tty out: 
stdin tty: exit 0
stdin tty out: /dev/pts/X|in-tty|out-no-tty|
stdin tty err: err-no-tty|
stop: 1
destroy: 1
`
	if fromGolxc != want {
		t.Errorf("got:\n%s\nwant:\n%s", fromGolxc, want)
	}
	sameAsLXC(t, fromGolxc, run, name)
}
