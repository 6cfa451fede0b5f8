//go:build linux && cgo

package nsexec

/*
#include <stdlib.h>
int golxc_prefork_daemon_start(int argc, char **args);
*/
import "C"

import "unsafe"

// wantsDaemonStart runs prefork.c's recognition of lxc-start's arguments
// (argv[0] excluded): true when the constructor would fork. For tests.
func wantsDaemonStart(args []string) bool {
	cargs := make([]*C.char, len(args)+1)
	for i, a := range args {
		cargs[i] = C.CString(a)
		defer C.free(unsafe.Pointer(cargs[i]))
	}
	return C.golxc_prefork_daemon_start(C.int(len(args)), &cargs[0]) != 0
}
