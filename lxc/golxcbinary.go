package lxc

import "github.com/golxc/golxc/internal/selfexe"

// golxc starts helper processes that LXC forks without exec'ing: the
// daemonized monitor ("[lxc monitor] LXCPATH NAME") and the processes that
// enter the container's namespaces (its init, attach). Go cannot fork, so
// they run the golxc multi-call binary. Inside golxc that is its own
// image. A program that imports this package is not golxc, so it runs the
// installed golxc binary, chosen in this order: the path given to
// SetGolxcBinary, $GOLXC_BINARY, golxc in the install directory the build
// recorded, golxc in $PATH (absolute entries only), /usr/local/bin/golxc,
// /usr/bin/golxc, /usr/lib/golxc/golxc. When none is found, Start,
// Execute and the attach methods fail with "golxc binary not found:
// install golxc (make install) or set GOLXC_BINARY to its path". These
// names are golxc's own: go-lxc has no equivalent (liblxc forks).

// SetGolxcBinary makes this program run path (an absolute path to the
// golxc binary) for golxc's helper processes, before $GOLXC_BINARY and
// the lookup; "" restores the lookup. It fails when path is not an
// executable file. It has no effect inside golxc itself.
func SetGolxcBinary(path string) error { return selfexe.SetBinary(path) }

// GolxcBinary reports the golxc binary helper processes would run now
// (/proc/self/exe inside golxc), or why none can be found.
func GolxcBinary() (string, error) {
	b, err := selfexe.Find()
	return b.Path, err
}
