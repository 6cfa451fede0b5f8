// Package manpage writes golxc's manual pages (roff): section 1 for every
// lxc-* tool from the option table and --help text the tool parses with
// (tools.Describe), section 5 for lxc.container.conf from the parser's key
// table (config.Keys), lxc.system.conf and lxc-usernet. Generated, so a
// page cannot list an option the tool rejects or miss one it accepts
// (manpage_test checks every option and key appears).
package manpage
