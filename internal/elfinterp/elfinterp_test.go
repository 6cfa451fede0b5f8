package elfinterp

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestAgainstDebugElf compares with the standard library on the
// executables of this machine, static and dynamic.
func TestAgainstDebugElf(t *testing.T) {
	var paths []string
	for _, dir := range []string{"/bin", "/usr/local/go/bin", "/usr/lib/x86_64-linux-gnu"} {
		m, _ := filepath.Glob(filepath.Join(dir, "*"))
		paths = append(paths, m...)
	}
	if p, err := exec.LookPath("busybox"); err == nil {
		paths = append(paths, p)
	}
	checked, interp, static := 0, 0, 0
	for _, p := range paths {
		f, err := elf.Open(p)
		if err != nil {
			continue
		}
		want := false
		for _, prog := range f.Progs {
			want = want || prog.Type == elf.PT_INTERP
		}
		f.Close()
		r, err := os.Open(p)
		if err != nil {
			continue
		}
		got, err := HasInterp(r)
		r.Close()
		if err != nil || got != want {
			t.Errorf("%s: HasInterp = %v, %v; debug/elf says %v", p, got, err, want)
		}
		checked++
		if want {
			interp++
		} else {
			static++
		}
	}
	if checked < 10 || interp == 0 || static == 0 {
		t.Fatalf("only %d ELF files checked (%d with an interpreter, %d without)", checked, interp, static)
	}
}

func TestNotELF(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("#!/bin/sh\n"), []byte("\x7fELF"), append([]byte("\x7fELF\x03\x01"), make([]byte, 60)...)} {
		if _, err := HasInterp(bytes.NewReader(b)); err != ErrNotELF {
			t.Errorf("%q: err %v, want ErrNotELF", b, err)
		}
	}
}
