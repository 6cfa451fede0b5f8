//go:build cgo

package main

// Arms lxc-start's prefork (internal/nsexec/prefork.c) in golxc only: its
// weak default is 0, so no other program linking package lxc ever forks
// there. golxc's main delivers the verdict (monitor.Exit).

// int golxc_prefork_main = 1;
import "C"
