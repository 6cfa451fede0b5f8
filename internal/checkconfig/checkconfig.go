// Package checkconfig is lxc-checkconfig: it reports whether the kernel
// configuration has what containers need (§2.19), with the same report
// layout and wording as LXC's script.
package checkconfig

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// DefaultConfig is where the running kernel's config is read first.
const DefaultConfig = "/proc/config.gz"

// Options configure one run.
type Options struct {
	Stdout, Stderr io.Writer
	// Color adds ANSI colours (LXC does so when stdout is a terminal).
	Color bool
	// ConfigPath is $CONFIG; "" means DefaultConfig, then a search of
	// /lib/modules/RELEASE/build/.config and /boot/config-RELEASE.
	ConfigPath string
	// Version is printed as "LXC version X"; "" omits the line.
	Version string
	// Argv0 is how the tool was invoked ($0), shown in the closing usage
	// line; "" means /usr/bin/lxc-checkconfig.
	Argv0 string

	host *host // nil: the real machine
}

const (
	colorSuccess = "\033[1;32m"
	colorFailure = "\033[1;31m"
	colorWarning = "\033[1;33m"
	colorNormal  = "\033[0;39m"
)

// report writes the check lines; it keeps the script's quirks (which items
// get ", loaded" suffixes, where newlines are missing) on purpose.
type report struct {
	w     io.Writer
	color bool
	cfg   kernelConfig
	host  host
}

func (r *report) print(s string)            { io.WriteString(r.w, s) }
func (r *report) printf(f string, a ...any) { fmt.Fprintf(r.w, f, a...) }

func (r *report) colored(c, s string) {
	if r.color {
		r.print(c + s + colorNormal)
		return
	}
	r.print(s)
}

// show prints enabled/required/missing and reports whether it was enabled.
func (r *report) show(ok, mandatory bool) bool {
	switch {
	case ok:
		r.colored(colorSuccess, "enabled")
	case mandatory:
		r.colored(colorFailure, "required")
	default:
		r.colored(colorWarning, "missing")
	}
	return ok
}

// item is one "Label: state" line.
func (r *report) item(label, option string, mandatory bool) bool {
	r.print(label + ": ")
	ok := r.show(r.cfg.isSet(option), mandatory)
	r.print("\n")
	return ok
}

// module is an item followed by the loaded/not loaded suffix when enabled.
func (r *report) module(label, option, mod string) {
	r.print(label + ": ")
	if r.show(r.cfg.isSet(option), false) {
		r.print(r.host.probe(mod))
	}
	r.print("\n")
}

// Run prints the report and returns the exit code (1 only when no kernel
// configuration can be found).
func Run(o Options) int {
	h := realHost()
	if o.host != nil {
		h = *o.host
	}
	argv0 := o.Argv0
	if argv0 == "" {
		argv0 = "/usr/bin/lxc-checkconfig"
	}
	if o.Version != "" {
		fmt.Fprintf(o.Stdout, "LXC version %s\n", o.Version)
	}
	path, ok := findConfig(o, h)
	if !ok {
		name := filepath.Base(argv0)
		fmt.Fprintf(o.Stderr, "%s: unable to retrieve kernel configuration\n\n", name)
		if mod := h.configsModule(); mod != "" && isRegular(mod) {
			fmt.Fprint(o.Stderr, "Try modprobe configs module, or\n")
		}
		fmt.Fprint(o.Stderr, "Try recompiling with IKCONFIG_PROC, installing the kernel headers,\n")
		fmt.Fprint(o.Stderr, "or specifying the kernel configuration path with:\n")
		fmt.Fprintf(o.Stderr, "  CONFIG=<path> %s\n", name)
		return 1
	}
	cfg, err := readKernelConfig(path)
	if err != nil {
		fmt.Fprintf(o.Stderr, "%s: cannot read kernel configuration %s: %v\n", filepath.Base(argv0), path, err)
		return 1
	}
	r := &report{w: o.Stdout, color: o.Color, cfg: cfg, host: h}
	r.all(argv0)
	return 0
}

// findConfig applies the script's lookup: $CONFIG (default /proc/config.gz);
// if that is not a file, announce a search, where /boot wins over the
// kernel headers.
func findConfig(o Options, h host) (string, bool) {
	path := o.ConfigPath
	if path == "" {
		path = DefaultConfig
	}
	if isRegular(path) {
		return path, true
	}
	fmt.Fprintf(o.Stdout, "Kernel configuration not found at %s; searching...\n", path)
	for _, p := range []string{
		filepath.Join(h.bootDir, "config-"+h.release),
		filepath.Join(h.modulesRoot, h.release, "build", ".config"),
	} {
		if isRegular(p) {
			fmt.Fprintf(o.Stdout, "Kernel configuration found at %s\n", p)
			return p, true
		}
	}
	return "", false
}

func (r *report) all(argv0 string) {
	major, minor, ok := r.cfg.version()
	if !ok {
		r.print("WARNING: Unable to detect version from configuration, assuming latest\n\n")
		major, minor = 100, 0
	}
	r.namespaces(major, minor)
	r.cgroups(major, minor)
	r.misc(major, minor)
	r.checkpoint(major, minor)
	r.print("\nNote : Before booting a new kernel, you can check its configuration\n")
	r.printf("usage : CONFIG=/path/to/config %s\n\n", argv0)
}

func (r *report) namespaces(major, minor int) {
	r.print("\n--- Namespaces ---\n")
	r.item("Namespaces", "CONFIG_NAMESPACES", true)
	r.item("Utsname namespace", "CONFIG_UTS_NS", false)
	r.item("Ipc namespace", "CONFIG_IPC_NS", true)
	r.item("Pid namespace", "CONFIG_PID_NS", true)
	r.item("User namespace", "CONFIG_USER_NS", false)
	if r.cfg.isSet("CONFIG_USER_NS") {
		for _, tool := range []string{"newuidmap", "newgidmap"} {
			if msg := setuidProblem(tool); msg != "" {
				r.print(msg + "\n")
			}
		}
	}
	r.item("Network namespace", "CONFIG_NET_NS", false)
	if major < 4 || (major == 4 && minor < 7) {
		r.item("Multiple /dev/pts instances", "DEVPTS_MULTIPLE_INSTANCES", false)
	}
	r.print("\n")
}

func (r *report) cgroups(major, minor int) {
	r.print("--- Control groups ---\n")
	r.item("Cgroups", "CONFIG_CGROUPS", false)
	r.print("Cgroup namespace: ")
	r.show(isRegular(r.host.cgroupNS), false)
	r.print("\n")

	v1 := r.host.cgroupMounts("cgroup")
	v2 := r.host.cgroupMounts("cgroup2")
	r.print("Cgroup v1 mount points: \n")
	for _, m := range v1 {
		r.print(" - " + m + "\n")
	}
	r.print("Cgroup v2 mount points: \n")
	for _, m := range v2 {
		r.print(" - " + m + "\n")
	}
	if strings.Join(v2, "\n") != "/sys/fs/cgroup" {
		for _, ctrl := range []string{"systemd", "freezer"} {
			if !anyContains(v1, "/"+ctrl) {
				r.print("Cgroup v1 " + ctrl + " controller: ")
				r.colored(colorFailure, "missing")
				r.print("\n")
			}
		}
		if len(v1) > 0 && isRegular(filepath.Join(v1[0], "cgroup.clone_children")) {
			r.print("Cgroup v1 clone_children flag: ")
			// The script resets the colour after the newline.
			r.colored(colorSuccess, "enabled\n")
		}
	}
	r.item("Cgroup device", "CONFIG_CGROUP_DEVICE", false)
	r.item("Cgroup sched", "CONFIG_CGROUP_SCHED", false)
	r.item("Cgroup cpu account", "CONFIG_CGROUP_CPUACCT", false)
	if (major >= 3 && minor >= 6) || major > 3 {
		r.item("Cgroup memory controller", "CONFIG_MEMCG", false)
	} else {
		r.item("Cgroup memory controller", "CONFIG_CGROUP_MEM_RES_CTLR", false)
	}
	if r.cfg.isSet("CONFIG_SMP") {
		// LXC prints no newline after a missing cpuset (its "&& echo"
		// chain stops), so the blank line below closes that line instead.
		r.print("Cgroup cpuset: ")
		if r.show(r.cfg.isSet("CONFIG_CPUSETS"), false) {
			r.print("\n")
		}
	}
	r.print("\n")
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func (r *report) misc(major, minor int) {
	r.print("--- Misc ---\n")
	r.module("Veth pair device", "CONFIG_VETH", "veth")
	r.module("Macvlan", "CONFIG_MACVLAN", "macvlan")
	r.module("Vlan", "CONFIG_VLAN_8021Q", "8021q")
	r.module("Bridges", "CONFIG_BRIDGE", "bridge")
	r.module("Advanced netfilter", "CONFIG_NETFILTER_ADVANCED", "nf_tables")
	if major > 3 && minor > 6 && major < 5 {
		r.module("CONFIG_NF_NAT_IPV4", "CONFIG_NF_NAT_IPV4", "nf_nat_ipv4")
		r.module("CONFIG_NF_NAT_IPV6", "CONFIG_NF_NAT_IPV6", "nf_nat_ipv6")
	}
	r.module("CONFIG_IP_NF_TARGET_MASQUERADE", "CONFIG_IP_NF_TARGET_MASQUERADE", "nf_nat_masquerade_ipv4")
	r.module("CONFIG_IP6_NF_TARGET_MASQUERADE", "CONFIG_IP6_NF_TARGET_MASQUERADE", "nf_nat_masquerade_ipv6")
	r.module("CONFIG_NETFILTER_XT_TARGET_CHECKSUM", "CONFIG_NETFILTER_XT_TARGET_CHECKSUM", "xt_CHECKSUM")
	r.module("CONFIG_NETFILTER_XT_MATCH_COMMENT", "CONFIG_NETFILTER_XT_MATCH_COMMENT", "xt_comment")
	r.module("FUSE (for use with lxcfs)", "CONFIG_FUSE_FS", "fuse")
	r.print("\n")
}

func (r *report) checkpoint(major, minor int) {
	r.print("--- Checkpoint/Restore ---\n")
	r.item("checkpoint restore", "CONFIG_CHECKPOINT_RESTORE", false)
	for _, opt := range []string{"CONFIG_FHANDLE", "CONFIG_EVENTFD", "CONFIG_EPOLL", "CONFIG_UNIX_DIAG",
		"CONFIG_INET_DIAG", "CONFIG_PACKET_DIAG", "CONFIG_NETLINK_DIAG"} {
		r.item(opt, opt, false)
	}
	if major == 2 && minor < 33 {
		r.item("File capabilities", "CONFIG_SECURITY_FILE_CAPABILITIES", false)
		return
	}
	r.print("File capabilities: ")
	r.colored(colorSuccess, "enabled\n")
}
