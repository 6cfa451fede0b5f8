package integration

import (
	"testing"
)

func TestConsole(t *testing.T) {
	const name = "gcon1"
	lp := attachContainer(t, name)
	t.Run("getty", func(t *testing.T) {
		p := startPTY(t, "lxc-console", "-P", lp, "-n", name, "-t", "1")
		p.waitFor("Connected to tty 1\r\nType <Ctrl+a q> to exit the console, <Ctrl+a Ctrl+a> to enter Ctrl+a itself")
		p.waitForPoking(name+" login:", "\r")
		// Typing reaches getty: it echoes what we type at the prompt.
		p.write("golxc-typed")
		p.waitFor("golxc-typed")
		p.write("\x01q")
		if code := p.wait(); code != 0 {
			t.Fatalf("exit %d after Ctrl-a q: %q", code, p.output())
		}
	})
	t.Run("escape", func(t *testing.T) {
		// No getty runs on tty 2: the session must stay up all the same
		// (the monitor holds the tty open, as LXC's does), and the line
		// discipline echoes what we type.
		// Something in the container opened and closed tty 2 before we
		// attach: with no slave left open the master would read EIO.
		mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "/bin/sh", "-c", "echo > /dev/tty2")
		p := startPTY(t, "lxc-console", "-P", lp, "-n", name, "-t", "2", "-e", "^b")
		p.waitFor("Type <Ctrl+b q> to exit the console")
		p.waitRaw()
		p.write("echoed-by-tty2")
		p.waitFor("echoed-by-tty2")
		p.write("\x02q")
		if code := p.wait(); code != 0 {
			t.Fatalf("exit %d after Ctrl-b q: %q", code, p.output())
		}
	})
	t.Run("not-running", func(t *testing.T) {
		expect(t, run(t, nil, "lxc-console", "-P", lp, "-n", "nosuch"), 1, "", "lxc-console: nosuch: nosuch is not running\n")
	})
	t.Run("devnull-stdin", func(t *testing.T) {
		// LXC's epoll refuses /dev/null on stdin; so do we.
		r := run(t, nil, "lxc-console", "-P", lp, "-n", name, "-t", "1")
		if r.code != 1 {
			t.Fatalf("%s", r)
		}
	})
}
