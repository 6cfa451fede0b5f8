package lxc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/config"
)

// The generated configuration is what LXC's parser (golxc's) accepts,
// with the seed's defaults and what each option adds.
func TestSandboxConfig(t *testing.T) {
	for _, c := range []struct {
		name     string
		o        SandboxOptions
		want     []string
		wantNone []string
	}{
		{"defaults", SandboxOptions{},
			[]string{"lxc.uts.name = sandbox", "lxc.cap.drop = sys_module sys_time syslog", "b *:* rwm", "lxc.net.0.type = empty", "lxc.net.0.flags = up"},
			[]string{"lxc.idmap", "lxc.ephemeral", "lxc.mount.entry"}},
		{"idmap", SandboxOptions{IDMap: true},
			[]string{"lxc.idmap = u 0 10000 65536", "lxc.idmap = g 0 10000 65536"},
			[]string{"lxc.cap.drop = sys_module"}},
		{"named", SandboxOptions{Name: "box1"},
			[]string{"lxc.uts.name = box1", "lxc.ephemeral = 1"}, nil},
		{"desktop", SandboxOptions{Desktop: true},
			[]string{"lxc.mount.entry = /tmp tmp none rbind,create=dir 0 0"}, nil},
		{"net", SandboxOptions{Net: true, Bridge: "lo", IPv4: "10.9.8.7/24"},
			[]string{"lxc.net.0.type = veth", "lxc.net.0.link = lo", "lxc.net.0.ipv4.address = 10.9.8.7/24"}, nil},
	} {
		sb := &sandbox{o: c.o, id: "abcdef", dir: "/run/golxc-sandbox/abcdef", name: "sandbox-abcdef"}
		if c.o.Name != "" {
			sb.name, sb.named = c.o.Name, true
		}
		text, err := sb.config("")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !strings.HasPrefix(text, "# lxc-sandbox abcdef\n") {
			t.Errorf("%s: no marker line the guard recognises:\n%s", c.name, text)
		}
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: lacks %q:\n%s", c.name, w, text)
			}
		}
		for _, w := range c.wantNone {
			if strings.Contains(text, w) {
				t.Errorf("%s: has %q:\n%s", c.name, w, text)
			}
		}
		cfg := config.New()
		err = cfg.LoadBytes("sandbox", []byte(text))
		if err == nil {
			_, err = cfg.Spec()
		}
		if err != nil {
			t.Errorf("%s: the parser refuses it: %v\n%s", c.name, err, text)
		}
	}
}

func TestParseGuardInput(t *testing.T) {
	for _, tc := range []struct {
		in   string
		pid  int
		done bool
	}{
		{"", 0, false},          // lxc-sandbox died: clean up
		{"done\n", 0, true},     // it cleaned up itself
		{"pid 42\n", 42, false}, // --keep: wait for the monitor
		{"pid 42\ndone\n", 42, true},
		{"pid x\n", 0, false},
		{"donex\n", 0, false},
	} {
		pid, done := parseGuardInput(tc.in)
		if pid != tc.pid || done != tc.done {
			t.Errorf("parseGuardInput(%q) = %d, %v; want %d, %v", tc.in, pid, done, tc.pid, tc.done)
		}
	}
}

// A runtime directory a guard left empty is removed once it is a minute
// old; a fresh one (a sandbox being made) stays.
func TestRemoveOldEmpty(t *testing.T) {
	top := t.TempDir()
	old, fresh := filepath.Join(top, "aaaaaa"), filepath.Join(top, "bbbbbb")
	for _, d := range []string{old, fresh} {
		if err := os.Mkdir(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * time.Minute)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	removeOldEmpty(old)
	removeOldEmpty(fresh)
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("old empty directory kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh directory removed: %v", err)
	}
}
