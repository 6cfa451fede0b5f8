package manpage

import (
	"strings"

	"github.com/golxc/golxc/internal/buildinfo"
	"github.com/golxc/golxc/internal/config"
)

// plainTool is the hand-written manual entry of a tool that parses its own
// command line (tools.Plain); manpage_test checks each option against the
// usage text the tool prints for usageArgs.
type plainTool struct {
	synopsis    []string
	description []string
	entries     []helpEntry
	usageArgs   []string
}

func plainTools() map[string]plainTool {
	items := make([]helpEntry, 0, len(config.GlobalKeys()))
	for _, k := range config.GlobalKeys() {
		items = append(items, helpEntry{spec: []string{k}, desc: []string{"See lxc.system.conf(5)."}})
	}
	return map[string]plainTool{
		"lxc-checkconfig": {
			synopsis: []string{""},
			description: []string{
				"Checks the running kernel's configuration (/proc/config.gz, the config file of the running kernel in /boot, " +
					"or the file named by the CONFIG environment variable) for the namespaces, cgroup controllers and other features containers use, " +
					"and prints one line per feature. Arguments are ignored.",
			},
		},
		"lxc-config": {
			synopsis:    []string{"-l", "ITEM"},
			description: []string{"Prints the value of a system configuration item, or lists the items with -l. An ITEM matches by prefix."},
			entries:     append([]helpEntry{{spec: []string{"-l"}, desc: []string{"List every configuration item."}}}, items...),
			usageArgs:   nil,
		},
		"lxc-net": {
			synopsis: []string{"{start|stop|restart|reload|force-reload|status|cleanup}"},
			description: []string{
				"golxc's lxc-net service: the lxcbr0 bridge with NAT and a DHCP/DNS server (dnsmasq) for containers, configured by /etc/default/lxc-net " +
					"(USE_LXC_BRIDGE, LXC_BRIDGE, LXC_BRIDGE_MAC, LXC_ADDR, LXC_NETMASK, LXC_NETWORK, LXC_DHCP_RANGE, LXC_DHCP_MAX, LXC_DHCP_CONFILE, " +
					"LXC_DHCP_PING, LXC_DOMAIN, LXC_IPV6_ADDR, LXC_IPV6_MASK, LXC_IPV6_NETWORK, LXC_IPV6_NAT), as LXC's lxc-net script reads it. " +
					"It is also run as golxc net ACTION, by the lxc-net.service unit and by /etc/init.d/lxc-net.",
			},
			entries: []helpEntry{
				{spec: []string{"start"}, desc: []string{"Create the bridge, its address, the NAT rules and start dnsmasq (unless USE_LXC_BRIDGE is not true)."}},
				{spec: []string{"stop"}, desc: []string{"Undo start: remove the NAT rules, stop dnsmasq and delete the bridge. stop force does so even when start was not recorded as done."}},
				{spec: []string{"restart"}, desc: []string{"stop, then start."}},
				{spec: []string{"reload"}, desc: []string{"As restart."}},
				{spec: []string{"force-reload"}, desc: []string{"As restart."}},
				{spec: []string{"status"}, desc: []string{"golxc's addition: say whether the bridge, NAT and dnsmasq are up."}},
				{spec: []string{"cleanup"}, desc: []string{"golxc's addition: remove the host-side interfaces and rules left by container monitors that were killed."}},
			},
		},
		"lxc-update-config": {
			synopsis:    []string{"-c FILE"},
			description: []string{"Rewrites a container configuration file that uses LXC 1.x/2.0 keys with the current key names, keeping the old file as FILE.backup. golxc also converts lxc.limit.* to lxc.prlimit.*."},
			entries: []helpEntry{
				{spec: []string{"-c,", "--config", "FILE"}, desc: []string{"The container configuration file to update."}},
				{spec: []string{"-h,", "--help"}, desc: []string{"Print the usage."}},
			},
			usageArgs: []string{"-h"},
		},
		"lxc-usernsexec": {
			synopsis:    []string{"[-h] [-m uid-map]... [-s] -- [COMMAND [ARG...]]"},
			description: []string{"Runs COMMAND (default /bin/sh) as root in a new user and mount namespace. Without -m the maps are the caller's ranges of /etc/subuid and /etc/subgid; an unprivileged caller's maps are written by newuidmap and newgidmap."},
			entries: []helpEntry{
				{spec: []string{"-h"}, desc: []string{"Print the usage."}},
				{spec: []string{"-m", "MAP"}, desc: []string{"A map u|g|b:NSID:HOSTID:RANGE: RANGE ids from HOSTID on the host appear from NSID on in the namespace (u: user ids, g: group ids, b: both). May be repeated."}},
				{spec: []string{"-s"}, desc: []string{"Also map the caller's own uid and gid (to root in the namespace)."}},
			},
			usageArgs: []string{"-h"},
		},
	}
}

// plainPage renders a plainTool's page.
func plainPage(name string, t plainTool) string {
	var p page
	p.header(name, 1, buildinfo.Version, summary(name))
	p.macro("SH", "SYNOPSIS")
	for i, s := range t.synopsis {
		if i > 0 {
			p.raw(".br")
		}
		p.raw(strings.TrimSpace(bold(name) + " " + esc(s)))
	}
	p.macro("SH", "DESCRIPTION")
	p.para(t.description...)
	if len(t.entries) > 0 {
		heading := "OPTIONS"
		if name == "lxc-net" {
			heading = "ACTIONS"
		}
		p.macro("SH", heading)
		for _, e := range t.entries {
			p.item(optionTag(e.spec), e.desc...)
		}
	}
	golxcSection(&p, name)
	return p.b.String()
}
