package config

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// netdev is one lxc.net.N.
type netdev struct {
	idx                       int
	typ                       string
	up                        bool
	link, name, hwaddr, mtu   string
	ipv4                      []inet4
	ipv4gw                    string
	ipv6                      []inet6
	ipv6gw                    string
	l2proxy                   bool
	scriptUp, scriptDown      string
	vethPair, vethMode        string
	vethRoutes4, vethRoutes6  []string
	vethVlanID                int
	vethTagged                []uint16
	nRx, nTx                  int32
	macvlanMode               string
	ipvlanMode, ipvlanIsolate string
	vlanID                    uint16
}

type inet4 struct {
	addr   netip.Addr
	prefix uint32
	bcast  netip.Addr // invalid when not given
}

type inet6 struct {
	addr   netip.Addr
	prefix uint32
}

var netTypes = []string{"none", "empty", "veth", "vlan", "macvlan", "ipvlan", "phys"}

// netSub is one sub-key of lxc.net.N; typ restricts it to one device type.
type netSub struct {
	name string
	typ  string
	set  func(d *netdev, v string) error
	get  func(d *netdev) string
	clr  func(d *netdev)
}

func strSub(name, typ string, f func(*netdev) *string, ifname bool) netSub {
	return netSub{name: name, typ: typ,
		set: func(d *netdev, v string) error {
			if ifname && len(v) > 15 {
				v = v[:15] // LXC silently truncates to IFNAMSIZ-1
			}
			*f(d) = v
			return nil
		},
		get: func(d *netdev) string { return *f(d) },
		clr: func(d *netdev) { *f(d) = "" },
	}
}

func enumSub(name, typ string, f func(*netdev) *string, def string, allowed ...string) netSub {
	return netSub{name: name, typ: typ,
		set: func(d *netdev, v string) error {
			for _, a := range allowed {
				if v == a {
					*f(d) = v
					return nil
				}
			}
			return badValue(v, "expected one of: "+strings.Join(allowed, ", "))
		},
		get: func(d *netdev) string { return *f(d) },
		clr: func(d *netdev) { *f(d) = def },
	}
}

func u16(v string, max uint32) (uint16, bool) {
	n, ok := safeUint(v)
	if !ok || n > max {
		return 0, false
	}
	return uint16(n), true
}

// netSubkeys mirrors LXC's config_jump_table_net, in its order.
var netSubkeys = []netSub{
	{name: "flags",
		set: func(d *netdev, _ string) error { d.up = true; return nil }, // any value means "up", as in LXC
		get: func(d *netdev) string {
			if d.up {
				return "up"
			}
			return ""
		},
		clr: func(d *netdev) { d.up = false }},
	{name: "hwaddr",
		set: func(d *netdev, v string) error { d.hwaddr = expandHwaddr(v); return nil },
		get: func(d *netdev) string { return d.hwaddr },
		clr: func(d *netdev) { d.hwaddr = "" }},
	{name: "ipv4.address", set: setIPv4, get: func(d *netdev) string {
		l := make([]string, len(d.ipv4))
		for i, a := range d.ipv4 {
			l[i] = fmt.Sprintf("%s/%d", a.addr, a.prefix)
		}
		return strings.Join(l, "\n")
	}, clr: func(d *netdev) { d.ipv4 = nil }},
	gatewaySub("ipv4.gateway", false),
	{name: "ipv6.address", set: setIPv6, get: func(d *netdev) string {
		l := make([]string, len(d.ipv6))
		for i, a := range d.ipv6 {
			l[i] = fmt.Sprintf("%s/%d", a.addr, a.prefix)
		}
		return strings.Join(l, "\n")
	}, clr: func(d *netdev) { d.ipv6 = nil }},
	gatewaySub("ipv6.gateway", true),
	strSub("link", "", func(d *netdev) *string { return &d.link }, true),
	{name: "l2proxy",
		set: func(d *netdev, v string) error {
			n, err := boolValue(v)
			if err != nil {
				return err
			}
			d.l2proxy = n == 1
			return nil
		},
		get: func(d *netdev) string { return b2s(d.l2proxy) },
		clr: func(d *netdev) { d.l2proxy = false }},
	enumSub("macvlan.mode", "macvlan", func(d *netdev) *string { return &d.macvlanMode }, "private", "private", "vepa", "bridge", "passthru"),
	// LXC 5.0.2 leaves the ipvlan mode zeroed, which reads back as l2.
	enumSub("ipvlan.mode", "ipvlan", func(d *netdev) *string { return &d.ipvlanMode }, "l2", "l3", "l3s", "l2"),
	enumSub("ipvlan.isolation", "ipvlan", func(d *netdev) *string { return &d.ipvlanIsolate }, "bridge", "bridge", "private", "vepa"),
	strSub("mtu", "", func(d *netdev) *string { return &d.mtu }, false),
	strSub("name", "", func(d *netdev) *string { return &d.name }, true),
	strSub("script.down", "", func(d *netdev) *string { return &d.scriptDown }, false),
	strSub("script.up", "", func(d *netdev) *string { return &d.scriptUp }, false),
	{name: "type", set: setNetType, get: func(d *netdev) string { return d.typ },
		clr: func(d *netdev) { *d = netdev{idx: d.idx, typ: "empty"} }},
	{name: "vlan.id", typ: "vlan",
		set: func(d *netdev, v string) error {
			n, ok := u16(v, math.MaxUint16)
			if !ok {
				return badValue(v, "expected a VLAN id 0-65535")
			}
			d.vlanID = n
			return nil
		},
		get: func(d *netdev) string { return itoa(int64(d.vlanID)) },
		clr: func(d *netdev) { d.vlanID = 0 }},
	enumSub("veth.mode", "veth", func(d *netdev) *string { return &d.vethMode }, "bridge", "bridge", "router"),
	queuesSub("veth.n_rxqueues", func(d *netdev) *int32 { return &d.nRx }),
	queuesSub("veth.n_txqueues", func(d *netdev) *int32 { return &d.nTx }),
	strSub("veth.pair", "veth", func(d *netdev) *string { return &d.vethPair }, true),
	routeSub("veth.ipv4.route", false, func(d *netdev) *[]string { return &d.vethRoutes4 }),
	routeSub("veth.ipv6.route", true, func(d *netdev) *[]string { return &d.vethRoutes6 }),
	{name: "veth.vlan.id", typ: "veth",
		set: func(d *netdev, v string) error {
			if v == "none" {
				d.vethVlanID = -1
				return nil
			}
			n, ok := u16(v, 4094)
			if !ok {
				return badValue(v, "expected a VLAN id 0-4094 or none")
			}
			d.vethVlanID = int(n)
			return nil
		},
		get: func(d *netdev) string { return itoa(int64(d.vethVlanID)) },
		clr: func(d *netdev) { d.vethVlanID = 0 }},
	{name: "veth.vlan.tagged.id", typ: "veth",
		set: func(d *netdev, v string) error {
			n, ok := u16(v, 4094)
			if !ok {
				return badValue(v, "expected a VLAN id 0-4094")
			}
			d.vethTagged = append(d.vethTagged, n)
			return nil
		},
		get: func(d *netdev) string {
			l := make([]string, len(d.vethTagged))
			for i, t := range d.vethTagged {
				l[i] = strconv.Itoa(int(t))
			}
			return strings.Join(l, "\n")
		},
		clr: func(d *netdev) { d.vethTagged = nil }},
}

func findNetSub(name string) *netSub {
	for i := range netSubkeys {
		if netSubkeys[i].name == name {
			return &netSubkeys[i]
		}
	}
	return nil
}

func setNetType(d *netdev, v string) error {
	ok := false
	for _, t := range netTypes {
		ok = ok || t == v
	}
	if !ok {
		return badValue(v, "expected one of: "+strings.Join(netTypes, ", "))
	}
	// Setting the type starts the device afresh, as LXC does.
	*d = netdev{idx: d.idx, typ: v}
	switch v {
	case "veth":
		d.vethMode = "bridge"
	case "macvlan":
		d.macvlanMode = "private"
	case "ipvlan":
		d.ipvlanMode, d.ipvlanIsolate = "l2", "bridge"
	case "empty":
		d.name = "lo"
	}
	return nil
}

func parseAddr(s string, v6 bool) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" || a.Is4() == v6 {
		return netip.Addr{}, false
	}
	return a, true
}

func setIPv4(d *netdev, v string) error {
	bad := badValue(v, "expected A.B.C.D[/PREFIX] [BROADCAST]")
	addr, bcastS, hasB := strings.Cut(v, " ")
	addr, prefS, hasP := strings.Cut(addr, "/")
	a, ok := parseAddr(addr, false)
	if !ok {
		return bad
	}
	in := inet4{addr: a}
	if hasB {
		if in.bcast, ok = parseAddr(bcastS, false); !ok {
			return bad
		}
	}
	if hasP {
		p, ok := safeUint(prefS)
		if !ok || p > 32 {
			return bad
		}
		in.prefix = p
	} else {
		in.prefix = classfulPrefix(a)
	}
	d.ipv4 = append(d.ipv4, in)
	return nil
}

// classfulPrefix reproduces LXC's default prefix, which tests the address
// class on the network-order word read as a little-endian integer: in
// effect the class of the LAST octet decides (10.1.1.1 -> /8, x.x.x.200 -> /24).
func classfulPrefix(a netip.Addr) uint32 {
	b := a.As4()[3]
	switch {
	case b < 128:
		return 8
	case b < 192:
		return 16
	case b < 224:
		return 24
	}
	return 0
}

func setIPv6(d *netdev, v string) error {
	addr, prefS, hasP := strings.Cut(v, "/")
	a, ok := parseAddr(addr, true)
	if !ok {
		return badValue(v, "expected an IPv6 address[/PREFIX]")
	}
	in := inet6{addr: a, prefix: 64}
	if hasP {
		p, ok := safeUint(prefS)
		if !ok {
			return badValue(v, "expected an IPv6 address[/PREFIX]")
		}
		in.prefix = p
	}
	d.ipv6 = append(d.ipv6, in)
	return nil
}

func gatewaySub(name string, v6 bool) netSub {
	f := func(d *netdev) *string {
		if v6 {
			return &d.ipv6gw
		}
		return &d.ipv4gw
	}
	return netSub{name: name,
		set: func(d *netdev, v string) error {
			if v == "auto" || v == "dev" {
				*f(d) = v
				return nil
			}
			a, ok := parseAddr(v, v6)
			if !ok {
				return badValue(v, "expected an address, auto or dev")
			}
			*f(d) = a.String()
			return nil
		},
		get: func(d *netdev) string { return *f(d) },
		clr: func(d *netdev) { *f(d) = "" },
	}
}

func routeSub(name string, v6 bool, f func(*netdev) *[]string) netSub {
	max := uint32(32)
	if v6 {
		max = 128
	}
	return netSub{name: name, typ: "veth",
		set: func(d *netdev, v string) error {
			addr, prefS, ok := strings.Cut(v, "/")
			a, ok2 := parseAddr(addr, v6)
			p, ok3 := safeUint(prefS)
			if !ok || !ok2 || !ok3 || p > max {
				return badValue(v, "expected ADDRESS/PREFIX")
			}
			*f(d) = append(*f(d), fmt.Sprintf("%s/%d", a, p))
			return nil
		},
		get: func(d *netdev) string { return strings.Join(*f(d), "\n") },
		clr: func(d *netdev) { *f(d) = nil },
	}
}

func queuesSub(name string, f func(*netdev) *int32) netSub {
	return netSub{name: name, typ: "veth",
		set: func(d *netdev, v string) error {
			n, ok := safeInt(v)
			if !ok || n < 1 {
				return badValue(v, "expected a positive number of queues")
			}
			*f(d) = n
			return nil
		},
		get: func(d *netdev) string {
			if *f(d) > 0 {
				return itoa(int64(*f(d)))
			}
			return ""
		},
		clr: func(d *netdev) { *f(d) = 0 },
	}
}

// ---- lxc.net.N.* dispatch -------------------------------------------------

// parseNetKey splits "lxc.net.N.SUB" into N and SUB ("" for "lxc.net.N").
func parseNetKey(key string) (int, string, error) {
	rest := strings.TrimPrefix(key, "lxc.net.")
	if rest == "" || rest[0] < '0' || rest[0] > '9' {
		return 0, "", unknownKeyError(key)
	}
	idxS, sub, _ := strings.Cut(rest, ".")
	n, ok := safeUint(idxS)
	if !ok || n >= math.MaxInt32 {
		return 0, "", verr(fmt.Sprintf("invalid network index %q", idxS), "expected lxc.net.<number>.<key>")
	}
	return int(n), sub, nil
}

func (c *Config) netdev(idx int, create bool) *netdev {
	i := sort.Search(len(c.v.nets), func(i int) bool { return c.v.nets[i].idx >= idx })
	if i < len(c.v.nets) && c.v.nets[i].idx == idx {
		return c.v.nets[i]
	}
	if !create {
		return nil
	}
	d := &netdev{idx: idx, typ: "empty"}
	c.v.nets = append(c.v.nets, nil)
	copy(c.v.nets[i+1:], c.v.nets[i:])
	c.v.nets[i] = d
	return d
}

// resolveNet finds the sub-key handler and device for key.
func (c *Config) resolveNet(key string, create bool) (*netSub, *netdev, error) {
	idx, sub, err := parseNetKey(key)
	if err != nil {
		return nil, nil, err
	}
	s := findNetSub(sub)
	if s == nil {
		return nil, nil, unknownKeyError(key)
	}
	d := c.netdev(idx, create)
	if d == nil {
		return nil, nil, verr(fmt.Sprintf("network device %d is not defined", idx), fmt.Sprintf("set lxc.net.%d.type first", idx))
	}
	if s.typ != "" && d.typ != s.typ {
		return nil, nil, verr(fmt.Sprintf("%s only applies to %s devices, lxc.net.%d is %s", s.name, s.typ, idx, d.typ),
			fmt.Sprintf("set lxc.net.%d.type = %s before it", idx, s.typ))
	}
	return s, d, nil
}

func setNetKey(c *Config, key, v string) error {
	if v == "" {
		return clrNetKey(c, key)
	}
	if _, sub, err := parseNetKey(key); err != nil {
		return err
	} else if sub == "" {
		return unknownKeyError(key)
	}
	s, d, err := c.resolveNet(key, true)
	if err != nil {
		return err
	}
	return s.set(d, v)
}

func getNetKey(c *Config, key string) (string, error) {
	if _, sub, err := parseNetKey(key); err != nil {
		return "", err
	} else if sub == "" {
		return "", verr("a network device cannot be read as a whole", "read lxc.net.N.<key>; list keys with get_keys")
	}
	s, d, err := c.resolveNet(key, false)
	if err != nil {
		return "", err
	}
	return s.get(d), nil
}

func clrNetKey(c *Config, key string) error {
	idx, sub, err := parseNetKey(key)
	if err != nil {
		return err
	}
	if sub == "" {
		if c.netdev(idx, false) == nil {
			return verr(fmt.Sprintf("network device %d is not defined", idx), "")
		}
		for i, d := range c.v.nets {
			if d.idx == idx {
				c.v.nets = append(c.v.nets[:i], c.v.nets[i+1:]...)
				break
			}
		}
		return nil
	}
	s, d, err := c.resolveNet(key, false)
	if err != nil {
		return err
	}
	s.clr(d)
	return nil
}

func getNetTypes(c *Config, _ string) (string, error) {
	var b strings.Builder
	for _, d := range c.v.nets {
		b.WriteString(d.typ + "\n")
	}
	return b.String(), nil
}

// netKeys is get_keys for "lxc.net.N": the sub-keys valid for its type.
func (c *Config) netKeys(prefix string) []string {
	idx, sub, err := parseNetKey(prefix)
	if err != nil || sub != "" {
		return nil
	}
	d := c.netdev(idx, false)
	if d == nil {
		return nil
	}
	keys := []string{"type", "script.up", "script.down"}
	if d.typ != "empty" {
		keys = append(keys, "flags", "link", "name", "hwaddr", "mtu", "ipv6.address", "ipv6.gateway", "ipv4.address", "ipv4.gateway")
	}
	switch d.typ {
	case "veth":
		keys = append(keys, "veth.pair", "veth.ipv4.route", "veth.ipv6.route", "veth.vlan.id")
	case "macvlan":
		keys = append(keys, "macvlan.mode")
	case "ipvlan":
		keys = append(keys, "ipvlan.mode", "ipvlan.isolation")
	case "vlan":
		keys = append(keys, "vlan.id")
	}
	return keys
}

// expandHwaddr replaces every x/X with a random hex digit; the second
// character is forced even so the address stays unicast.
func expandHwaddr(v string) string {
	if !strings.ContainsAny(v, "xX") {
		return v
	}
	const hex = "0123456789abcdef"
	b := []byte(v)
	var rnd [64]byte
	for i := 0; i < len(rnd); i += 8 {
		binary.LittleEndian.PutUint64(rnd[i:], rand.Uint64())
	}
	for i := range b {
		if b[i] != 'x' && b[i] != 'X' {
			continue
		}
		r := rnd[i%len(rnd)] ^ byte(i/len(rnd))
		if i == 1 {
			b[i] = hex[r&0x0e]
		} else {
			b[i] = hex[r&0x0f]
		}
	}
	return string(b)
}
