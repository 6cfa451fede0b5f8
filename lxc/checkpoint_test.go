package lxc

import "testing"

// TestPageServer: the address and port of struct migrate_opts become
// one address criu's plan can split again, IPv6 included.
func TestPageServer(t *testing.T) {
	for _, c := range []struct{ addr, port, want string }{
		{"10.0.0.1", "27", "10.0.0.1:27"},
		{"fd00::1", "27", "[fd00::1]:27"},
		{"[fd00::1]", "27", "[fd00::1]:27"},
		{"host.example", "27", "host.example:27"},
		{"fd00::1", "", ""},
		{"", "27", ""},
	} {
		if got := pageServer(c.addr, c.port); got != c.want {
			t.Errorf("pageServer(%q, %q) = %q, want %q", c.addr, c.port, got, c.want)
		}
	}
}
