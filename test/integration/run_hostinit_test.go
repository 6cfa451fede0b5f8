package integration

import (
	"strings"
	"testing"
)

// A system container without lxc.rootfs.path would boot the host's own
// init on the host's root (LXC does; systemd-tmpfiles then empties the
// host's /tmp). golxc refuses with one line and leaves nothing.
func TestStartWithoutRootfsRefusesHostInit(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	writeConfig(t, lp, "hostinit", "lxc.net.0.type = empty")
	r := run(t, nil, "lxc-start", "-P", lp, "-n", "hostinit")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "lxc.rootfs.path is not set") {
		t.Fatalf("%s", r)
	}
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "hostinit", "-s", "-H"), 0, "STOPPED\n", "")
	// An explicit command, or lxc.rootfs.path = /, is the user's choice.
	writeConfig(t, lp, "hostcmd", "lxc.net.0.type = empty")
	expect(t, run(t, nil, "lxc-execute", "-P", lp, "-n", "hostcmd", "--", "true"), 0, "", "")
}
