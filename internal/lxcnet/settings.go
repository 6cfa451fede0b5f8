// Package lxcnet is golxc's equivalent of LXC's lxc-net service: the
// lxcbr0 bridge with an address, NAT for its network through nftables and
// dnsmasq serving DHCP on it, configured by /etc/default/lxc-net. It uses
// the same run files as Debian's lxc-net (/run/lxc/network_up,
// /run/lxc/dnsmasq.pid), so either one can stop what the other started.
package lxcnet

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Settings are the LXC_* variables of /etc/default/lxc-net plus where the
// run files go.
type Settings struct {
	UseBridge   bool   // USE_LXC_BRIDGE
	Bridge      string // LXC_BRIDGE
	BridgeMAC   string // LXC_BRIDGE_MAC
	Addr        string // LXC_ADDR
	Netmask     string // LXC_NETMASK
	Network     string // LXC_NETWORK
	DHCPRange   string // LXC_DHCP_RANGE "first,last"
	DHCPMax     int    // LXC_DHCP_MAX
	DHCPConfile string // LXC_DHCP_CONFILE
	DHCPPing    bool   // LXC_DHCP_PING
	Domain      string // LXC_DOMAIN
	IPv6Addr    string // LXC_IPV6_ADDR
	IPv6Mask    string // LXC_IPV6_MASK
	IPv6Network string // LXC_IPV6_NETWORK
	IPv6NAT     bool   // LXC_IPV6_NAT

	RunDir   string // network_up, dnsmasq.pid, lock (/run/lxc)
	LeaseDir string // dnsmasq.BRIDGE.leases (/var/lib/misc)
	NftTable string // name of the nftables tables (lxc)
}

// Defaults are lxc-net's built-in values.
func Defaults() Settings {
	return Settings{
		UseBridge: true, Bridge: "lxcbr0", BridgeMAC: "00:16:3e:00:00:00",
		Addr: "10.0.3.1", Netmask: "255.255.255.0", Network: "10.0.3.0/24",
		DHCPRange: "10.0.3.2,10.0.3.254", DHCPMax: 253, DHCPPing: true,
		RunDir: "/run/lxc", LeaseDir: "/var/lib/misc", NftTable: "lxc",
	}
}

// DefaultFiles are read in order, later values winning, as Debian's
// /etc/default/lxc sources /etc/default/lxc-net.
var DefaultFiles = []string{"/etc/default/lxc", "/etc/default/lxc-net"}

// LoadSettings reads the defaults files (missing files are skipped).
func LoadSettings(files ...string) (Settings, error) {
	if len(files) == 0 {
		files = DefaultFiles
	}
	s := Defaults()
	for _, f := range files {
		vars, err := readShellVars(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return s, err
		}
		if err := s.apply(f, vars); err != nil {
			return s, err
		}
	}
	return s, nil
}

type shellVar struct {
	line       int
	key, value string
}

// readShellVars reads KEY=VALUE lines of a sourced shell file; quoting
// with ' or " is understood, other shell code is ignored.
func readShellVars(path string) ([]shellVar, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []shellVar
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t#[$") {
			continue
		}
		out = append(out, shellVar{n, k, shellValue(v)})
	}
	return out, sc.Err()
}

// shellValue takes the first word of v, unquoting it.
func shellValue(v string) string {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			b.WriteByte(c)
		case c == '"' || c == '\'':
			quote = c
		case c == ' ' || c == '\t' || c == '#' || c == ';':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (s *Settings) apply(file string, vars []shellVar) error {
	for _, v := range vars {
		bad := func(want string) error {
			return fmt.Errorf("%s:%d: %s=%q: expected %s", file, v.line, v.key, v.value, want)
		}
		switch v.key {
		case "USE_LXC_BRIDGE":
			s.UseBridge = v.value == "true"
		case "LXC_BRIDGE":
			s.Bridge = v.value
		case "LXC_BRIDGE_MAC":
			s.BridgeMAC = v.value
		case "LXC_ADDR":
			s.Addr = v.value
		case "LXC_NETMASK":
			s.Netmask = v.value
		case "LXC_NETWORK":
			s.Network = v.value
		case "LXC_DHCP_RANGE":
			s.DHCPRange = v.value
		case "LXC_DHCP_MAX":
			n, err := strconv.Atoi(v.value)
			if err != nil || n < 0 {
				return bad("a number")
			}
			s.DHCPMax = n
		case "LXC_DHCP_CONFILE":
			s.DHCPConfile = v.value
		case "LXC_DHCP_PING":
			s.DHCPPing = v.value != "false"
		case "LXC_DOMAIN":
			s.Domain = v.value
		case "LXC_IPV6_ADDR":
			s.IPv6Addr = v.value
		case "LXC_IPV6_MASK":
			s.IPv6Mask = v.value
		case "LXC_IPV6_NETWORK":
			s.IPv6Network = v.value
		case "LXC_IPV6_NAT":
			s.IPv6NAT = v.value == "true"
		}
	}
	return nil
}
