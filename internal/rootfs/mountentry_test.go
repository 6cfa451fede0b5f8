package rootfs

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseMountEntry(t *testing.T) {
	e, err := ParseMountEntry(`/src\040dir  mnt/x none  rbind,ro,nosuid,optional,create=dir,rslave,size=1m,relative 0 0`)
	if err != nil {
		t.Fatal(err)
	}
	if e.Source != "/src dir" || e.Target != "mnt/x" || e.FSType != "none" {
		t.Errorf("fields: %+v", e)
	}
	if e.Flags != unix.MS_BIND|unix.MS_REC|unix.MS_RDONLY|unix.MS_NOSUID {
		t.Errorf("flags %#x", e.Flags)
	}
	if e.Propagation != unix.MS_SLAVE|unix.MS_REC || e.Data != "size=1m" {
		t.Errorf("propagation %#x data %q", e.Propagation, e.Data)
	}
	if !e.Optional || e.Create != createDir || !e.Relative {
		t.Errorf("lxc options lost: %+v", e)
	}

	e, err = ParseMountEntry("proc proc proc ro,rw,defaults,nofail")
	if err != nil || e.Flags != 0 || e.ClearFlags != unix.MS_RDONLY || e.Data != "" {
		t.Errorf("rw after ro: %+v %v", e, err)
	}
	if _, err := ParseMountEntry("only two"); err == nil {
		t.Error("short line accepted")
	}
	if _, err := ParseMountEntry("a b none bind,idmap=container"); err == nil {
		t.Error("idmap entry accepted silently")
	}
}
