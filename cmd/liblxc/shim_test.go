package main

import (
	"debug/elf"
	"os"
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
