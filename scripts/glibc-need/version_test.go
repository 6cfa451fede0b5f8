package main

import (
	"debug/elf"
	"os/exec"
	"regexp"
	"testing"
)

func TestNewestGlibc(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_2.3.4"}, "2.34"},
		{[]string{"GLIBC_2.9", "GLIBC_2.14"}, "2.14"}, // not a string comparison
		{[]string{"GLIBC_2.34", "GLIBC_2.34.1"}, "2.34.1"},
		{[]string{"", "GLIBC_PRIVATE", "GCC_3.0", "GLIBC_2.17"}, "2.17"},
		{[]string{"GLIBC_PRIVATE", ""}, ""},
		{nil, ""},
	} {
		if got := newestGlibc(c.in); got != c.want {
			t.Errorf("newestGlibc(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestFileNeed reads a real dynamically linked program of this system and
// agrees with objdump where binutils is installed.
func TestFileNeed(t *testing.T) {
	path, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	if f, err := elf.Open(path); err != nil || f.Section(".dynsym") == nil {
		t.Skipf("%s is not a dynamically linked ELF", path)
	}
	got, err := fileNeed(path)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^2\.[0-9]+(\.[0-9]+)?$`).MatchString(got) {
		t.Fatalf("fileNeed(%s) = %q", path, got)
	}
	out, err := exec.Command("objdump", "-T", path).Output()
	if err != nil {
		return // no binutils: nothing to compare with
	}
	var vs []string
	for _, m := range regexp.MustCompile(`GLIBC_[0-9.]+`).FindAll(out, -1) {
		vs = append(vs, string(m))
	}
	if want := newestGlibc(vs); got != want {
		t.Errorf("fileNeed(%s) = %s, objdump -T says %s", path, got, want)
	}
	if _, err := fileNeed("/dev/null"); err == nil {
		t.Error("fileNeed(/dev/null): no error")
	}
}
