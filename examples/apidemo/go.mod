module github.com/golxc/golxc/examples/apidemo

go 1.26.0

require github.com/golxc/golxc v0.0.0

// The indirect requirements and go.sum mirror golxc's own go.mod and
// go.sum, so the example builds offline (GOPROXY=off); update them with
// golxc's.
require (
	github.com/vishvananda/netlink v1.3.1 // indirect
	github.com/vishvananda/netns v0.0.5 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/term v0.48.0 // indirect
)

// Built against this checkout of golxc.
replace github.com/golxc/golxc => ../..
