// Command liblxc is golxc's liblxc.so.1: LXC 5.0.2's C API over golxc's Go
// package lxc, for programs built against LXC's headers and for Debian's
// python3-lxc. Build it with -buildmode=c-shared (make liblxc). The C side
// (glue.c, attach.c, capi.h) holds LXC's struct lxc_container; the Go side
// (this package) is the method bodies. Containers start and attach through
// the installed golxc binary (see lxc.SetGolxcBinary): this library is not
// golxc, so it never re-executes /proc/self/exe.
package main

/*
#cgo CFLAGS: -Wall -Wno-unused-parameter
#include <stdlib.h>
#include "capi.h"

const char *golxc_library_path(void);
static inline uintptr_t golxc_handle(lxc_c *c) { return ((struct golxc_container *)c)->handle; }
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"runtime/cgo"
	"strings"
	"sync"
	"unsafe"

	"github.com/golxc/golxc/internal/selfexe"
	"github.com/golxc/golxc/lxc"
)

func main() {}

// handle is the Go side of one struct lxc_container.
type handle struct {
	x *lxc.Container
	// loaded: the in-memory config is the container's (or one the caller
	// built); liblxc's lxc_conf != NULL. save_config and create start
	// from lxc.default_config when it is not.
	loaded bool
}

func state(c *C.lxc_c) *handle { return cgo.Handle(C.golxc_handle(c)).Value().(*handle) }

// container is the Go object behind one struct lxc_container.
func container(c *C.lxc_c) *lxc.Container { return state(c).x }

// fail records why a call failed in c->error_string and logs it where
// lxc_log_init said (nowhere by default: liblxc prints nothing to an API
// user who did not ask for a log).
func fail(c *C.lxc_c, err error) {
	name := "?"
	if c != nil && c.name != nil {
		name = C.GoString(c.name)
	}
	logError(name, err.Error())
	if errors.Is(err, selfexe.ErrNotFound) || strings.Contains(err.Error(), selfexe.EnvBinary) {
		// Not a container's error but this installation's: always said.
		fmt.Fprintf(os.Stderr, "golxc: %s: %v\n", name, err)
	}
	if c != nil {
		C.free(unsafe.Pointer(c.error_string))
		c.error_string = C.CString(err.Error())
		c.error_num = 1
	}
}

func cbool(err error, c *C.lxc_c) C.bool {
	if err != nil {
		fail(c, err)
		return false
	}
	return true
}

// goStrings reads a NULL-terminated char* vector.
func goStrings(v **C.char) []string {
	var out []string
	if v == nil {
		return nil
	}
	for p := v; *p != nil; p = (**C.char)(unsafe.Add(unsafe.Pointer(p), unsafe.Sizeof(p))) {
		out = append(out, C.GoString(*p))
	}
	return out
}

// cStrings returns a malloc'd NULL-terminated vector the caller frees.
func cStrings(l []string) **C.char {
	v := C.golxc_strv_new(C.int(len(l)))
	s := unsafe.Slice(v, len(l)+1)
	for i, x := range l {
		s[i] = C.CString(x)
	}
	return v
}

func optString(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

//export golxcNew
func golxcNew(name, path *C.char, configPath, configFile **C.char) C.uintptr_t {
	var args []string
	if path != nil && *path != 0 {
		args = append(args, C.GoString(path))
	}
	c, err := lxc.NewContainer(C.GoString(name), args...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "golxc: %s: %v\n", C.GoString(name), err)
		return 0
	}
	*configPath = C.CString(c.ConfigPath())
	*configFile = C.CString(c.ConfigFileName())
	return C.uintptr_t(cgo.NewHandle(&handle{x: c, loaded: c.Defined()}))
}

//export golxcRelease
func golxcRelease(h C.uintptr_t) { cgo.Handle(h).Delete() }

// globals caches lxc_get_global_config_item's answers: LXC returns a
// pointer the caller never frees, so each value is allocated once.
var globals sync.Map

//export golxcGlobalConfigItem
func golxcGlobalConfigItem(key *C.char) *C.char {
	k := C.GoString(key)
	v := lxc.GlobalConfigItem(k)
	if k == "golxc.library" {
		// golxc's own item: which library a program got.
		v = "golxc " + libraryPath()
	}
	if v == "" && !lxc.IsSupportedConfigItem(k) && k != "golxc.library" {
		return nil
	}
	ck := k + "\x00" + v
	if p, ok := globals.Load(ck); ok {
		return (*C.char)(p.(unsafe.Pointer))
	}
	p, _ := globals.LoadOrStore(ck, unsafe.Pointer(C.CString(v)))
	return (*C.char)(p.(unsafe.Pointer))
}

//export golxcConfigItemSupported
func golxcConfigItemSupported(key *C.char) C.bool {
	return C.bool(lxc.IsSupportedConfigItem(C.GoString(key)))
}

//export golxcList
func golxcList(path *C.char, which C.int, out ***C.char) C.int {
	p := optString(path)
	var names []string
	switch which {
	case 0:
		names = lxc.DefinedContainerNames(p)
	case 1:
		names = lxc.ActiveContainerNames(p)
	default:
		names = lxc.ContainerNames(p)
	}
	*out = cStrings(names)
	return C.int(len(names))
}

// libraryPath names the file this code was loaded from.
func libraryPath() string {
	p := C.golxc_library_path()
	if p == nil {
		return "liblxc.so.1"
	}
	return C.GoString(p)
}
