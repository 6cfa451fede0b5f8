//go:build !cgo

package main

// golxc is the namespace stage: without cgo its C constructor
// (internal/nsexec) is silently missing and every container start would
// fail later in obscure ways (compare runc#2566). Refuse to build
// instead: build golxc with CGO_ENABLED=1.
var _ = golxc_needs_CGO_ENABLED_1
