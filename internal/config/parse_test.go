package config

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestParsingRules(t *testing.T) {
	text := "# comment\n\n   \nfoo.bar = martian\n  lxc.uts.name=  \"quoted\"  \nlxc.execute.cmd = a # not a comment\n" +
		"\tlxc.arch\t=\tx86\nlxc.tty.dir = 'mixed\"\nlxc.init.cmd\r\nlxc.pty.max = 5\x00lxc.tty.max = 2\n"
	c := New()
	err := c.LoadBytes("cfg", []byte(text))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 9 || pe.Key != "lxc.init.cmd" {
		t.Fatalf("want missing '=' error on line 9, got %v", err)
	}
	for k, want := range map[string]string{"lxc.uts.name": "quoted", "lxc.execute.cmd": "a # not a comment",
		"lxc.arch": "i686", "lxc.tty.dir": "'mixed\"", "lxc.pty.max": "0"} {
		if got, _ := c.Get(k); got != want {
			t.Errorf("Get(%s) = %q, want %q", k, got, want)
		}
	}
	// Empty lines vanish, whitespace-only lines stay, the failing line and
	// everything after it are not kept.
	want := "# comment\n   \nfoo.bar = martian\n  lxc.uts.name=  \"quoted\"  \nlxc.execute.cmd = a # not a comment\n" +
		"\tlxc.arch\t=\tx86\nlxc.tty.dir = 'mixed\"\n"
	if string(c.Text()) != want {
		t.Errorf("Text = %q\nwant %q", c.Text(), want)
	}
	// The config stays usable after a failed load.
	if err := c.Set("lxc.tty.max", "4"); err != nil {
		t.Fatal(err)
	}
}

func TestCRSplitsLines(t *testing.T) {
	c := mustLoad(t, "lxc.pty.max = 5\r\nlxc.tty.max = 2\rlxc.tty.dir = d\r")
	if got := string(c.Text()); got != "lxc.pty.max = 5\nlxc.tty.max = 2\nlxc.tty.dir = d\n" {
		t.Errorf("Text = %q", got)
	}
}

// LXC 5.0.2 reads a config as one C string: a NUL byte ends it (checked
// with /usr/bin/lxc-info -c on such a file). golxc ignores the rest too
// and says so once.
func TestNULEndsConfig(t *testing.T) {
	warned := captureWarnings(t)
	c := mustLoad(t, "lxc.pty.max = 5\r\nlxc.tty.max = 2\x00lxc.tty.dir = d\nlxc.uts.name = after\n")
	if got := string(c.Text()); got != "lxc.pty.max = 5\nlxc.tty.max = 2\n" {
		t.Errorf("Text = %q", got)
	}
	if v, _ := c.Get("lxc.uts.name"); v != "" {
		t.Errorf("lxc.uts.name after the NUL byte was read: %q", v)
	}
	if warnings := warned(); len(warnings) != 1 || !strings.Contains(warnings[0], ":2: NUL byte") {
		t.Errorf("warnings = %q, want one naming line 2", warnings)
	}
}

func TestErrorMessages(t *testing.T) {
	cases := []struct{ text, want string }{
		{"lxc.uts.name = a\nlxc.utsnam = b\n",
			`config:2: lxc.utsnam: unsupported config key; did you mean "lxc.uts.name"?`},
		{"lxc.net.0.typ = veth\n",
			`config:1: lxc.net.0.typ: unsupported config key; did you mean "lxc.net.0.type"?`},
		{"lxc.ephemeral = 2\n",
			`config:1: lxc.ephemeral: invalid value "2"; expected 0 or 1`},
		{"lxc.rootfs.path\n",
			`config:1: lxc.rootfs.path: invalid configuration line, missing "="; write KEY = VALUE`},
		{"lxc.net.0.type = veth\nlxc.net.0.type = bridge\n",
			`config:2: lxc.net.0.type: invalid value "bridge"; expected one of: none, empty, veth, vlan, macvlan, ipvlan, phys`},
		{"lxc.net.0.veth.pair = v0\n",
			`config:1: lxc.net.0.veth.pair: veth.pair only applies to veth devices, lxc.net.0 is empty; set lxc.net.0.type = veth before it`},
	}
	for _, tc := range cases {
		err := New().LoadBytes("config", []byte(tc.text))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.text, err, tc.want)
		}
	}
	err := New().Set("lxc.signal.halt", "PWR")
	if err == nil || err.Error() != `lxc.signal.halt: invalid value "PWR"; expected a signal number or name like SIGPWR, SIGRTMIN+3` {
		t.Errorf("Set error = %v", err)
	}
	if err := New().Set("lxc.uts.name", "a\nlxc.hook.start = /evil"); err == nil {
		t.Error("Set accepted a value with a newline")
	}
}

func TestIncludes(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "common.conf"), "lxc.tty.max = 4\nlxc.cap.drop = sys_module\nlxc.net.0.hwaddr = 00:16:3e:xx:xx:xx\n")
	writeFile(t, filepath.Join(dir, "common.conf.d", "00-a.conf"), "lxc.mount.entry = a b none bind 0 0\n")
	writeFile(t, filepath.Join(dir, "common.conf.d", "README"), "lxc.bogus = 1\n")
	writeFile(t, filepath.Join(dir, "common.conf.d", ".conf"), "lxc.bogus = 1\n")
	writeFile(t, filepath.Join(dir, "common.conf.d", "x.conf.disabled"), "lxc.bogus = 1\n")
	top := filepath.Join(dir, "config")
	text := "lxc.include = " + filepath.Join(dir, "common.conf") + "\nlxc.include = " + filepath.Join(dir, "common.conf.d") +
		"/\nlxc.include = " + filepath.Join(dir, "missing.d") + "/\nlxc.uts.name = c1\n"
	writeFile(t, top, text)
	c := New()
	if err := c.Load(top); err != nil {
		t.Fatal(err)
	}
	if c.File() != top {
		t.Errorf("File() = %q", c.File())
	}
	if string(c.Text()) != text {
		t.Errorf("included lines leaked into Text: %q", c.Text())
	}
	for k, want := range map[string]string{"lxc.tty.max": "4", "lxc.cap.drop": "sys_module\n",
		"lxc.mount.entry": "a b none bind 0 0\n", "lxc.uts.name": "c1"} {
		if got, _ := c.Get(k); got != want {
			t.Errorf("Get(%s) = %q, want %q", k, got, want)
		}
	}
	// The setter randomises x placeholders even for included lines (only the
	// kept text of top-level lines is rewritten).
	if hw, _ := c.Get("lxc.net.0.hwaddr"); !macRe.MatchString(hw) {
		t.Errorf("included hwaddr = %q", hw)
	}
	// Errors inside an include name the included file and its line.
	writeFile(t, filepath.Join(dir, "bad.conf"), "# x\nlxc.bogus.key = 1\n")
	err := New().LoadBytes("top", []byte("lxc.include = "+filepath.Join(dir, "bad.conf")+"\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != filepath.Join(dir, "bad.conf") || pe.Line != 2 {
		t.Errorf("include error = %v", err)
	}
	if err := New().LoadBytes("top", []byte("lxc.include = "+filepath.Join(dir, "nope.conf")+"\n")); err == nil ||
		!strings.HasPrefix(err.Error(), "top:1: lxc.include: cannot include") {
		t.Errorf("missing include error = %v", err)
	}
	// A self-include must fail, not recurse forever.
	loop := filepath.Join(dir, "loop.conf")
	writeFile(t, loop, "lxc.include = "+loop+"\n")
	if err := New().Load(loop); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("include loop error = %v", err)
	}
	if err := New().LoadBytes("top", []byte("lxc.include = /dev/zero\n")); err == nil {
		t.Error("including a device should fail")
	}
}

var macRe = regexp.MustCompile(`^00:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$`)

func TestHwaddrExpansion(t *testing.T) {
	c := mustLoad(t, "lxc.net.0.type = veth\nlxc.net.0.hwaddr = 00:16:3e:xx:xX:Xx\n  lxc.net.1.hwaddr = 00:16:3e:xx:xx:xx\n")
	hw, _ := c.Get("lxc.net.0.hwaddr")
	if !macRe.MatchString(hw) {
		t.Fatalf("hwaddr = %q", hw)
	}
	if !strings.Contains(string(c.Text()), "lxc.net.0.hwaddr = "+hw+"\n") {
		t.Errorf("expanded MAC not in text: %q", c.Text())
	}
	// LXC only rewrites the text of lines that start with the key (no
	// leading blanks); the applied value is randomised anyway.
	if hw1, _ := c.Get("lxc.net.1.hwaddr"); !macRe.MatchString(hw1) ||
		!strings.Contains(string(c.Text()), "  lxc.net.1.hwaddr = 00:16:3e:xx:xx:xx\n") {
		t.Errorf("indented hwaddr = %q, text %q", hw1, c.Text())
	}
	for i := 0; i < 200; i++ {
		c := mustLoad(t, "lxc.net.0.hwaddr = xx:xx:xx:xx:xx:xx\n")
		hw, _ := c.Get("lxc.net.0.hwaddr")
		if strings.IndexByte("02468ace", hw[1]) < 0 {
			t.Fatalf("multicast MAC generated: %s", hw)
		}
	}
	s := New()
	if err := s.Set("lxc.net.0.hwaddr", "00:16:3e:xx:xx:xx"); err != nil {
		t.Fatal(err)
	}
	hw, _ = s.Get("lxc.net.0.hwaddr")
	if !macRe.MatchString(hw) || string(s.Text()) != "lxc.net.0.hwaddr = "+hw+"\n" {
		t.Errorf("Set hwaddr: %q / %q", hw, s.Text())
	}
}

func TestSetAppendsAndClearRemoves(t *testing.T) {
	c := mustLoad(t, "# keep\nlxc.arch = x86_64\nlxc.cgroup.devices.allow = a\nlxc.cgroup.dir = d\nlxc.cgroup2.x = 1\n")
	if err := c.Set("lxc.arch", "i686"); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("lxc.uts.name", ""); err != nil {
		t.Fatal(err)
	}
	want := "# keep\nlxc.arch = x86_64\nlxc.cgroup.devices.allow = a\nlxc.cgroup.dir = d\nlxc.cgroup2.x = 1\nlxc.arch = i686\nlxc.uts.name =\n"
	if string(c.Text()) != want {
		t.Errorf("Text = %q", c.Text())
	}
	if err := c.Clear("lxc.cgroup"); err != nil {
		t.Fatal(err)
	}
	want = "# keep\nlxc.arch = x86_64\nlxc.cgroup.dir = d\nlxc.cgroup2.x = 1\nlxc.arch = i686\nlxc.uts.name =\n"
	if string(c.Text()) != want {
		t.Errorf("after Clear(lxc.cgroup) Text = %q", c.Text())
	}
	c.RemoveLines("lxc.arch")
	if strings.Contains(string(c.Text()), "lxc.arch") {
		t.Errorf("RemoveLines left %q", c.Text())
	}
	if v, _ := c.Get("lxc.arch"); v != "i686" {
		t.Errorf("RemoveLines changed the applied value: %q", v)
	}
}

func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config")
	c := mustLoad(t, "# hi\nlxc.uts.name = x\n")
	if err := c.Save(p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("stat: %v mode %v", err, fi.Mode())
	}
	b, _ := os.ReadFile(p)
	if string(b) != "# hi\nlxc.uts.name = x\n" {
		t.Errorf("saved %q", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("temp files left behind: %v", ents)
	}
	if err := c.Save(filepath.Join(dir, "nodir", "config")); err == nil {
		t.Error("Save into a missing directory should fail")
	}
}
