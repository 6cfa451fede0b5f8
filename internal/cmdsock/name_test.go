package cmdsock

import (
	"strings"
	"testing"
)

func TestFNV1a64Vectors(t *testing.T) {
	// Published FNV-1a 64 test vectors.
	for in, want := range map[string]uint64{
		"":       0xcbf29ce484222325,
		"a":      0xaf63dc4c8601ec8c,
		"foobar": 0x85944171f73967e8,
	} {
		if got := fnv1a64(in); got != want {
			t.Errorf("fnv1a64(%q) = %016x, want %016x", in, got, want)
		}
	}
}

func TestSocketNameShort(t *testing.T) {
	if got := SocketName("/var/lib/lxc", "ref-bb"); got != "\x00/var/lib/lxc/ref-bb/command" {
		t.Fatalf("got %q", got)
	}
}

func TestSocketNameBoundaryAndHash(t *testing.T) {
	// Values observed with strace on /usr/bin/lxc-info (LXC 5.0.2): the
	// plain name is used up to 105 characters, hashed from 106 on.
	fits := "/tmp/" + strings.Repeat("y", 88) // 93 + len("/abc/command") = 105
	if got := SocketName(fits, "abc"); got != "\x00"+fits+"/abc/command" {
		t.Errorf("105-char name was hashed: %q", got)
	}
	cases := map[string]string{
		"/tmp/" + strings.Repeat("y", 89):  "\x00lxc/a656f4e65c01e268/command",
		"/tmp/" + strings.Repeat("x", 100): "\x00lxc/ed08d8bac78cd8f7/command",
	}
	for lxcpath, want := range cases {
		if got := SocketName(lxcpath, "abc"); got != want {
			t.Errorf("SocketName(%d chars) = %q, want %q", len(lxcpath), got, want)
		}
	}
}
