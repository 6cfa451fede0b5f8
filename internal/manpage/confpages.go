package manpage

import (
	"fmt"
	"sort"
	"strings"

	"github.com/golxc/golxc/internal/buildinfo"
	"github.com/golxc/golxc/internal/config"
)

// containerConfPage is lxc.container.conf(5), from the parser's tables.
func containerConfPage() (string, error) {
	var p page
	p.header("lxc.container.conf", 5, buildinfo.Version, "LXC container configuration, as golxc reads it")
	p.macro("SH", "DESCRIPTION")
	p.para("A container's configuration is the file config in its directory (LXCPATH/NAME/config): " +
		"lines KEY = VALUE, comments starting with #, blank lines. A key may be given several times; " +
		"for list keys each line adds an entry and an empty value clears the list. " +
		"lxc-start -s KEY=VAL and lxc-execute -s set keys for one run; lxc-info -c KEY reads them back.")
	p.para("This page lists every key golxc's parser accepts, grouped by their second component. " +
		"Prefix keys (written KEY.*) take what follows the prefix as part of the key.")
	keys := config.Keys()
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].Name < keys[j].Name })
	group := ""
	for _, k := range keys {
		doc, ok := keyDocs()[k.Name]
		if !ok {
			return "", fmt.Errorf("config key %s has no description in manpage's keyDocs", k.Name)
		}
		if g := keyGroup(k.Name); g != group {
			group = g
			p.macro("SH", strings.ToUpper(g))
		}
		tag := k.Name
		if k.Prefix {
			tag = strings.TrimSuffix(tag, ".") + ".*"
		}
		p.item(bold(tag), doc)
	}
	p.macro("SH", "NETWORK")
	p.para("Network devices are numbered: lxc.net.N.SUBKEY, N from 0. lxc.net.N.type comes first. Sub-keys:")
	for _, s := range config.NetSubkeys() {
		doc, ok := netDocs()[s.Name]
		if !ok {
			return "", fmt.Errorf("network sub-key %s has no description in manpage's netDocs", s.Name)
		}
		if s.Type != "" {
			doc += " (type " + s.Type + " only)"
		}
		p.item(bold("lxc.net.N."+s.Name), doc)
	}
	p.para("Types: " + strings.Join(config.NetTypes(), ", ") + ".")
	p.macro("SH", "LEGACY KEYS")
	p.para("LXC 5 rejects the keys of LXC 1.x and 2.0; golxc reads them as their current names and writes one warning per key name, " +
		"so old configs keep working. lxc-update-config -c FILE rewrites a file with the current names.")
	for _, l := range config.LegacyKeys() {
		old, cur := l.Old, l.New
		if l.Prefix {
			old, cur = old+"*", cur+"*"
		}
		switch {
		case cur == "":
			p.item(bold(old), "Ignored (with a warning).")
		case l.Old == "lxc.rootfs.backend":
			p.item(bold(old), "Read as the TYPE: prefix of "+cur+".")
		default:
			p.item(bold(old), "Read as "+cur+".")
		}
	}
	p.macro("SH", "GOLXC")
	p.para("golxc implements LXC 5.0.2's keys, values and errors; an error names the file, line and key and what to do.")
	p.macro("SH", "SEE ALSO")
	p.raw(`\fBlxc.system.conf\fR(5), \fBlxc\-start\fR(1), \fBlxc\-update\-config\fR(1), \fBgolxc\fR(1)`)
	return p.b.String(), nil
}

// keyGroup is the section of a key: "lxc.cgroup.dir" -> "cgroup".
func keyGroup(name string) string {
	parts := strings.Split(strings.TrimSuffix(name, "."), ".")
	if len(parts) < 2 {
		return name
	}
	g := parts[1]
	if g == "cgroup2" {
		g = "cgroup"
	}
	return g
}

// systemConfPage is lxc.system.conf(5).
func systemConfPage() (string, error) {
	var p page
	p.header("lxc.system.conf", 5, buildinfo.Version, "LXC system configuration")
	p.macro("SH", "DESCRIPTION")
	p.para("The system configuration is /etc/lxc/lxc.conf for root and ~/.config/lxc/lxc.conf for other users: " +
		"lines KEY = VALUE and # comments. lxc-config -l lists the items and lxc-config ITEM prints a value, " +
		"the built-in default when the file does not set it.")
	p.macro("SH", "ITEMS")
	seen := map[string]bool{}
	keys := append(config.GlobalKeys(), "lxc.bdev.rbd.rbdpool")
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		doc, ok := globalDocs()[k]
		if !ok {
			return "", fmt.Errorf("system key %s has no description in manpage's globalDocs", k)
		}
		p.item(bold(k), doc)
	}
	p.macro("SH", "SEE ALSO")
	p.raw(`\fBlxc\-config\fR(1), \fBlxc.container.conf\fR(5), \fBgolxc\fR(1)`)
	return p.b.String(), nil
}

// usernetPage is lxc-usernet(5), the quota file of lxc-user-nic.
func usernetPage() string {
	var p page
	p.header("lxc-usernet", 5, buildinfo.Version, "network devices unprivileged users may create")
	p.macro("SH", "DESCRIPTION")
	p.para("/etc/lxc/lxc-usernet says how many network interfaces each user may attach to which bridge through lxc-user-nic, " +
		"the setuid-root helper an unprivileged container's start calls for its veth devices. " +
		"golxc installs its lxc-user-nic in PREFIX/libexec/golxc.")
	p.macro("SH", "FORMAT")
	p.para("One allotment per line, four words; # starts a comment:")
	p.literal("USER TYPE BRIDGE COUNT", "@GROUP TYPE BRIDGE COUNT")
	p.item(bold("USER")+", "+bold("@GROUP"), "The user name, or @ and a group name for every member of the group.")
	p.item(bold("TYPE"), "The device type: veth.")
	p.item(bold("BRIDGE"), "The host bridge the devices join (e.g. lxcbr0).")
	p.item(bold("COUNT"), "How many devices may exist at once. Every line that applies to the caller counts; the first one with room is used.")
	p.macro("SH", "EXAMPLE")
	p.literal("alice veth lxcbr0 10", "@lxcusers veth lxcbr0 2")
	p.macro("SH", "FILES")
	p.para("/etc/lxc/lxc-usernet; the devices in use are recorded in /run/lxc/nics.")
	p.macro("SH", "SEE ALSO")
	p.raw(`\fBlxc.container.conf\fR(5), \fBgolxc\fR(1)`)
	return p.b.String()
}
