package lxc

import (
	"net"
	"reflect"
	"testing"
)

func TestFilterIPs(t *testing.T) {
	v := []ifaceAddrs{
		{Name: "lo", IPs: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}},
		{Name: "eth0", IPs: []net.IP{net.ParseIP("10.0.0.2"), net.ParseIP("fe80::1"), net.ParseIP("fd00::2")}},
		{Name: "eth1", IPs: []net.IP{net.ParseIP("fd00::3"), net.ParseIP("10.0.1.2")}},
		{Name: "aaa", IPs: []net.IP{net.ParseIP("9.0.0.1"), net.ParseIP("10.0.0.2")}},
	}
	for _, tc := range []struct {
		v4, v6 bool
		only   string
		want   []string
	}{
		{true, false, "", []string{"10.0.0.2", "10.0.1.2", "9.0.0.1"}}, // strcmp order, no repeats
		{false, true, "", []string{"fd00::2", "fd00::3"}},              // no link-local, no lo
		{true, true, "eth1", []string{"10.0.1.2", "fd00::3"}},          // sorted, as LXC's get_ips
		{true, true, "lo", []string{"127.0.0.1"}},
	} {
		if got := filterIPs(v, tc.v4, tc.v6, tc.only); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("filterIPs(v4=%v, v6=%v, %q) = %v, want %v", tc.v4, tc.v6, tc.only, got, tc.want)
		}
	}
}
