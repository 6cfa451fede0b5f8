//go:build linux && cgo

package nsexec

// #include "errtext.h"
import "C"

// errText is how the C stages word errno e (errtext.c): glibc's strerror,
// whatever C library the binary is linked with.
func errText(e int) string { return C.GoString(C.golxc_strerror(C.int(e))) }
