package mountinfo

import (
	"strings"
	"testing"
)

const sample = `22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw
35 22 0:30 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
36 22 0:31 / /sys/fs/cgroup/unified rw,nosuid shared:9 master:2 - cgroup2 cgroup2 rw,nsdelegate
40 22 0:40 /sub\040dir /mnt/with\040space\134x rw - tmpfs my\011src rw,size=10k
41 22 0:41 / /mnt/nosuper rw - proc proc
`

func TestParse(t *testing.T) {
	ms, err := Parse(sample)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 5 {
		t.Fatalf("%d mounts", len(ms))
	}
	if m := ms[0]; m.ID != 22 || m.Parent != 1 || m.Point != "/" || !m.Shared() || m.FSType != "ext4" || m.Source != "/dev/vda" {
		t.Errorf("root: %+v", m)
	}
	if m := ms[1]; m.Shared() || m.FSType != "cgroup" || m.Super != "rw,memory" || len(m.Optional) != 0 {
		t.Errorf("memory: %+v", m)
	}
	if m := ms[2]; strings.Join(m.Optional, " ") != "shared:9 master:2" || m.FSType != "cgroup2" {
		t.Errorf("unified: %+v", m)
	}
	if m := ms[3]; m.Root != "/sub dir" || m.Point != `/mnt/with space\x` || m.Source != "my\tsrc" {
		t.Errorf("escapes: %+v", m)
	}
	if m := ms[4]; m.Super != "" || m.Source != "proc" {
		t.Errorf("no super options: %+v", m)
	}
}

func TestParseMalformed(t *testing.T) {
	for _, bad := range []string{"22 1 0:21 / / rw\n", "x 1 0:21 / / rw - ext4 /dev/vda rw\n", "22 1 0:21 / / rw -\n"} {
		if _, err := Parse("35 22 0:30 / /a rw - tmpfs t rw\n" + bad); err == nil || !strings.Contains(err.Error(), "mountinfo:2:") {
			t.Errorf("Parse(%q): %v", bad, err)
		}
	}
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`a\040b`: "a b", `end\040`: "end ", `\134\134`: `\\`, `no\08`: `no\08`, `tail\04`: `tail\04`, "plain": "plain",
	} {
		if got := Unescape(in); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadSelf(t *testing.T) {
	ms, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Point == "/" {
			return
		}
	}
	t.Error("no mount at / in /proc/self/mountinfo")
}
