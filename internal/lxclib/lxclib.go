// Package lxclib finds LXC's own liblxc.so.1 (Debian's liblxc1) for the
// tests that use LXC as the oracle through its library: python3-lxc and C
// programs built against lxc-dev. Once golxc's liblxc.so.1 is installed
// the dynamic linker prefers it (make install: /usr/local/lib; the
// package: /usr/lib/golxc via ld.so.conf.d), so such a program would run
// on golxc instead: Env pins it to LXC's library with LD_LIBRARY_PATH.
package lxclib

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// multiarch is Debian's multiarch triplet per GOARCH (where liblxc1
// installs its library).
var multiarch = map[string]string{
	"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu", "386": "i386-linux-gnu",
	"arm": "arm-linux-gnueabihf", "ppc64le": "powerpc64le-linux-gnu", "s390x": "s390x-linux-gnu",
	"riscv64": "riscv64-linux-gnu", "mips64le": "mips64el-linux-gnuabi64",
}

// MultiarchDir is the multiarch library directory, /usr/lib/TRIPLET.
func MultiarchDir() string {
	if m, ok := multiarch[runtime.GOARCH]; ok {
		return "/usr/lib/" + m
	}
	return "/usr/lib"
}

// Dir is the directory of LXC's liblxc.so.1: the multiarch directory when
// it has one that is not golxc's (golxc's shim names golxc inside).
func Dir() (string, error) {
	dir := MultiarchDir()
	b, err := os.ReadFile(filepath.Join(dir, "liblxc.so.1"))
	if err != nil {
		return "", fmt.Errorf("LXC's liblxc.so.1 (liblxc1) not installed: %w", err)
	}
	if strings.Contains(string(b), "libgolxc-capi.so") {
		return "", fmt.Errorf("%s/liblxc.so.1 is golxc's, not LXC's", dir)
	}
	return dir, nil
}

// Env is env with LD_LIBRARY_PATH set to dir alone (Dir()) and no
// LD_PRELOAD: a program run with it gets LXC's liblxc.so.1 whatever else
// is installed.
func Env(env []string, dir string) []string {
	out := make([]string, 0, len(env)+1)
	for _, e := range env {
		if !strings.HasPrefix(e, "LD_LIBRARY_PATH=") && !strings.HasPrefix(e, "LD_PRELOAD=") {
			out = append(out, e)
		}
	}
	return append(out, "LD_LIBRARY_PATH="+dir)
}
