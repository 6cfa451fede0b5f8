package selfexe

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exe makes dir/name with mode and returns its path.
func exe(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDecide(t *testing.T) {
	root := t.TempDir()
	build := exe(t, filepath.Join(root, "build"), Name, 0o755)
	inPath := exe(t, filepath.Join(root, "path2"), Name, 0o755)
	noExec := exe(t, filepath.Join(root, "path1"), Name, 0o644)
	known := exe(t, filepath.Join(root, "known"), Name, 0o755)
	explicit := exe(t, filepath.Join(root, "explicit"), "my-golxc", 0o755)
	dirNamed := filepath.Join(root, "dirnamed", Name)
	os.MkdirAll(dirNamed, 0o755)
	// A relative PATH entry holding a golxc: must never be chosen.
	rel, _ := filepath.Rel(mustGetwd(t), filepath.Join(root, "build"))
	missing := filepath.Join(root, "nowhere", Name)

	path := strings.Join([]string{rel, filepath.Dir(noExec), filepath.Dir(dirNamed), filepath.Dir(inPath)}, ":")
	cases := []struct {
		name    string
		in      Inputs
		want    Binary
		wantErr string
	}{
		{"golxc runs itself, whatever else is set",
			Inputs{IsMain: true, Override: explicit, Env: explicit, BuildDir: filepath.Dir(build), PATH: path},
			Binary{Path: SelfPath, Self: true}, ""},
		{"program's choice first", Inputs{Override: explicit, Env: inPath, PATH: path}, Binary{Path: explicit}, ""},
		{"then GOLXC_BINARY", Inputs{Env: explicit, BuildDir: filepath.Dir(build), PATH: path}, Binary{Path: explicit}, ""},
		{"bad GOLXC_BINARY is an error, not a fallback", Inputs{Env: missing, PATH: path}, Binary{}, "GOLXC_BINARY=" + missing},
		{"non-executable GOLXC_BINARY", Inputs{Env: noExec, PATH: path}, Binary{}, "not executable"},
		{"relative GOLXC_BINARY", Inputs{Env: "golxc", PATH: path}, Binary{}, "not an absolute path"},
		{"bad program choice", Inputs{Override: filepath.Dir(explicit), PATH: path}, Binary{}, "not a regular file"},
		{"build-time directory before PATH", Inputs{BuildDir: filepath.Dir(build), PATH: path}, Binary{Path: build}, ""},
		{"PATH: skips relative, non-executable and directory entries",
			Inputs{BuildDir: filepath.Join(root, "nowhere"), PATH: path, WellKnown: []string{known}}, Binary{Path: inPath}, ""},
		{"well-known paths last", Inputs{PATH: rel + ":" + filepath.Dir(noExec), WellKnown: []string{missing, known}}, Binary{Path: known}, ""},
		{"nothing found", Inputs{PATH: rel, WellKnown: []string{missing}}, Binary{}, ErrNotFound.Error()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decide(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Decide = %+v, %v; want error containing %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Decide = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	if _, err := Decide(Inputs{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty inputs: %v, want ErrNotFound", err)
	}
}

func TestSetBinary(t *testing.T) {
	dir := t.TempDir()
	good := exe(t, dir, "golxc", 0o755)
	defer SetBinary("")
	if err := SetBinary(filepath.Join(dir, "missing")); err == nil {
		t.Error("SetBinary accepted a missing file")
	}
	if err := SetBinary(good); err != nil {
		t.Fatal(err)
	}
	if in := Current(); in.Override != good {
		t.Errorf("Current().Override = %q, want %q", in.Override, good)
	}
	SetBinary("")
	if in := Current(); in.Override != "" {
		t.Errorf("after SetBinary(\"\"): Override = %q", in.Override)
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
