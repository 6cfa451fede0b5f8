//go:build !cgo

package nsexec

// Without cgo the C constructor is silently missing and every container
// start would fail later in obscure ways (compare runc#2566). Refuse to
// build instead: build golxc with CGO_ENABLED=1.
var _ = internal_nsexec_needs_CGO_ENABLED_1
