package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// threeContainers defines stopped containers of different name lengths,
// groups and autostart values.
func threeContainers(t *testing.T) string {
	lp := lxcpath(t)
	writeConfig(t, lp, "a", "lxc.uts.name = a", "lxc.rootfs.path = dir:"+lp+"/a/rootfs")
	writeConfig(t, lp, "web-01", "lxc.start.auto = 1", "lxc.group = web", "lxc.group = onboot")
	writeConfig(t, lp, "db", "lxc.group = db web", "lxc.idmap = u 0 100000 65536", "lxc.idmap = g 0 100000 65536")
	os.MkdirAll(filepath.Join(lp, "noconfig"), 0o755)
	os.MkdirAll(filepath.Join(lp, ".hidden"), 0o755)
	writeConfig(t, lp, ".hidden", "lxc.uts.name = h")
	return lp
}

func TestLsEmptyAndMissingLXCPath(t *testing.T) {
	expect(t, run(t, nil, "lxc-ls", "-P", "/nonexistent/golxc"), 0, "", "")
	expect(t, run(t, nil, "lxc-ls", "-f", "-P", lxcpath(t)), 0, "", "")
}

func TestLsPlainPadsWhenNotATerminal(t *testing.T) {
	lp := threeContainers(t)
	expect(t, run(t, nil, "lxc-ls", "-P", lp), 0, "a     \ndb    \nweb-01\n", "")
	expect(t, run(t, nil, "lxc-ls", "-1", "-P", lp), 0, "a\ndb\nweb-01\n", "")
}

func TestLsFancy(t *testing.T) {
	lp := threeContainers(t)
	want := "" +
		"NAME   STATE   AUTOSTART GROUPS      IPV4 IPV6 UNPRIVILEGED \n" +
		"a      STOPPED 0         -           -    -    false        \n" +
		"db     STOPPED 0         db, web     -    -    true         \n" +
		"web-01 STOPPED 1         web, onboot -    -    false        \n"
	expect(t, run(t, nil, "lxc-ls", "--fancy", "-P", lp), 0, want, "")
	want = "NAME   STATE   PID RAM    SWAP   \n" +
		"a      STOPPED -   -      -      \n" +
		"db     STOPPED -   -      -      \n" +
		"web-01 STOPPED -   -      -      \n"
	expect(t, run(t, nil, "lxc-ls", "-f", "-F", "name,STATE,PID,RAM,SWAP", "-P", lp), 0, want, "")
	expect(t, run(t, nil, "lxc-ls", "-f", "-F", "NAME,BOGUS", "-P", lp), 0, "", "Invalid key: BOGUS\n")
	// -F without -f is ignored, like LXC.
	expect(t, run(t, nil, "lxc-ls", "-F", "NAME", "-1", "-P", lp), 0, "a\ndb\nweb-01\n", "")
}

func TestLsFilters(t *testing.T) {
	lp := threeContainers(t)
	expect(t, run(t, nil, "lxc-ls", "-1", "--stopped", "-P", lp), 0, "a\ndb\nweb-01\n", "")
	expect(t, run(t, nil, "lxc-ls", "-1", "--running", "-P", lp), 0, "", "")
	expect(t, run(t, nil, "lxc-ls", "-1", "-P", lp, "^w"), 0, "web-01\n", "")
	expect(t, run(t, nil, "lxc-ls", "-1", "--filter", "b", "-P", lp), 0, "db\nweb-01\n", "")
	expect(t, run(t, nil, "lxc-ls", "-1", "-g", "web", "-P", lp), 0, "db\nweb-01\n", "")
	expect(t, run(t, nil, "lxc-ls", "-1", "-g", "web,onboot", "-P", lp), 0, "web-01\n", "")
	expect(t, run(t, nil, "lxc-ls", "-1", "-P", lp, "("), 0, "", "")
}

func TestInfoStoppedAndConfigKeys(t *testing.T) {
	lp := threeContainers(t)
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "a"), 0, "Name:           a\nState:          STOPPED\n", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "a", "-s"), 0, "State:          STOPPED\n", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "a", "-s", "-H"), 0, "STOPPED\n", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "a", "-p"), 0, "", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "a", "-c", "lxc.rootfs.path", "-H"), 0, lp+"/a/rootfs\n", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "a", "-c", "lxc.rootfs.path", "-c", "lxc.uts.name"), 0,
		"lxc.rootfs.path = "+lp+"/a/rootfs\nlxc.uts.name = a\n", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "a", "-c", "lxc.bogus"), 0, "", "lxc.bogus invalid\n")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "a", "-c", "lxc.arch"), 0, "lxc.arch =\n", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "nosuch", "-s"), 1, "", "nosuch doesn't exist\n")
	expect(t, run(t, nil, "lxc-info", "-P", lp), 1, "", "lxc-info: No container name specified\n")
}

func TestConfigTool(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "lxc.conf")
	os.WriteFile(conf, []byte("lxc.lxcpath = /srv/lxc\n# lxc.bdev.lvm.vg = no\nlxc.bdev.lvm.vg = vg0\n"), 0o644)
	env := []string{"GOLXC_GLOBAL_CONF=" + conf}
	usage := "Usage: " + binDir + "/lxc-config -l: list all available configuration items\n       " + binDir + "/lxc-config item: print configuration item\n"
	expect(t, run(t, env, "lxc-config"), 0, usage, "")
	expect(t, run(t, env, "lxc-config", "--he"), 0, usage, "")
	expect(t, run(t, env, "lxc-config", "-l"), 0, "lxc.default_config\nlxc.lxcpath\nlxc.bdev.lvm.vg\nlxc.bdev.lvm.thin_pool\nlxc.bdev.zfs.root\nlxc.cgroup.use\nlxc.cgroup.pattern\n", "")
	expect(t, run(t, env, "lxc-config", "lxc.lxcpath"), 0, "/srv/lxc\n", "")
	expect(t, run(t, env, "lxc-config", "lxc.b"), 0, "vg0\n", "")
	expect(t, run(t, env, "lxc-config", "lxc.bdev.lvm.thin_pool"), 0, "lxc\n", "")
	expect(t, run(t, env, "lxc-config", "lxc.cgroup"), 0, "lxc.cgroup is not set.\n", "")
	expect(t, run(t, env, "lxc-config", "lxc.nope"), 1, "Unknown configuration item: lxc.nope\n", "")
}

func TestUpdateConfigConvertsLegacyKeys(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config")
	legacy := "lxc.utsname = old\nlxc.network.type = veth\nlxc.network.link = lxcbr0\nlxc.network.ipv4 = 10.0.3.5/24\n" +
		"lxc.network.type = empty\nlxc.rootfs = /srv/old\nlxc.id_map = u 0 100000 65536\nlxc.limit.nofile = 1024\nlxc.tty = 4\n"
	os.WriteFile(p, []byte(legacy), 0o640)
	expect(t, run(t, nil, "lxc-update-config", "-c", p), 0, "", "")
	if b, _ := os.ReadFile(p + ".backup"); string(b) != legacy {
		t.Fatalf("backup differs: %q", b)
	}
	got, _ := os.ReadFile(p)
	for _, want := range []string{"lxc.uts.name = old", "lxc.net.0.type = veth", "lxc.net.0.link = lxcbr0",
		"lxc.net.0.ipv4.address = 10.0.3.5/24", "lxc.net.1.type = empty", "lxc.rootfs.path = dir:/srv/old",
		"lxc.idmap = u 0 100000 65536", "lxc.prlimit.nofile = 1024", "lxc.tty.max = 4"} {
		if !strings.Contains(string(got), want+"\n") {
			t.Errorf("converted config lacks %q:\n%s", want, got)
		}
	}
	// The converted file loads without a single legacy warning.
	lp := lxcpath(t)
	os.MkdirAll(filepath.Join(lp, "old"), 0o770)
	os.WriteFile(filepath.Join(lp, "old", "config"), got, 0o640)
	r := run(t, nil, "lxc-info", "-P", lp, "-n", "old", "-c", "lxc.uts.name")
	expect(t, r, 0, "lxc.uts.name = old\n", "")
}

func TestLegacyKeysAcceptedWithOneWarning(t *testing.T) {
	lp := lxcpath(t)
	writeConfig(t, lp, "seed", "lxc.utsname = seedbox", "lxc.aa_profile = unconfined", "lxc.rootfs = /")
	r := run(t, nil, "lxc-info", "-P", lp, "-n", "seed", "-c", "lxc.uts.name", "-c", "lxc.rootfs.path")
	if r.code != 0 || r.stdout != "lxc.uts.name = seedbox\nlxc.rootfs.path = /\n" {
		t.Fatalf("%s", r)
	}
	if n := strings.Count(r.stderr, "lxc.utsname"); n != 1 {
		t.Fatalf("want one warning naming lxc.utsname, got:\n%s", r.stderr)
	}
}

func TestUnknownKeyIsOneLineNamingFileAndLine(t *testing.T) {
	lp := lxcpath(t)
	p := writeConfig(t, lp, "bad", "lxc.uts.name = bad", "lxc.uts.nmae = typo")
	before, _ := os.ReadFile(p)
	r := run(t, nil, "lxc-info", "-P", lp, "-n", "bad", "-s")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.code != 1 || len(lines) != 1 || !strings.Contains(lines[0], p+":2") || !strings.Contains(lines[0], "lxc.uts.name") {
		t.Fatalf("want one line with %s:2 and a suggestion, got %s", p, r)
	}
	if after, _ := os.ReadFile(p); string(after) != string(before) {
		t.Fatal("config file was modified")
	}
}
