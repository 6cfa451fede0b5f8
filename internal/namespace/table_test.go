package namespace

import (
	"os"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

// LXC's ns_info order: get_config_item, stop-hook arguments and the
// attach log list namespaces in it.
func TestOrderIsLXCs(t *testing.T) {
	want := []string{"user", "mnt", "pid", "uts", "ipc", "net", "cgroup", "time"}
	var got []string
	for _, ns := range All() {
		got = append(got, ns.Name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// Each name is paired with its own flag: the kernel says which type
// /proc/self/ns/NAME is.
func TestNameFlagPairsMatchTheKernel(t *testing.T) {
	seen := map[uintptr]bool{}
	for _, ns := range All() {
		if ns.Flag == 0 || ns.Flag&(ns.Flag-1) != 0 || seen[ns.Flag] {
			t.Errorf("%s: flag %#x is not one new CLONE_NEW* bit", ns.Name, ns.Flag)
		}
		seen[ns.Flag] = true
		f, err := os.Open("/proc/self/ns/" + ns.Name)
		if err != nil {
			t.Logf("%s: %v (kernel without it?)", ns.Name, err)
			continue
		}
		typ, err := unix.IoctlRetInt(int(f.Fd()), unix.NS_GET_NSTYPE)
		f.Close()
		if err != nil {
			t.Fatalf("NS_GET_NSTYPE %s: %v", ns.Name, err)
		}
		if uintptr(typ) != ns.Flag {
			t.Errorf("%s: table flag %#x, kernel says %#x", ns.Name, ns.Flag, typ)
		}
	}
}

func TestLookups(t *testing.T) {
	if i := Index("net"); i < 0 || All()[i].Flag != unix.CLONE_NEWNET {
		t.Errorf("Index(net) = %d", i)
	}
	if ns, ok := ByName("mnt"); !ok || ns.Attach != "MOUNT" || ns.Clone != "CLONE_NEWNS" {
		t.Errorf("ByName(mnt) = %+v %v", ns, ok)
	}
	if _, ok := ByName("NETWORK"); ok {
		t.Error("ByName takes the -s spelling")
	}
	if got := Describe(unix.CLONE_NEWNET | unix.CLONE_NEWUSER | unix.CLONE_NEWNS); got != "user mnt net" {
		t.Errorf("Describe = %q", got)
	}
	if got := Describe(0); got != "none" {
		t.Errorf("Describe(0) = %q", got)
	}
	const all = unix.CLONE_NEWUSER | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWNET |
		unix.CLONE_NEWNS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWTIME | unix.CLONE_NEWPID
	if AllFlags() != all {
		t.Errorf("AllFlags %#x, want %#x", AllFlags(), all)
	}
}
