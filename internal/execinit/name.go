package execinit

import "unsafe"

// unsafePointer returns a pointer to a NUL-terminated copy of s.
func unsafePointer(s string) unsafe.Pointer {
	b := append([]byte(s), 0)
	return unsafe.Pointer(&b[0])
}
