package lxc

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

func TestCheckMountFlags(t *testing.T) {
	for _, c := range []struct {
		flags uintptr
		want  string // the flag named in the refusal, "" for none
	}{
		{0, ""},
		{unix.MS_BIND, ""},
		{unix.MS_BIND | unix.MS_REC | unix.MS_RDONLY | unix.MS_NOSUID, ""},
		// MS_BIND comes before propagation and MS_MOVE in path_mount
		{unix.MS_BIND | unix.MS_REC | unix.MS_PRIVATE, ""},
		{unix.MS_BIND | unix.MS_SHARED, ""},
		{unix.MS_BIND | unix.MS_SLAVE | unix.MS_UNBINDABLE, ""},
		{unix.MS_BIND | unix.MS_MOVE, ""},
		{unix.MS_MOVE, "MS_MOVE without MS_BIND"},
		{unix.MS_REMOUNT, "MS_REMOUNT"},
		{unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY, "MS_REMOUNT"},
		{unix.MS_SHARED, "MS_SHARED without MS_BIND"},
		{unix.MS_PRIVATE | unix.MS_REC, "MS_PRIVATE without MS_BIND"},
		{unix.MS_SLAVE, "MS_SLAVE without MS_BIND"},
		{unix.MS_UNBINDABLE, "MS_UNBINDABLE without MS_BIND"},
		{unix.MS_PRIVATE | unix.MS_MOVE, "MS_PRIVATE without MS_BIND"},
	} {
		err := checkMountFlags(c.flags)
		if c.want == "" {
			if err != nil {
				t.Errorf("flags %#x: refused: %v", c.flags, err)
			}
			continue
		}
		if !errors.Is(err, ErrMountFlags) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("flags %#x: got %v, want ErrMountFlags naming %s", c.flags, err, c.want)
		}
	}
}

func TestMountNSFlags(t *testing.T) {
	if _, err := mountNSFlags(nil, errors.New("bad line 3")); err == nil {
		t.Error("no Spec: want an error, not a guess at the namespaces")
	}
	if f, err := mountNSFlags(&config.Spec{}, nil); err != nil || f != unix.CLONE_NEWNS {
		t.Errorf("not id-mapped: got %#x %v, want CLONE_NEWNS", f, err)
	}
	f, err := mountNSFlags(&config.Spec{IDMap: []config.IDMap{{}}}, nil)
	if err != nil || f != unix.CLONE_NEWNS|unix.CLONE_NEWUSER {
		t.Errorf("id-mapped: got %#x %v, want CLONE_NEWNS|CLONE_NEWUSER", f, err)
	}
}
