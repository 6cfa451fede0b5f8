package checkconfig

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const lxcScript = "/usr/bin/lxc-checkconfig"

// synthetic is a 6.x config with some options on, some off.
const synthetic = `#
# Automatically generated file; DO NOT EDIT.
# Linux/x86 6.1.0 Kernel Configuration
#
CONFIG_NAMESPACES=y
CONFIG_UTS_NS=y
# CONFIG_IPC_NS is not set
CONFIG_PID_NS=y
CONFIG_NET_NS=y
CONFIG_CGROUPS=y
CONFIG_CGROUP_DEVICE=y
CONFIG_MEMCG=y
CONFIG_SMP=y
CONFIG_VETH=m
CONFIG_BRIDGE=m
CONFIG_FUSE_FS=y
CONFIG_EPOLL=y
`

// fixtureHost is a host whose /proc files are test files.
func fixtureHost(t *testing.T, modules, mounts string) *host {
	t.Helper()
	dir := t.TempDir()
	h := &host{
		modules:     filepath.Join(dir, "modules"),
		mounts:      filepath.Join(dir, "mounts"),
		cgroupNS:    filepath.Join(dir, "ns-cgroup"),
		modulesRoot: filepath.Join(dir, "lib-modules"),
		bootDir:     filepath.Join(dir, "boot"),
		release:     "6.1.0-test",
	}
	os.WriteFile(h.mounts, []byte(mounts), 0o644)
	os.WriteFile(h.cgroupNS, nil, 0o644)
	if modules != "" {
		os.WriteFile(h.modules, []byte(modules), 0o644)
	}
	return h
}

func writeConfig(t *testing.T, text string, gz bool) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config")
	data := []byte(text)
	if gz {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		zw.Close()
		data = b.Bytes()
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, o Options) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	o.Stdout, o.Stderr = &out, &errb
	code = Run(o)
	return out.String(), errb.String(), code
}

const fixtureMounts = `cgroup /golxc-none/cgroup/memory cgroup rw,memory 0 0
cgroup2 /golxc-none/cgroup/unified cgroup2 rw 0 0
cgroup /golxc-none/cgroup/systemd cgroup rw,name=systemd 0 0
proc /proc proc rw 0 0
`

const fixtureModules = `veth 40960 0 - Live 0x0000000000000000
nf_tables 290816 0 - Live 0x0000000000000000
`

func TestSyntheticConfigReport(t *testing.T) {
	for _, gz := range []bool{false, true} {
		cfg := writeConfig(t, synthetic, gz)
		out, errOut, code := run(t, Options{ConfigPath: cfg, Version: "5.0.2", Argv0: "/usr/bin/lxc-checkconfig",
			host: fixtureHost(t, fixtureModules, fixtureMounts)})
		if code != 0 || errOut != "" {
			t.Fatalf("code %d stderr %q", code, errOut)
		}
		want := `LXC version 5.0.2

--- Namespaces ---
Namespaces: enabled
Utsname namespace: enabled
Ipc namespace: required
Pid namespace: enabled
User namespace: missing
Network namespace: enabled

--- Control groups ---
Cgroups: enabled
Cgroup namespace: enabled
Cgroup v1 mount points: 
 - /golxc-none/cgroup/memory
 - /golxc-none/cgroup/systemd
Cgroup v2 mount points: 
 - /golxc-none/cgroup/unified
Cgroup v1 freezer controller: missing
Cgroup device: enabled
Cgroup sched: missing
Cgroup cpu account: missing
Cgroup memory controller: enabled
Cgroup cpuset: missing
--- Misc ---
Veth pair device: enabled, loaded
Macvlan: missing
Vlan: missing
Bridges: enabled, not loaded
Advanced netfilter: missing
CONFIG_IP_NF_TARGET_MASQUERADE: missing
CONFIG_IP6_NF_TARGET_MASQUERADE: missing
CONFIG_NETFILTER_XT_TARGET_CHECKSUM: missing
CONFIG_NETFILTER_XT_MATCH_COMMENT: missing
FUSE (for use with lxcfs): enabled, not loaded

--- Checkpoint/Restore ---
checkpoint restore: missing
CONFIG_FHANDLE: missing
CONFIG_EVENTFD: missing
CONFIG_EPOLL: enabled
CONFIG_UNIX_DIAG: missing
CONFIG_INET_DIAG: missing
CONFIG_PACKET_DIAG: missing
CONFIG_NETLINK_DIAG: missing
File capabilities: enabled

Note : Before booting a new kernel, you can check its configuration
usage : CONFIG=/path/to/config /usr/bin/lxc-checkconfig

`
		if out != want {
			t.Fatalf("gz=%v report:\n%s\nwant:\n%s", gz, out, want)
		}
	}
}

func TestColours(t *testing.T) {
	cfg := writeConfig(t, synthetic, false)
	out, _, _ := run(t, Options{ConfigPath: cfg, Color: true, host: fixtureHost(t, "", fixtureMounts)})
	for _, want := range []string{
		"Namespaces: \033[1;32menabled\033[0;39m\n",
		"Ipc namespace: \033[1;31mrequired\033[0;39m\n",
		"User namespace: \033[1;33mmissing\033[0;39m\n",
		"Veth pair device: \033[1;32menabled\033[0;39m\n", // no /proc/modules: no suffix
		"File capabilities: \033[1;32menabled\n\033[0;39m",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("coloured output lacks %q:\n%s", want, out)
		}
	}
	plain, _, _ := run(t, Options{ConfigPath: cfg, host: fixtureHost(t, "", fixtureMounts)})
	if strings.Contains(plain, "\033") {
		t.Fatal("escape codes without Color")
	}
}

func TestOldKernelBranches(t *testing.T) {
	old := "# Linux/i386 2.6.32 Kernel Configuration\nCONFIG_CGROUP_MEM_RES_CTLR=y\nCONFIG_NF_NAT_IPV4=y\n"
	out, _, _ := run(t, Options{ConfigPath: writeConfig(t, old, false), host: fixtureHost(t, "", fixtureMounts)})
	for _, want := range []string{"Multiple /dev/pts instances: missing\n", "Cgroup memory controller: enabled\n",
		"File capabilities: missing\n"} {
		if !strings.Contains(out, want) {
			t.Fatalf("2.6.32 report lacks %q:\n%s", want, out)
		}
	}
	k44 := "# Linux/x86 4.9.0 Kernel Configuration\nCONFIG_NF_NAT_IPV4=y\n"
	out, _, _ = run(t, Options{ConfigPath: writeConfig(t, k44, false), host: fixtureHost(t, "", fixtureMounts)})
	if !strings.Contains(out, "Advanced netfilter: missing\nCONFIG_NF_NAT_IPV4: enabled\nCONFIG_NF_NAT_IPV6: missing\n") {
		t.Fatalf("4.9 report lacks NF_NAT lines:\n%s", out)
	}
	if strings.Contains(out, "Multiple /dev/pts") {
		t.Fatal("4.9 shows the /dev/pts line")
	}
	out, _, _ = run(t, Options{ConfigPath: writeConfig(t, "CONFIG_X=y\n", false), host: fixtureHost(t, "", fixtureMounts)})
	if !strings.Contains(out, "WARNING: Unable to detect version from configuration, assuming latest\n\n\n--- Namespaces ---") {
		t.Fatalf("no version warning:\n%s", out)
	}
}

func TestSearchAndNotFound(t *testing.T) {
	h := fixtureHost(t, "", fixtureMounts)
	missing := filepath.Join(t.TempDir(), "nope")
	out, errOut, code := run(t, Options{ConfigPath: missing, Version: "5.0.2", Argv0: "/usr/bin/lxc-checkconfig", host: h})
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	if out != "LXC version 5.0.2\nKernel configuration not found at "+missing+"; searching...\n" {
		t.Fatalf("stdout %q", out)
	}
	wantErr := "lxc-checkconfig: unable to retrieve kernel configuration\n\n" +
		"Try recompiling with IKCONFIG_PROC, installing the kernel headers,\n" +
		"or specifying the kernel configuration path with:\n" +
		"  CONFIG=<path> lxc-checkconfig\n"
	if errOut != wantErr {
		t.Fatalf("stderr %q\nwant %q", errOut, wantErr)
	}
	// With the ikconfig module on disk, the hint mentions modprobe.
	kdir := filepath.Join(h.modulesRoot, h.release, "kernel/kernel")
	os.MkdirAll(kdir, 0o755)
	os.WriteFile(filepath.Join(kdir, "configs.ko.xz"), nil, 0o644)
	os.WriteFile(filepath.Join(h.modulesRoot, h.release, "modules.dep"), []byte("kernel/kernel/configs.ko.xz:\n"), 0o644)
	_, errOut, _ = run(t, Options{ConfigPath: missing, host: h})
	if !strings.Contains(errOut, "\n\nTry modprobe configs module, or\nTry recompiling") {
		t.Fatalf("no modprobe hint: %q", errOut)
	}
	// Headers config then /boot config: /boot wins, as in the script.
	build := filepath.Join(h.modulesRoot, h.release, "build")
	os.MkdirAll(build, 0o755)
	os.WriteFile(filepath.Join(build, ".config"), []byte(synthetic), 0o644)
	out, _, code = run(t, Options{ConfigPath: missing, host: h})
	if code != 0 || !strings.Contains(out, "Kernel configuration found at "+filepath.Join(build, ".config")+"\n") {
		t.Fatalf("headers config not used: %d\n%s", code, out)
	}
	os.MkdirAll(h.bootDir, 0o755)
	boot := filepath.Join(h.bootDir, "config-"+h.release)
	os.WriteFile(boot, []byte(synthetic), 0o644)
	out, _, _ = run(t, Options{ConfigPath: missing, host: h})
	if !strings.Contains(out, "Kernel configuration found at "+boot+"\n") {
		t.Fatalf("/boot config not preferred:\n%s", out)
	}
}

func TestIsSetIsUnanchoredLikeGrep(t *testing.T) {
	c := kernelConfig("# CONFIG_A is not set\nCONFIG_BB=m\nCONFIG_C=n\n")
	if c.isSet("CONFIG_A") || !c.isSet("CONFIG_BB") || c.isSet("CONFIG_C") || !c.isSet("BB") {
		t.Fatal("isSet does not follow grep NAME=[y|m]")
	}
}

// realConfigPath finds this machine's kernel config the way Run does.
func realConfigPath() string {
	h := realHost()
	for _, p := range []string{os.Getenv("CONFIG"), DefaultConfig, filepath.Join(h.bootDir, "config-"+h.release),
		filepath.Join(h.modulesRoot, h.release, "build", ".config")} {
		if p != "" && isRegular(p) {
			return p
		}
	}
	return ""
}

func TestRealMachine(t *testing.T) {
	p := realConfigPath()
	if p == "" {
		t.Skip("no kernel config on this machine")
	}
	out, errOut, code := run(t, Options{ConfigPath: p, Version: "5.0.2"})
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
	for _, want := range []string{"LXC version 5.0.2\n", "--- Namespaces ---\nNamespaces: enabled\n",
		"Pid namespace: enabled\n", "--- Control groups ---\n", "--- Checkpoint/Restore ---\n"} {
		if !strings.Contains(out, want) {
			t.Fatalf("report lacks %q:\n%s", want, out)
		}
	}
}

// TestMatchesLXCScript compares with LXC's own script (oracle only) on
// this machine, byte for byte, for the real config and a synthetic one.
func TestMatchesLXCScript(t *testing.T) {
	if _, err := os.Stat(lxcScript); err != nil {
		t.Skip("LXC's lxc-checkconfig not installed")
	}
	configs := []string{writeConfig(t, synthetic, false), writeConfig(t, synthetic, true)}
	if p := realConfigPath(); p != "" {
		configs = append(configs, p)
	}
	for _, cfg := range configs {
		cmd := exec.Command("sh", lxcScript)
		cmd.Env = append(os.Environ(), "CONFIG="+cfg)
		var wantOut, wantErr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &wantOut, &wantErr
		if err := cmd.Run(); err != nil {
			t.Fatalf("lxc-checkconfig: %v %s", err, wantErr.String())
		}
		version := ""
		if first, _, _ := strings.Cut(wantOut.String(), "\n"); strings.HasPrefix(first, "LXC version ") {
			version = strings.TrimPrefix(first, "LXC version ")
		}
		out, _, code := run(t, Options{ConfigPath: cfg, Version: version, Argv0: lxcScript})
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
		if out != wantOut.String() {
			t.Fatalf("CONFIG=%s differs from lxc-checkconfig\n--- golxc\n%s\n--- lxc\n%s", cfg, out, wantOut.String())
		}
	}
}

func TestCgroupV1Flags(t *testing.T) {
	first := t.TempDir()
	os.WriteFile(filepath.Join(first, "cgroup.clone_children"), []byte("0\n"), 0o644)
	mounts := "cgroup " + first + " cgroup rw,cpu 0 0\n"
	out, _, _ := run(t, Options{ConfigPath: writeConfig(t, synthetic, false), host: fixtureHost(t, "", mounts)})
	want := "Cgroup v1 mount points: \n - " + first + "\nCgroup v2 mount points: \n" +
		"Cgroup v1 systemd controller: missing\nCgroup v1 freezer controller: missing\n" +
		"Cgroup v1 clone_children flag: enabled\nCgroup device: "
	if !strings.Contains(out, want) {
		t.Fatalf("report lacks\n%s\ngot:\n%s", want, out)
	}
	// Pure cgroup2 at /sys/fs/cgroup: no v1 controller checks at all.
	out, _, _ = run(t, Options{ConfigPath: writeConfig(t, synthetic, false),
		host: fixtureHost(t, "", "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n")})
	if strings.Contains(out, "Cgroup v1 systemd") || !strings.Contains(out, "Cgroup v2 mount points: \n - /sys/fs/cgroup\nCgroup device: ") {
		t.Fatalf("unified layout report wrong:\n%s", out)
	}
}

func TestMatchesLXCScriptNotFound(t *testing.T) {
	if _, err := os.Stat(lxcScript); err != nil {
		t.Skip("LXC's lxc-checkconfig not installed")
	}
	h := realHost()
	for _, p := range []string{filepath.Join(h.bootDir, "config-"+h.release), filepath.Join(h.modulesRoot, h.release, "build", ".config")} {
		if isRegular(p) {
			t.Skip("this machine has " + p + "; the search would succeed")
		}
	}
	missing := filepath.Join(t.TempDir(), "nope")
	cmd := exec.Command("sh", lxcScript)
	cmd.Env = append(os.Environ(), "CONFIG="+missing)
	var wantOut, wantErr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &wantOut, &wantErr
	err := cmd.Run()
	wantCode := 0
	if ee, ok := err.(*exec.ExitError); ok {
		wantCode = ee.ExitCode()
	}
	version := strings.TrimPrefix(strings.SplitN(wantOut.String(), "\n", 2)[0], "LXC version ")
	out, errOut, code := run(t, Options{ConfigPath: missing, Version: version, Argv0: lxcScript})
	if out != wantOut.String() || errOut != wantErr.String() || code != wantCode {
		t.Fatalf("golxc: %d\n%s\n%s\nlxc: %d\n%s\n%s", code, out, errOut, wantCode, wantOut.String(), wantErr.String())
	}
}
