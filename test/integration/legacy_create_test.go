package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A default.conf written in LXC 1.x spelling must not spread: lxc-create
// writes the container's config with LXC 5 names only, LXC 5.0.2 accepts
// it, and golxc's later commands on it print no legacy-key warnings.
func TestCreateFromLegacyDefaultConfWritesLXC5Keys(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	tdir := t.TempDir()
	def := filepath.Join(tdir, "default.conf")
	os.WriteFile(def, []byte("lxc.network.type = veth\nlxc.network.link = lxcbr0\nlxc.network.flags = up\n"+
		"lxc.network.hwaddr = 00:16:3e:xx:xx:xx\nlxc.id_map = u 0 100000 65536\nlxc.id_map = g 0 100000 65536\n"+
		"lxc.utsname = legacy\nlxc.tty = 2\n"), 0o644)
	global := filepath.Join(tdir, "lxc.conf")
	os.WriteFile(global, []byte("lxc.default_config = "+def+"\n"), 0o644)
	env := []string{"GOLXC_GLOBAL_CONF=" + global}

	r := run(t, env, "lxc-create", "-P", lp, "-n", "misc-legacy", "-t", "none")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	if !strings.Contains(r.stderr, "lxc.network.type") {
		t.Errorf("create should warn about the legacy default.conf it reads: %s", r)
	}
	data, err := os.ReadFile(filepath.Join(lp, "misc-legacy", "config"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if old := regexp.MustCompile(`(?m)^lxc\.(network|id_map|utsname|tty) `).FindAllString(text, -1); len(old) > 0 {
		t.Errorf("LXC 1.x keys copied into the new config %v:\n%s", old, text)
	}
	for _, want := range []string{"lxc.net.0.type = veth", "lxc.net.0.link = lxcbr0", "lxc.net.0.flags = up",
		"lxc.idmap = u 0 100000 65536", "lxc.uts.name = legacy", "lxc.tty.max = 2"} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("config lacks %q:\n%s", want, text)
		}
	}
	expect(t, run(t, env, "lxc-info", "-P", lp, "-n", "misc-legacy", "-c", "lxc.uts.name"), 0, "lxc.uts.name = legacy\n", "")
	expect(t, run(t, env, "lxc-ls", "-P", lp, "-1"), 0, "misc-legacy\n", "")

	if _, err := os.Stat("/usr/bin/lxc-info"); err == nil {
		// LXC 5.0.2 rejects every LXC 1.x key: it must load the config.
		expect(t, runPath(t, nil, "/usr/bin/lxc-info", "-P", lp, "-n", "misc-legacy", "-c", "lxc.net.0.link"), 0, "lxc.net.0.link = lxcbr0\n", "")
	} else {
		t.Log("LXC is not installed: differential check skipped")
	}
	expect(t, run(t, env, "lxc-destroy", "-P", lp, "-n", "misc-legacy"), 0, "", "")
}
