package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// apiDefNames reads the function names of shim/api.def, the one list of
// LXC's exported functions.
func apiDefNames(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("shim/api.def")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^(?:F\([^,]+, (\w+),|V\((\w+),)`).FindAllStringSubmatch(string(b), -1) {
		names = append(names, m[1]+m[2])
	}
	sort.Strings(names)
	return names
}

// exportedFuncs is what an ELF file exports (defined dynamic functions).
func exportedFuncs(t *testing.T, path string) []string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range syms {
		if s.Section != elf.SHN_UNDEF && elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			names = append(names, s.Name)
		}
	}
	sort.Strings(names)
	return names
}

// TestShimExports: the shim liblxc.so.1 and golxc's Go library export
// exactly api.def's functions (the Go library also the shim's
// golxc_capi_library), python3-lxc needs no other, and the shim runs
// nothing at load time: no constructor (DT_INIT, DT_INIT_ARRAY,
// DT_PREINIT_ARRAY) and no library but the C library.
func TestShimExports(t *testing.T) {
	dir := built(t)
	api := apiDefNames(t)
	if len(api) < 15 {
		t.Fatalf("api.def lists %d functions: %v", len(api), api)
	}
	if got := exportedFuncs(t, filepath.Join(dir, "liblxc.so.1")); strings.Join(got, " ") != strings.Join(api, " ") {
		t.Errorf("the shim exports %v\napi.def lists %v", got, api)
	}
	want := append(append([]string{}, api...), "golxc_capi_library")
	sort.Strings(want)
	if got := exportedFuncs(t, filepath.Join(dir, "libgolxc-capi.so")); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("golxc's Go library exports %v\nwant %v", got, want)
	}

	f, err := elf.Open(filepath.Join(dir, "liblxc.so.1"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if soname, _ := f.DynString(elf.DT_SONAME); len(soname) != 1 || soname[0] != "liblxc.so.1" {
		t.Errorf("the shim's soname: %v", soname)
	}
	if needed, _ := f.DynString(elf.DT_NEEDED); strings.Join(needed, " ") != "libc.so.6" {
		t.Errorf("the shim needs %v, want libc.so.6 alone", needed)
	}
	for _, tag := range []elf.DynTag{elf.DT_INIT, elf.DT_INIT_ARRAY, elf.DT_PREINIT_ARRAY} {
		if v, _ := f.DynValue(tag); len(v) > 0 {
			t.Errorf("the shim has %v: code that runs when it is loaded", tag)
		}
	}

	// python3-lxc's extension imports nothing of liblxc outside api.def
	inAPI := map[string]bool{}
	for _, n := range api {
		inAPI[n] = true
	}
	mods, _ := filepath.Glob("/usr/lib/python3/dist-packages/_lxc*.so")
	for _, m := range mods {
		pf, err := elf.Open(m)
		if err != nil {
			t.Fatal(err)
		}
		imports, _ := pf.ImportedSymbols()
		pf.Close()
		for _, s := range imports {
			if (strings.HasPrefix(s.Name, "lxc_") || strings.HasPrefix(s.Name, "list_")) && !inAPI[s.Name] {
				t.Errorf("%s imports %s, which api.def lacks", m, s.Name)
			}
		}
	}
}

const pkgConfigProgram = `#include <lxc/lxccontainer.h>
#include <lxc/version.h>
#include <stdio.h>
int main(void)
{
	const char *lib = lxc_get_global_config_item("golxc.library");
	printf("%s %s %s\n", LXC_VERSION, lxc_get_version(), lib ? lib : "LXC's");
	return 0;
}
`

// TestPkgConfigProgram: a program built with `pkg-config --cflags --libs
// lxc` and make install's lxc.pc (scripts/liblxc-pc.sh) gets golxc's
// headers and, through the rpath, golxc's library without
// LD_LIBRARY_PATH.
func TestPkgConfigProgram(t *testing.T) {
	need(t, "gcc", "pkg-config")
	dir := built(t)
	inc, err := filepath.Abs("include")
	if err != nil {
		t.Fatal(err)
	}
	pcdir := t.TempDir()
	pc, err := exec.Command("../../scripts/liblxc-pc.sh", dir, inc).Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pcdir, "lxc.pc"), pc, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pkg-config", "--cflags", "--libs", "lxc")
	cmd.Env = append(os.Environ(), "PKG_CONFIG_PATH="+pcdir)
	flags, err := cmd.Output()
	if err != nil {
		t.Fatalf("pkg-config: %v", err)
	}
	if !strings.Contains(string(flags), "-I"+inc) {
		t.Errorf("pkg-config --cflags names no golxc headers: %s", flags)
	}
	src := filepath.Join(t.TempDir(), "prog.c")
	if err := os.WriteFile(src, []byte(pkgConfigProgram), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "prog")
	gcc(t, bin, append([]string{src}, strings.Fields(string(flags))...)...)
	run := exec.Command(bin)
	run.Env = lxclibFreeEnv()
	out, err := run.CombinedOutput()
	if want := "5.0.2 5.0.2 golxc " + filepath.Join(dir, "liblxc.so.1") + "\n"; err != nil || string(out) != want {
		t.Errorf("program: %v %q, want %q", err, out, want)
	}
}

// lxclibFreeEnv is the environment without LD_LIBRARY_PATH.
func lxclibFreeEnv() []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "LD_LIBRARY_PATH=") {
			env = append(env, e)
		}
	}
	return env
}
