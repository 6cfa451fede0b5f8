package config

import (
	"regexp"
	"strings"
	"testing"
)

var hwaddrDump = regexp.MustCompile(`(?m)^(lxc\.net\.\d+\.hwaddr)=.*$`)

// FuzzParse: no input may panic; errors are one line; a config that loads
// saves to text that reloads to the same applied values.
func FuzzParse(f *testing.F) {
	for _, s := range []string{busyboxConfig, seedLegacyConfig, "lxc.net.0.type = veth\nlxc.net.0.hwaddr = xx:xx\n",
		"lxc.mount.auto = proc sys cgroup2:ro:force shmounts:/a\n", "lxc.prlimit.nofile = :\nlxc.sysctl.a = 1\nlxc.proc.b = 2\n",
		"lxc.cap.keep = none\nlxc.cap.drop =\n", "lxc.rootfs = /r\nlxc.rootfs.backend = lvm\n"} {
		f.Add([]byte(s))
	}
	SetWarner(func(string) {})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := New()
		if err := c.LoadBytes("fuzz", data); err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err.Error())
			}
			return
		}
		_, _ = c.Spec()
		r := New()
		if err := r.LoadBytes("fuzz", c.Text()); err != nil {
			t.Fatalf("saved text does not reload: %v\ntext: %q", err, c.Text())
		}
		// x placeholders not at a line start are randomised on every load.
		a, b := hwaddrDump.ReplaceAllString(dump(c), "$1"), hwaddrDump.ReplaceAllString(dump(r), "$1")
		if a != b {
			t.Fatalf("reload differs\ninput: %q\nfirst:\n%s\nsecond:\n%s", data, a, b)
		}
		if string(r.Text()) != string(c.Text()) {
			t.Fatalf("text changed on reload: %q -> %q", c.Text(), r.Text())
		}
	})
}
