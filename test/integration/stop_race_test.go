package integration

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// An `lxc-stop -k` that saw the container running but lost the race to
// another stop finds it not running and exits 2, like LXC, never 1. The
// race is forced with strace: its second connect to the command socket
// (the kill, after the Running() check) is held for 3 s while another
// lxc-stop -k stops the container.
func TestStopKillRace(t *testing.T) {
	needRoot(t)
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is needed to hold lxc-stop inside the race window")
	}
	lp := cleanLxcpath(t)
	const name = "stop-race1"
	busybox(t, lp, name)
	type ran struct {
		r   result
		err error
	}
	// The plain stop must win for the race to be exercised; if the held
	// one got through first (a slow machine), try again.
	for try := 0; try < 5; try++ {
		startRunning(t, lp, name)
		late := make(chan ran, 1)
		go func() {
			r, err := execBounded(60*time.Second, nil, strace, "-f", "-qq", "-o", "/dev/null",
				"-e", "trace=connect", "-e", "inject=connect:delay_enter=3000000:when=2",
				filepath.Join(binDir, "lxc-stop"), "-P", lp, "-n", name, "-k")
			late <- ran{r, err}
		}()
		time.Sleep(500 * time.Millisecond) // lets the held stop pass its Running() check
		plain, err := execBounded(60*time.Second, nil, filepath.Join(binDir, "lxc-stop"), "-P", lp, "-n", name, "-k")
		l := <-late
		if err != nil || l.err != nil {
			t.Fatal(err, l.err)
		}
		if plain.code != 0 {
			t.Logf("try %d: the held lxc-stop won (plain: %s; held: %s)", try, plain, l.r)
			continue
		}
		expect(t, l.r, 2, "", "lxc-stop: "+name+" is not running\n")
		assertClean(t, lp, name)
		return
	}
	t.Skip("the held lxc-stop always won the race: the window was not exercised")
}
