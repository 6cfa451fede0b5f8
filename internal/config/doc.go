// Package config is golxc's container configuration engine: the parser,
// validator, getter and writer of lxc.container.conf(5) files as LXC 5.0.2
// implements them (confile.c), plus the system configuration of
// lxc.system.conf(5) (GlobalItem and friends).
//
// A Config holds two things, exactly like LXC's struct lxc_conf:
//
//   - the applied values, built by running every "lxc.*" line (or Set call)
//     through the key table in table.go, which mirrors LXC's jump table:
//     same key order, same strict/prefix matching, same validation, same
//     get_config_item text formats and clear_config_item semantics;
//   - the "unexpanded" text: the top-level file's lines verbatim (comments,
//     odd spacing, unknown non-lxc lines; empty lines dropped), which is what
//     Save writes back. Lines of included files are applied but not kept.
//
// Deliberate differences from LXC 5.0.2:
//
//   - Legacy LXC 1.x/2.0 keys (lxc.utsname, lxc.network.*, lxc.rootfs, ...)
//     are accepted and mapped to their current names with one warning per
//     key name per process, instead of failing the load (legacy.go).
//   - Errors are *ParseError values naming file:line, the key, what is wrong
//     and, for unknown keys, the nearest valid key.
//   - Values set through Set may not contain newlines (they would forge extra
//     config lines when saved); includes must be regular files or directories,
//     at most 16 MiB, nested at most 32 deep.
//   - Nothing is opened or created at parse time (LXC opens lxc.log.file and
//     expands "lxc.net.N.link = eth+" for phys devices while parsing); those are
//     the runtime's job.
//
// LXC 5.0.2 quirks kept on purpose because scripts see them: a one-letter
// size suffix is ignored ("2m" is 2 bytes), the default IPv4 prefix follows
// the class of the LAST octet, lxc.net.N.ipvlan.mode reads back "l2" by
// default, an unset lxc.namespace.share.X reads "(null)", link/name/veth.pair
// are truncated to 15 bytes, and lxc.keyring.session stores "disable".
//
// A load that fails keeps the values and lines before the bad line; the
// bad line and everything after it are dropped, as LXC stops there too.
//
// A Config is not safe for concurrent use; the package-level functions are.
//
// Spec() turns the applied values into the typed Spec the runtime consumes.
package config
