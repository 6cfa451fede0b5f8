// Package query holds the lxc-* tools that only talk to a container's
// monitor over its command socket: lxc-wait, and lxc-stop's command line
// with its -k path. It links the command socket, the config parser, the
// log and the option parser, nothing of the container machinery (no
// cgo, no namespace stage, no storage, no network), so that
// cmd/golxc-query, a small binary without cgo, can run these tools at
// the cost of a Go start and little more (README, Performance).
//
// The tools are the same in both binaries: golxc's registry
// (internal/tools) runs them with an Env whose Open is
// lxc.NewContainer's check, the small binary with LeanOpen. LeanOpen
// handles the ordinary case itself and answers ErrFull for the rest (a
// name outside the plain set, a create marker); the small binary then
// execs golxc with the same argv, which answers exactly as before.
package query
