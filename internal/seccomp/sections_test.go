package seccomp

import (
	"strings"
	"testing"
)

// x86Section and foreignSection replaced maps built at init: the same
// section names, no more.
func TestSectionNames(t *testing.T) {
	x86 := map[string]bool{"[all]": true, "[ALL]": true, "[x86]": true, "[X86]": true, "[x32]": true, "[X32]": true, "[x86_64]": true, "[X86_64]": true}
	foreign := map[string]bool{}
	for _, a := range []string{"arm", "arm64", "ppc64le", "ppc64", "ppc", "mips64", "mips64n32", "mips", "mipsel64", "mipsel64n32", "mipsel", "s390x", "s390"} {
		foreign["["+a+"]"] = true
		foreign["["+strings.ToUpper(a)+"]"] = true
	}
	var probes []string
	for k := range x86 {
		probes = append(probes, k)
	}
	for k := range foreign {
		probes = append(probes, k)
	}
	probes = append(probes, "[Arm]", "[arm", "arm]", "arm", "[]", "[x86-64]", "[All]", "[mips64N32]", "[riscv64]", "[S390X]")
	for _, p := range probes {
		if got := x86Section(p); got != x86[p] {
			t.Errorf("x86Section(%q) = %v", p, got)
		}
		if got := foreignSection(p); got != foreign[p] {
			t.Errorf("foreignSection(%q) = %v", p, got)
		}
	}
}
