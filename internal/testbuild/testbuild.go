// Package testbuild builds golxc for tests as make build does, so that
// they exercise what make install installs: linked statically, with musl
// where musl-gcc exists and glibc otherwise (the Makefile's GOLXC_LIBC, which
// the environment's GOLXC_LIBC overrides here too), with the collector make
// build chooses. Only tests import it.
package testbuild

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Libc is the C library Golxc links with: GOLXC_LIBC from the environment,
// else "musl" where musl-gcc is in PATH, else "glibc".
func Libc() string {
	if l := os.Getenv("GOLXC_LIBC"); l != "" {
		return l
	}
	if _, err := exec.LookPath("musl-gcc"); err == nil {
		return "musl"
	}
	return "glibc"
}

// Golxc builds cmd/golxc into out as make build does, with tmp as a
// scratch directory that must outlive nothing but the build (the kernel
// headers a musl build reads). The working directory must be inside
// golxc's module.
func Golxc(out, tmp string) error {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
		return fmt.Errorf("not inside golxc's module: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	env := append(os.Environ(), "CGO_ENABLED=1")
	switch libc := Libc(); libc {
	case "musl":
		inc := filepath.Join(tmp, "musl-include")
		if b, err := exec.Command(filepath.Join(root, "scripts", "musl-include.sh"), inc).CombinedOutput(); err != nil {
			return fmt.Errorf("musl-include.sh: %v\n%s", err, b)
		}
		env = append(env, "CC=musl-gcc", "CGO_CFLAGS=-O2 -g -isystem "+inc)
	case "glibc":
	default:
		return fmt.Errorf("GOLXC_LIBC=%s: want musl or glibc", libc)
	}
	probe := exec.Command("go", "env", "GOEXPERIMENT")
	probe.Env = append(os.Environ(), "GOEXPERIMENT=nogreenteagc")
	if probe.Run() == nil {
		env = append(env, "GOEXPERIMENT=nogreenteagc")
	}
	build := exec.Command("go", "build", "-trimpath", "-tags", "netgo,osusergo",
		"-ldflags", "-s -w -linkmode external -extldflags -static",
		"-o", out, "github.com/golxc/golxc/cmd/golxc")
	build.Env = env
	if b, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build golxc: %v\n%s", err, b)
	}
	return nil
}
