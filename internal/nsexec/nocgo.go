//go:build !cgo

package nsexec

// Without cgo the C constructor is missing, so this process can never be
// a namespace stage. That is fine for a program that only uses package
// lxc: its helpers run the golxc binary (internal/selfexe). golxc itself
// and the test binaries that serve stages refuse to build without cgo
// (cmd/golxc/nocgo.go; compare runc#2566).
func Stage() (Info, bool) { return Info{}, false }

// TakePreforkFD: without the C constructor lxc-start is never preforked.
func TakePreforkFD() (int, bool) { return -1, false }

// PreforkTitleArea: never preforked without cgo.
func PreforkTitleArea() ([]byte, int) { return nil, 0 }

// TakeSandboxGuardFD: without the C constructor no guard was forked.
func TakeSandboxGuardFD() (int, bool) { return -1, false }
