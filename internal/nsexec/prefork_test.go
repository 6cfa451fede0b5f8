//go:build linux && cgo

package nsexec

import (
	"strings"
	"testing"
)

// TestPreforkRecognisesDaemonStarts: the constructor forks only for an
// lxc-start that surely daemonizes. Forking a foreground start would put
// an extra process between the caller and lxc-start; not forking a daemon
// start only costs the second Go process, so anything unclear says no.
func TestPreforkRecognisesDaemonStarts(t *testing.T) {
	for _, c := range []struct {
		args string
		want bool
	}{
		{"-n c1", true},
		{"c1", true},
		{"-d -n c1", true},
		{"--daemon --name=c1", true},
		{"-n c1 -P /tmp/lp -o /tmp/log -l TRACE -p /tmp/pid", true},
		{"-dn c1", true},
		{"-n c1 -s lxc.foo=-F", true}, // -F is -s's value
		{"-n -F", true},               // the container is named -F
		{"-n c1 -o -h", true},         // a log file named -h
		{"-n c1 --logfile -F", true},  // a long option's separate value
		{"-n c1 --dae", true},         // unique prefix of --daemon
		{"-n c1 -- /bin/sh -F", true}, // after --: the command's
		{"-n c1 --share-net=c2 -C", true},
		{"-n c1 -F", false},
		{"-F -n c1", false},
		{"-dF -n c1", false},
		{"c1 -F", false}, // getopt permutes operands
		{"-n c1 --foreground", false},
		{"-n c1 --fore", false}, // unique prefix of --foreground
		{"-n c1 -h", false},
		{"-n c1 -?", false},
		{"--help", false},
		{"--usage", false},
		{"--version", false},
		{"-n c1 --c", false}, // ambiguous: the Go parser explains
		{"-n c1 --bogus", false},
		{"-n c1 -x", false},
		{"-n c1 --daemon=1", false}, // a flag given a value
		{"-n", false},               // missing value
		{"-n c1 --pidfile", false},
	} {
		if got := wantsDaemonStart(strings.Fields(c.args)); got != c.want {
			t.Errorf("lxc-start %s: fork = %v, want %v", c.args, got, c.want)
		}
	}
}
