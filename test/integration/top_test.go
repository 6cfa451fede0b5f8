package integration

import (
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// topScreens splits lxc-top's interactive output into screens (each
// starts by clearing the terminal).
func topScreens(out string) []string {
	var s []string
	for _, part := range strings.Split(out, "\x1b[H\x1b[J")[1:] {
		s = append(s, part)
	}
	return s
}

// digitsMasked hides the numbers, which move between two samples.
var digits = regexp.MustCompile(`[0-9]+`)

func digitsMasked(s string) string { return digits.ReplaceAllString(s, "9") }

// screenShape is a screen with each line cut to its name column and its
// fields with numbers and units masked: the values move between two
// samples (a size may change units and overflow its column), the columns
// and their order do not.
func screenShape(s string) []string {
	units := regexp.MustCompile(`[0-9]+(\.[0-9]+)? (KiB|MiB|GiB)|[0-9]+\.[0-9]+`)
	var out []string
	for _, l := range strings.Split(s, "\r\n") {
		out = append(out, fmt.Sprintf("%.19s|%s", l, strings.Join(strings.Fields(units.ReplaceAllString(l, "N")), " ")))
	}
	return out
}

// TestTopMatchesLXC: lxc-top draws the same screen as LXC 5.0.2's (heading
// in reverse video, columns, humanized sizes, the TOTAL line), quits on q
// with status 0, and its batch mode prints the same CSV.
func TestTopMatchesLXC(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "top-one")
	busybox(t, lp, "top-two")
	startRunning(t, lp, "top-one")
	startRunning(t, lp, "top-two")

	screen := func(p *ptyRun) string {
		t.Helper()
		p.waitFor("TOTAL 2 of 2")
		p.write("q")
		if code := p.wait(); code != 0 {
			t.Fatalf("exit %d after q; output %q", code, p.output())
		}
		return topScreens(p.output())[0]
	}
	got := screen(startPTY(t, "lxc-top", "-P", lp, "-d", "1"))
	for _, want := range []string{"\x1b[7m\x1b[1mContainer ", "\r\n\x1b[0mtop-one ", "\r\ntop-two ", "\r\nTOTAL 2 of 2 "} {
		if !strings.Contains(got, want) {
			t.Errorf("screen lacks %q:\n%q", want, got)
		}
	}
	if !regexp.MustCompile(`top-one {12} +[0-9]+\.[0-9]{2} +[0-9]+\.[0-9]{2} +[0-9]+\.[0-9]{2} +.*\(.*/.*\) +[0-9]+\.[0-9]{2} (KiB|MiB)`).MatchString(got) {
		t.Errorf("row format: %q", got)
	}
	lxcTop := "/usr/bin/lxc-top"
	if lxcTool(t, "lxc-top") != "" {
		want := screen(startPTYPath(t, "", lxcTop, "-P", lp, "-d", "1"))
		if g, w := screenShape(got), screenShape(want); strings.Join(g, "\n") != strings.Join(w, "\n") {
			t.Errorf("screens differ beyond the numbers:\ngolxc %q\nLXC   %q", got, want)
		}
	}

	batch := func(p *ptyRun) []string {
		t.Helper()
		p.waitFor(",top-two,")
		time.Sleep(100 * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGINT)
		if code := p.wait(); code != 0 {
			t.Fatalf("batch mode: exit %d after SIGINT", code)
		}
		return strings.Split(strings.TrimSpace(p.output()), "\r\n")[:3]
	}
	gb := batch(startPTY(t, "lxc-top", "-P", lp, "-b", "-d", "1"))
	if gb[0] != "time_ms,container,cpu_nanos,cpu_sys_userhz,cpu_user_userhz,blkio_bytes,blkio_iops,mem_used_bytes,memsw_used_bytes,kernel_mem_used_bytes" ||
		!regexp.MustCompile(`^[0-9]{13},top-one(,[0-9]+){8}$`).MatchString(gb[1]) {
		t.Errorf("batch output: %q", gb)
	}
	lb := batch(startPTYPath(t, "", lxcTop, "-P", lp, "-b", "-d", "1"))
	if digitsMasked(strings.Join(gb, "\n")) != digitsMasked(strings.Join(lb, "\n")) {
		t.Errorf("batch output differs beyond the numbers:\ngolxc %q\nLXC   %q", gb, lb)
	}
}

// TestTopNeedsTerminal: as LXC's, lxc-top wants a terminal on stdin even in
// batch mode.
func TestTopNeedsTerminal(t *testing.T) {
	r := run(t, nil, "lxc-top", "-b")
	expect(t, r, 1, "", "stdin is not a tty\nFailed to setup terminal\n")
}
