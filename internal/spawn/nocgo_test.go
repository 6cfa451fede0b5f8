//go:build !cgo

package spawn

// The test binary serves golxc's namespace stages, which need the C
// constructor of internal/nsexec: test with CGO_ENABLED=1.
var _ = tests_need_CGO_ENABLED_1
