package config

// The key tables as data, for the manual pages and shell completion
// (internal/manpage, internal/completion): generated from the tables the
// parser uses, they cannot drift from what it accepts.

// KeyInfo is one row of the container key table.
type KeyInfo struct {
	Name string
	// Prefix: the row handles every key that starts with Name
	// (lxc.cgroup.<controller file>, lxc.net.<N>.<sub-key>, ...).
	Prefix bool
}

// Keys lists the container configuration keys in the parser's table order.
func Keys() []KeyInfo {
	keys := make([]KeyInfo, len(table))
	for i, e := range table {
		keys[i] = KeyInfo{Name: e.name, Prefix: !e.strict}
	}
	return keys
}

// NetSubkey is one sub-key of lxc.net.N; Type is the only device type it
// applies to ("" for every type).
type NetSubkey struct{ Name, Type string }

// NetSubkeys lists the lxc.net.N sub-keys in the parser's table order.
func NetSubkeys() []NetSubkey {
	subs := make([]NetSubkey, len(netSubkeys))
	for i, s := range netSubkeys {
		subs[i] = NetSubkey{Name: s.name, Type: s.typ}
	}
	return subs
}

// NetTypes lists the values lxc.net.N.type accepts.
func NetTypes() []string { return append([]string(nil), netTypes...) }

// LegacyKey is an LXC 1.x/2.0 key golxc still reads (with a warning).
// New is the key it is read as; "" when it is ignored. Prefix: every key
// under Old (lxc.network.0.link, lxc.limit.nofile) is read under New.
type LegacyKey struct {
	Old, New string
	Prefix   bool
}

// LegacyKeys lists the legacy keys golxc reads, as mapLegacy maps them.
func LegacyKeys() []LegacyKey {
	var keys []LegacyKey
	for _, r := range legacyRenames {
		keys = append(keys, LegacyKey{Old: r.old, New: r.new})
	}
	keys = append(keys,
		LegacyKey{Old: "lxc.network.", New: "lxc.net.", Prefix: true},
		LegacyKey{Old: "lxc.limit.", New: "lxc.prlimit.", Prefix: true},
		LegacyKey{Old: "lxc.rootfs.backend", New: "lxc.rootfs.path"},
		LegacyKey{Old: "lxc.pivotdir"},
		LegacyKey{Old: "lxc.kmsg"},
	)
	return keys
}
