package main

import (
	"os"
	"os/exec"
	"testing"
)

// TestPythonDeviceNetSnapshotRestoreSameAsLXC: python3-lxc's controllable,
// snapshot_restore (to a new name, in place, of a missing snapshot) and
// add_device_net (a host veth moved into the running container under a
// new name; refused on a stopped container and for a missing device)
// answer under golxc's library as under LXC's.
func TestPythonDeviceNetSnapshotRestoreSameAsLXC(t *testing.T) {
	needRoot(t)
	needPythonLXC(t)
	need(t, "ip")
	dir := built(t)
	name, ifname := "capi-pyx", "capiveth0"
	t.Cleanup(func() {
		for _, n := range []string{ifname, ifname + "p"} {
			if _, err := os.Stat("/sys/class/net/" + n); err == nil {
				exec.Command("ip", "link", "del", n).Run()
			}
		}
	})
	run := programRun(t, dir, []string{name, name + "-r"}, func(lxcpath string) []string {
		return []string{python, "testdata/pyextra.py", lxcpath, name, ifname}
	})
	fromGolxc := run(libEnv(dir))
	want := `controllable undefined True
create True
controllable True
save_config True
snapshot snap0
snapshot_restore missing False
snapshot_restore new True
restored defined True
restored marker before
restored destroy True
snapshot_restore in place True
in place defined True
in place marker before
snapshots ['snap0']
add_device_net stopped False
start True
wait RUNNING True
controllable running True
ip link add 0
add_device_net missing False
add_device_net True
host still has it False
container has eth9 True
stop True
peer gone with the container True
snapshot_destroy True
destroy True
`
	if fromGolxc != want {
		t.Errorf("got:\n%s\nwant:\n%s", fromGolxc, want)
	}
	sameAsLXC(t, fromGolxc, run, name)
}
