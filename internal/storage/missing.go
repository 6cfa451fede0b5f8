package storage

import (
	"fmt"
	"os"
	"strings"
)

// missing is a backend LXC has that golxc does not drive on this host:
// every operation fails with one line saying what is missing.
type missing struct{ name string }

func (m missing) Name() string      { return m.name }
func (m missing) CanSnapshot() bool { return false }

func (m missing) err() error {
	return fmt.Errorf("backing store %s is not available: %s; use -B dir, overlay, btrfs or loop", m.name, m.why())
}

// why names what this host lacks for the backend.
func (m missing) why() string {
	switch m.name {
	case "lvm":
		if _, err := os.Stat("/dev/mapper/control"); err != nil {
			return "this host has no device-mapper (/dev/mapper/control), which LVM needs, and golxc has no LVM driver"
		}
		return "golxc has no LVM driver yet"
	case "zfs":
		if data, _ := os.ReadFile("/proc/filesystems"); !strings.Contains(string(data), "\tzfs\n") {
			return "this host has no zfs kernel module (no zfs in /proc/filesystems), and golxc has no ZFS driver"
		}
		return "golxc has no ZFS driver yet"
	case "rbd":
		if _, err := os.Stat("/sys/bus/rbd"); err != nil {
			return "this host has no Ceph rbd kernel module (/sys/bus/rbd), and golxc has no RBD driver"
		}
		return "golxc has no RBD driver yet"
	}
	return "golxc has no " + m.name + " driver"
}

func (m missing) Create(string, CreateOptions) (string, error) { return "", m.err() }
func (m missing) Mount(Rootfs, string) (*MountSpec, error)     { return nil, m.err() }
func (m missing) Clone(*CloneJob) (string, error)              { return "", m.err() }
func (m missing) Destroy(Rootfs) error                         { return m.err() }

// Unavailable is the error of a backend golxc cannot use here (nil for
// the ones it can).
func Unavailable(name string) error {
	d, err := Lookup(name)
	if err != nil {
		return err
	}
	if m, ok := d.(missing); ok {
		return m.err()
	}
	return nil
}
