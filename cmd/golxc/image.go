package main

import (
	"fmt"
	"os"
	"syscall"

	"github.com/golxc/golxc/internal/selfexe"
)

// runImage hands `golxc image ...` to the image helper (golxc-image),
// which holds the code that needs xz, OpenPGP and TLS.
func runImage(args []string) int {
	helper, err := selfexe.Helper(selfexe.ImageHelper)
	if err != nil {
		fmt.Fprintf(os.Stderr, "golxc image: %v\n", err)
		return 1
	}
	err = syscall.Exec(helper, append([]string{"golxc-image"}, args...), os.Environ())
	fmt.Fprintf(os.Stderr, "golxc image: run %s: %v\n", helper, err)
	return 1
}
