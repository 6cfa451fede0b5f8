package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/lxclib"
	"github.com/golxc/golxc/internal/testbuild"
)

// TestDebPackage builds the package as make deb does (scripts/mkdeb.sh),
// checks what it holds, then installs it with dpkg into a scratch root
// whose dpkg database has Debian's lxc installed: dpkg removes lxc in
// favour of golxc (Conflicts + Replaces), the tools run, and a purge
// leaves nothing of golxc. Then the test proper, in an overlay
// of the host (debAptRoundTrip): apt-get install, the demo's steps with
// the packaged tools, apt-get purge, nothing left. The real system's
// files and dpkg database are not used.
func TestDebPackage(t *testing.T) {
	needRoot(t)
	for _, tool := range []string{"dpkg-deb", "dpkg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	usernic := filepath.Join(dir, "lxc-user-nic")
	// As make build links it.
	build := exec.Command("go", "build", "-trimpath", "-tags", "netgo,osusergo", "-ldflags", "-s -w",
		"-o", usernic, "github.com/golxc/golxc/cmd/lxc-user-nic")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build lxc-user-nic: %v\n%s", err, out)
	}
	// As make liblxc builds them: the shim liblxc.so.1 and libgolxc-capi.so.
	liblxc := filepath.Join(dir, "lib")
	srcRoot, _ := filepath.Abs("../..")
	if out, err := exec.Command(filepath.Join(srcRoot, "scripts/build-liblxc.sh"), liblxc).CombinedOutput(); err != nil {
		t.Fatalf("build liblxc: %v\n%s", err, out)
	}
	mk := exec.Command("../../scripts/mkdeb.sh", dir)
	// binutils is not needed: mkdeb.sh runs here without objdump.
	mk.Env = append(os.Environ(), "PATH="+pathWithout(t, "objdump"), "GOLXC="+filepath.Join(binDir, "golxc"), "USERNIC="+usernic,
		"IMAGE="+filepath.Join(binDir, "golxc-image"), "GOLXC_QUERY="+filepath.Join(binDir, "golxc-query"),
		"LIBLXC="+liblxc, "GOLXC_LIBC="+testbuild.Libc())
	out, err := mk.CombinedOutput()
	if err != nil {
		t.Fatalf("mkdeb.sh: %v\n%s", err, out)
	}
	deb := strings.TrimSpace(string(out))

	info, err := exec.Command("dpkg-deb", "-I", deb).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb -I: %v\n%s", err, info)
	}
	for _, want := range []string{"Package: golxc", "Depends: libc6 (>= 2.", "Conflicts: lxc", "Replaces: lxc", "Provides: lxc (= 1:5.0.2)", "postinst", "postrm", "triggers"} {
		if !strings.Contains(string(info), want) {
			t.Errorf("dpkg-deb -I lacks %q:\n%s", want, info)
		}
	}
	// golxc linked with musl names musl's source package (Debian policy).
	if testbuild.Libc() == "musl" && !strings.Contains(string(info), "Built-Using: musl (= ") {
		t.Errorf("dpkg-deb -I of a golxc linked with musl lacks Built-Using: musl:\n%s", info)
	}
	list, err := exec.Command("dpkg-deb", "-c", deb).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb -c: %v\n%s", err, list)
	}
	contents := string(list)
	tools := strings.Fields(runPath(t, nil, filepath.Join(binDir, "golxc"), "--list-implemented").stdout)
	if len(tools) == 0 {
		t.Fatal("golxc --list-implemented listed nothing")
	}
	queryTools := strings.Fields(runPath(t, nil, filepath.Join(binDir, "golxc-query"), "--list-tools").stdout)
	want := []string{"-rwsr-xr-x root/root", "./usr/libexec/golxc/lxc-user-nic", "./usr/libexec/golxc/golxc-image", "./usr/bin/golxc", "./usr/bin/golxc-query",
		"./usr/share/man/man5/lxc.container.conf.5.gz", "./usr/share/man/man1/golxc.1.gz", "./usr/share/man/man1/golxc-query.1.gz",
		"./usr/share/bash-completion/completions/golxc", "./lib/systemd/system/lxc.service",
		"./lib/systemd/system/lxc-net.service", "./etc/init.d/lxc", "./usr/libexec/golxc/golxc-containers",
		"./usr/share/doc/golxc/copyright",
		// golxc's liblxc (the shim and golxc's library beside it) in a
		// directory of golxc's that ld.so.conf.d puts before liblxc1's
		"-rw-r--r-- root/root", "./usr/lib/golxc/liblxc.so.1\n", "./usr/lib/golxc/libgolxc-capi.so\n",
		"./usr/lib/golxc/liblxc.so -> liblxc.so.1\n", "./usr/lib/golxc/pkgconfig/lxc.pc\n",
		"./etc/ld.so.conf.d/golxc-liblxc.conf\n",
		// golxc's headers, beside lxc-dev's /usr/include/lxc
		"./usr/include/golxc/lxc/lxccontainer.h\n", "./usr/include/golxc/lxc/attach_options.h\n",
		"./usr/include/golxc/lxc/version.h\n"}
	for _, tool := range tools {
		target := "golxc\n"
		if containsString(queryTools, tool) {
			target = "golxc-query\n"
		}
		want = append(want, "./usr/bin/"+tool+" -> "+target, "./usr/share/man/man1/"+tool+".1.gz",
			"./usr/share/bash-completion/completions/"+tool+" -> golxc")
	}
	for _, w := range want {
		if !strings.Contains(contents, w) {
			t.Errorf("package lacks %q", w)
		}
	}
	// Only the implemented tools are linked.
	for _, l := range strings.Split(contents, "\n") {
		if i := strings.Index(l, "./usr/bin/lxc-"); i >= 0 {
			name := strings.Fields(l[i+len("./usr/bin/"):])[0]
			if !containsString(tools, name) {
				t.Errorf("package links %s, which golxc does not implement", name)
			}
		}
	}

	// lintian, when installed: no errors and no warnings (a missing or
	// broken man page is a warning; the overrides are explained in
	// mkdeb.sh: static golxc, setuid lxc-user-nic).
	if lintian, err := exec.LookPath("lintian"); err == nil {
		out, _ := exec.Command(lintian, "--tag-display-limit", "0", deb).CombinedOutput()
		for _, l := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(l, "E: ") || strings.HasPrefix(l, "W: ") {
				t.Errorf("lintian: %s", l)
			}
		}
	}

	root := filepath.Join(dir, "root")
	admin := filepath.Join(root, "var/lib/dpkg")
	for _, d := range []string{"info", "updates"} {
		if err := os.MkdirAll(filepath.Join(admin, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	status := "Package: lxc\nStatus: install ok installed\nPriority: optional\nSection: admin\nMaintainer: x <x@example.org>\n" +
		"Architecture: " + debArch(t) + "\nVersion: 1:5.0.2-1+deb12u4\nDescription: stand-in for Debian's lxc\n\n" +
		// the library's dependency, as the host has it
		"Package: libc6\nStatus: install ok installed\nPriority: optional\nSection: libs\nMaintainer: x <x@example.org>\n" +
		"Architecture: " + debArch(t) + "\nVersion: " + hostLibcVersion(t) + "\nDescription: stand-in for Debian's libc6\n\n"
	if err := os.WriteFile(filepath.Join(admin, "status"), []byte(status), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(admin, "info", "lxc.list"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dpkg := func(args ...string) string {
		t.Helper()
		// --log: the host's /var/log/dpkg.log is not this root's.
		full := append([]string{"--instdir=" + root, "--admindir=" + admin, "--log=" + filepath.Join(dir, "dpkg.log"),
			"--force-script-chrootless"}, args...)
		out, err := exec.Command("dpkg", full...).CombinedOutput()
		if err != nil {
			t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := dpkg("-i", deb); !strings.Contains(out, "will remove lxc in favour of golxc") {
		t.Errorf("installing over lxc:\n%s", out)
	}
	if r := runPath(t, nil, filepath.Join(root, "usr/bin/lxc-info"), "--version"); r.code != 0 || r.stdout != "5.0.2\n" {
		t.Errorf("packaged lxc-info --version: %s", r)
	}
	// The alias page (gzipped ".so man1/golxc.1") opens golxc(1).
	if man, err := exec.LookPath("man"); err == nil {
		out, err := exec.Command(man, "-M", filepath.Join(root, "usr/share/man"), "-P", "cat", "1", "golxc-query").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "golxc-query") || !strings.Contains(string(out), "COMMANDS") {
			t.Errorf("man golxc-query in the installed package: %v\n%s", err, out)
		}
	}
	if st, err := os.Stat(filepath.Join(root, "usr/libexec/golxc/lxc-user-nic")); err != nil || st.Mode()&os.ModeSetuid == 0 {
		t.Errorf("packaged lxc-user-nic is not setuid: %v %v", st, err)
	}
	// The packaged library is the one a program gets with the pkg-config
	// file's flags (its rpath names /usr/lib/golxc, not the scratch root).
	if pc, err := os.ReadFile(filepath.Join(root, "usr/lib/golxc/pkgconfig/lxc.pc")); err != nil ||
		!strings.Contains(string(pc), "libdir=/usr/lib/golxc\n") || !strings.Contains(string(pc), "-Wl,-rpath,${libdir}") ||
		!strings.Contains(string(pc), "includedir=/usr/include/golxc\n") {
		t.Errorf("packaged lxc.pc: %v\n%s", err, pc)
	}
	// The dynamic linker reads /usr/lib/golxc before the multiarch
	// directory of Debian's liblxc1 (x86_64-linux-gnu.conf sorts after).
	if conf, err := os.ReadFile(filepath.Join(root, "etc/ld.so.conf.d/golxc-liblxc.conf")); err != nil ||
		!strings.Contains(string(conf), "\n/usr/lib/golxc\n") {
		t.Errorf("packaged ld.so.conf.d entry: %v\n%s", err, conf)
	}
	if ma := filepath.Base(lxclib.MultiarchDir()); "golxc-liblxc.conf" >= ma+".conf" {
		t.Errorf("golxc-liblxc.conf does not sort before %s.conf", ma)
	}
	if python, err := exec.LookPath("/usr/bin/python3"); err == nil && exec.Command(python, "-c", "import lxc").Run() == nil {
		cmd := exec.Command(python, "-c", `import lxc; print(lxc.get_global_config_item("golxc.library"))`)
		cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+filepath.Join(root, "usr/lib/golxc"))
		cmd.Dir = "/"
		if out, err := cmd.CombinedOutput(); err != nil || string(out) != "golxc "+filepath.Join(root, "usr/lib/golxc/liblxc.so.1")+"\n" {
			t.Errorf("python3-lxc on the packaged library: %v %q", err, out)
		}
	}
	dpkg("--purge", "golxc")
	var left []string
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && !strings.HasPrefix(p, admin+"/") {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("purge left %v", left)
	}

	t.Run("apt-get round trip", func(t *testing.T) { debAptRoundTrip(t, deb, srcRoot) })
}

// pathWithout is a PATH of one directory linking every command of $PATH
// but the named ones, so a script runs as where those are not installed.
func pathWithout(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if containsString(names, e.Name()) {
				continue
			}
			// the first of PATH wins, as in a lookup; later ones fail
			_ = os.Symlink(filepath.Join(d, e.Name()), filepath.Join(dir, e.Name()))
		}
	}
	return dir
}

func hostLibcVersion(t *testing.T) string {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", "libc6").Output()
	if err != nil || len(out) == 0 {
		t.Skipf("no libc6 in the host's dpkg database: %v", err)
	}
	return string(out)
}

func debArch(t *testing.T) string {
	out, err := exec.Command("dpkg", "--print-architecture").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
