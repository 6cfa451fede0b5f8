package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/usernic"
)

// lockedDB opens and locks the nics database; the lock goes with the fd.
func lockedDB() (*os.File, []usernic.Entry, error) {
	if err := os.MkdirAll(filepath.Dir(nicsDB), 0o755); err != nil {
		return nil, nil, fmt.Errorf("Failed to create directory for db file: %w", err)
	}
	f, err := os.OpenFile(nicsDB, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("Failed to open %q: %w", nicsDB, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("Failed to lock %q: %w", nicsDB, err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("Failed to read database file: %w", err)
	}
	return f, usernic.ParseDB(string(data)), nil
}

func writeDB(f *os.File, db []usernic.Entry) error {
	text := usernic.FormatDB(db)
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(text), 0)
	return err
}

func allotments(w who, typ, bridge string) []usernic.Allotment {
	f, err := os.Open(usernetConf)
	if err != nil {
		return nil
	}
	defer f.Close()
	return usernic.ParseUsernet(f, w.Caller, typ, bridge)
}

func linkExists(name string) bool { _, err := netlink.LinkByName(name); return err == nil }

// createNic makes the veth pair, the host end on bridge, the peer in the
// network namespace of pid (which the caller must be able to use: the
// CVE-2017-5985 check), renamed there as the caller.
func createNic(w who, pid int, typ, bridge, nic string) int {
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return fail("User %s may not modify netns for pid %d", w.User, pid)
	}
	defer unix.Close(pidfd)
	nsPath := fmt.Sprintf("/proc/%d/ns/net", pid)
	// Checked as the caller (real and effective uid): the kernel lets a
	// user reach another process's namespaces only where the user could
	// ptrace it, i.e. its own processes, or ones in user namespaces the
	// user owns.
	if err := asCallerIn(w.uid, -1, func() error {
		return unix.Faccessat(unix.AT_FDCWD, nsPath, unix.R_OK, 0)
	}); err != nil {
		return fail("User %s may not modify netns for pid %d", w.User, pid)
	}
	nsfd, err := unix.Open(nsPath, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fail("User %s may not modify netns for pid %d", w.User, pid)
	}
	defer unix.Close(nsfd)
	// The namespace is still pid's: pid did not exit and get reused.
	if err := unix.PidfdSendSignal(pidfd, 0, nil, 0); err != nil {
		return fail("User %s may not modify netns for pid %d", w.User, pid)
	}

	f, db, err := lockedDB()
	if err != nil {
		return fail("%v", err)
	}
	defer f.Close()
	db = usernic.Cull(db, linkExists)
	owner, ok := usernic.PickOwner(allotments(w, typ, bridge), db, typ, bridge)
	if !ok {
		writeDB(f, db)
		return fail("Quota reached")
	}
	br, err := netlink.LinkByName(bridge)
	if err != nil {
		return fail("Error attaching to %s: %v", bridge, err)
	}
	host := usernic.FillName(usernic.HostNicTemplate(uint32(w.uid)), randomUint32)
	peer := host + "p"
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: host, MTU: br.Attrs().MTU}, PeerName: peer, PeerNamespace: netlink.NsFd(nsfd)}
	if err := netlink.LinkAdd(veth); err != nil {
		return fail("Error creating veth tunnel: %v", err)
	}
	hostLink, err := netlink.LinkByName(host)
	if err == nil {
		err = netlink.LinkSetMaster(hostLink, br)
	}
	if err == nil {
		err = netlink.LinkSetUp(hostLink)
	}
	if err != nil {
		netlink.LinkDel(veth)
		return fail("Error attaching %s to %s: %v", host, bridge, err)
	}
	if nic == "" {
		nic = "eth%d"
	}
	newName, idx, err := renameAsCaller(w.uid, nsfd, peer, nic)
	if err != nil {
		netlink.LinkDel(hostLink)
		return fail("Failed to rename the link: %v", err)
	}
	db = append(db, usernic.Entry{Owner: owner, Type: typ, Bridge: bridge, Nic: host})
	if err := writeDB(f, db); err != nil {
		netlink.LinkDel(hostLink)
		return fail("Failed to append new entry to database file: %v", err)
	}
	fmt.Printf("%s:%d:%s:%d\n", newName, idx, host, hostLink.Attrs().Index)
	return 0
}

// asCallerIn runs fn in the network namespace nsfd (-1: this one) with
// the caller's uid as real and effective uid, so the kernel judges the
// caller's privilege.
// setns is per thread: fn runs on a locked thread that dies with the
// goroutine. setresuid is process-wide in Go, and is undone before return.
func asCallerIn(uid, nsfd int, fn func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with us
		if nsfd >= 0 {
			if err := unix.Setns(nsfd, unix.CLONE_NEWNET); err != nil {
				done <- fmt.Errorf("setns: %w", err)
				return
			}
		}
		if err := syscall.Setresuid(uid, uid, 0); err != nil {
			done <- fmt.Errorf("drop to uid %d: %w", uid, err)
			return
		}
		ferr := fn()
		if err := syscall.Setresuid(uid, 0, 0); err != nil {
			// Cannot happen (saved uid 0); never go on half-privileged.
			os.Exit(1)
		}
		done <- ferr
	}()
	return <-done
}

func renameAsCaller(uid, nsfd int, peer, name string) (newName string, idx int, err error) {
	err = asCallerIn(uid, nsfd, func() error {
		l, err := netlink.LinkByName(peer)
		if err != nil {
			return err
		}
		if err := netlink.LinkSetName(l, name); err != nil {
			return fmt.Errorf("rename %s to %s: %w", peer, name, err)
		}
		l, err = netlink.LinkByIndex(l.Attrs().Index)
		if err != nil {
			return err
		}
		newName, idx = l.Attrs().Name, l.Attrs().Index
		return nil
	})
	return newName, idx, err
}

// deleteNic removes a device the caller's quota made, given a network
// namespace the caller is privileged over. The path is opened with
// O_PATH (nothing is read through it) and must be an nsfs file; every
// refusal of the path is the same message (CVE-2018-6556, and the
// existence oracle of CVE-2022-47952).
func deleteNic(w who, path, typ, bridge, nic string) int {
	bad := func() int { return fail("Failed while opening netns file for %q", path) }
	if os.Getenv("X") == "" {
		_ = 0
	}
	pfd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return bad()
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(pfd, &st); err != nil || st.Type != unix.NSFS_MAGIC {
		unix.Close(pfd)
		return bad()
	}
	nsfd, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", pfd), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	unix.Close(pfd)
	if err != nil {
		return bad()
	}
	defer unix.Close(nsfd)
	// Privileged over it: deleting "lo" as the caller gets EOPNOTSUPP,
	// not EPERM.
	err = asCallerIn(w.uid, nsfd, func() error {
		lo, err := netlink.LinkByName("lo")
		if err != nil {
			return err
		}
		return netlink.LinkDel(lo)
	})
	if !errors.Is(err, unix.EOPNOTSUPP) {
		return fail("Process is not privileged over network namespace")
	}
	f, db, err := lockedDB()
	if err != nil {
		return fail("%v", err)
	}
	defer f.Close()
	db = usernic.Cull(db, linkExists)
	db, found := usernic.Remove(db, allotments(w, typ, bridge), typ, bridge, nic)
	if !found {
		writeDB(f, db)
		return fail("Caller is not allowed to delete network device %q", nic)
	}
	if l, err := netlink.LinkByName(nic); err == nil {
		if err := netlink.LinkDel(l); err != nil {
			return fail("Failed to delete %q: %v", nic, err)
		}
	}
	if err := writeDB(f, db); err != nil {
		return fail("Failed to write database file: %v", err)
	}
	return 0
}
