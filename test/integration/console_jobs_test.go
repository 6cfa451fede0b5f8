package integration

import (
	"strings"
	"testing"
)

// terminalProbe, run inside a container, tells where its console and first
// two ttys come from (the host's devpts, or the container's own as pts/N)
// and whether PID 1 has a controlling terminal (tty_nr, field 7 of stat).
const terminalProbe = `pts=$(stat -c %d /dev/pts)
for f in /dev/console /dev/tty1 /dev/tty2; do
	set -- $(stat -L -c '%t %T %d' $f)
	if [ "$3" = "$pts" ]; then echo "$f major=$((0x$1)) container pts/$((0x$2))"; else echo "$f major=$((0x$1)) host"; fi
done
set -- $(cat /proc/1/stat)
echo "init tty_nr=$7"`

// wantTerminals is what LXC 5.0.2 shows: the console is a pty of the
// host's devpts, the ttys come from the container's own devpts (tty1 is
// pts/0), and PID 1 has no controlling terminal.
const wantTerminals = `/dev/console major=136 host
/dev/tty1 major=136 container pts/0
/dev/tty2 major=136 container pts/1
init tty_nr=0
`

func TestConsoleTerminalLayout(t *testing.T) {
	needRoot(t)
	const name = "con-lay1"
	lp := attachContainer(t, name, "lxc.tty.max = 2")
	r := mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "sh", "-c", terminalProbe)
	if r.stdout != wantTerminals {
		t.Errorf("golxc's terminals:\n%s\nwant (LXC's):\n%s", r.stdout, wantTerminals)
	}
	t.Run("lxc", func(t *testing.T) {
		lxcTool(t, "lxc-attach")
		llp := cleanLxcpath(t)
		const lname = "con-lay2"
		lxcStarted(t, llp, lname)
		theirs := lxcOut(t, "lxc-attach", "-P", llp, "-n", lname, "--", "sh", "-c", terminalProbe)
		if theirs != wantTerminals {
			t.Errorf("LXC's terminals:\n%s\nthe test expects:\n%s", theirs, wantTerminals)
		}
	})
}

// TestConsoleJobControl: the shell busybox's init starts on the console
// gets it as its controlling terminal (PID 1 leaves it free), so job
// control works and Ctrl-C interrupts the foreground command.
func TestConsoleJobControl(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	t.Run("start-F", func(t *testing.T) {
		const name = "con-job1"
		busybox(t, lp, name)
		p := startPTY(t, "lxc-start", "-P", lp, "-n", name, "-F")
		// Stop before startPTY's cleanup kills the foreground monitor
		// (which would leave its cgroups behind) when a check fails.
		t.Cleanup(func() { run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k") })
		checkJobControl(t, p, lp, name)
		mustRun(t, "lxc-stop", "-P", lp, "-n", name, "-k")
		if code := p.wait(); code != 0 {
			t.Errorf("lxc-start -F exit %d", code)
		}
	})
	t.Run("console-t0", func(t *testing.T) {
		const name = "con-job2"
		busybox(t, lp, name)
		startRunning(t, lp, name)
		p := startPTY(t, "lxc-console", "-P", lp, "-n", name, "-t", "0")
		p.waitFor("Type <Ctrl+a q> to exit the console")
		checkJobControl(t, p, lp, name)
		p.write("\x01q")
		if code := p.wait(); code != 0 {
			t.Errorf("exit %d after Ctrl-a q: %q", code, p.output())
		}
	})
}

// checkJobControl activates the console shell (askfirst), runs sleep 100
// in it, interrupts it with Ctrl-C and sees the shell answer again.
func checkJobControl(t *testing.T, p *ptyRun, lp, name string) {
	t.Helper()
	p.waitRaw()
	p.waitForPoking("Enter 'help' for a list of built-in commands.", "\r")
	p.waitFor(" # ")
	if out := p.output(); strings.Contains(out, "job control turned off") {
		t.Fatalf("the console shell has no job control: %q", out)
	}
	sleeping := func() bool {
		return run(t, nil, "lxc-attach", "-P", lp, "-n", name, "--", "pidof", "sleep").code == 0
	}
	p.write("sleep 100\r")
	eventually(t, "sleep 100 to run in the console shell", sleeping)
	p.write("\x03")
	eventually(t, "Ctrl-C to end sleep 100", func() bool { return !sleeping() })
	p.write("echo after-$((6*7))\r")
	p.waitFor("after-42")
}
