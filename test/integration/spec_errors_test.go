package integration

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestSpecValueErrorsAtStart: values LXC 5.0.2 accepts when loading a
// config but cannot use stay readable (lxc-info -c, as with LXC), and the
// start fails with one line naming the key, the value (for a mount entry
// the config file and line) and what to write instead.
func TestSpecValueErrorsAtStart(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	for _, c := range []struct {
		name  string
		lines []string
		key   string
		want  string
	}{
		{"spc-badent", []string{"lxc.mount.entry = tmpfs only-two"}, "lxc.mount.entry",
			`lxc.mount.entry: invalid value "tmpfs only-two"; expected "SOURCE TARGET TYPE [OPTIONS [FREQ [PASSNO]]]" as in fstab(5)`},
		{"spc-badmac", []string{"lxc.net.0.type = veth", "lxc.net.0.hwaddr = 01:00:5e:00:00:01"}, "lxc.net.0.hwaddr",
			`lxc.net.0.hwaddr: invalid value "01:00:5e:00:00:01"; a multicast address cannot be an interface address: make the first byte even (e.g. 00:16:3e:xx:xx:xx)`},
		{"spf-badmtu", []string{"lxc.net.0.type = veth", "lxc.net.0.mtu = abc"}, "lxc.net.0.mtu",
			`lxc.net.0.mtu: invalid value "abc"; expected the MTU in bytes, a number such as 1500`},
		{"spc-badv6", []string{"lxc.net.0.type = veth", "lxc.net.0.ipv6.address = fd00::9/200"}, "lxc.net.0.ipv6.address",
			`lxc.net.0.ipv6.address: invalid value "fd00::9/200"; an IPv6 prefix is at most 128 bits`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := busybox(t, lp, c.name, c.lines...)
			value := strings.TrimSpace(strings.SplitN(c.lines[len(c.lines)-1], "=", 2)[1])
			// lxc.mount.entry lists every entry, the template's first.
			if r := run(t, nil, "lxc-info", "-P", lp, "-n", c.name, "-c", c.key); r.code != 0 || r.stderr != "" ||
				!strings.HasPrefix(r.stdout, c.key+" = ") || !strings.Contains(r.stdout, value+"\n") {
				t.Fatalf("lxc-info -c %s: %s", c.key, r)
			}
			want := c.want
			if c.key == "lxc.mount.entry" {
				want = cfg + ":" + strconv.Itoa(lineOf(t, cfg, c.lines[0])) + ": " + want
			}
			failedStart(t, lp, c.name, "lxc-start: "+c.name+": "+want+"\n")
		})
	}
}

// lineOf is the 1-based number of the first line of file equal to line.
func lineOf(t *testing.T, file, line string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if l == line {
			return i + 1
		}
	}
	t.Fatalf("%s has no line %q", file, line)
	return 0
}
