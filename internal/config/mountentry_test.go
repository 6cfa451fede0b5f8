package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/storage"
)

func TestParseMountEntry(t *testing.T) {
	e, err := ParseMountEntry("lxc.mount.entry", `/src\040dir  mnt/x none  rbind,ro,nosuid,optional,create=dir,rslave,size=1m,relative 0 0`)
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
	if !e.Optional || e.Create != CreateDir || !e.Relative {
		t.Errorf("lxc options lost: %+v", e)
	}
	e, err = ParseMountEntry("lxc.mount.entry", "proc proc proc ro,rw,defaults,nofail")
	if err != nil || e.Flags != 0 || e.ClearFlags != unix.MS_RDONLY || e.Data != "" {
		t.Errorf("rw after ro: %+v %v", e, err)
	}
	if e, err = ParseMountEntry("lxc.mount.entry", "/f etc/f none bind,create=file"); err != nil || e.Create != CreateFile {
		t.Errorf("create=file: %+v %v", e, err)
	}
	for line, want := range map[string]string{
		"only two": `lxc.mount.entry: invalid value "only two"; expected "SOURCE TARGET TYPE [OPTIONS [FREQ [PASSNO]]]" as in fstab(5)`,
		"a b none bind,idmap=container": `lxc.mount.entry: invalid value "a b none bind,idmap=container": option "idmap=container": ` +
			`idmapped mounts are not supported; remove the idmap= option (golxc cannot idmap a mount yet)`,
	} {
		if _, err := ParseMountEntry("lxc.mount.entry", line); err == nil || err.Error() != want {
			t.Errorf("%q: %v\nwant %s", line, err, want)
		}
	}
}

// lxc.rootfs.options goes through the same option table, once.
func TestSpecRootfsOptions(t *testing.T) {
	s, err := mustLoad(t, "lxc.rootfs.path = /r\nlxc.rootfs.options = ro,rslave,lowerdir=/x\n").Spec()
	if r := s.Rootfs; err != nil || r.Flags != unix.MS_RDONLY || r.Propagation != unix.MS_SLAVE|unix.MS_REC ||
		r.Data != "lowerdir=/x" || r.OptionsErr != nil || r.Options != "ro,rslave,lowerdir=/x" {
		t.Errorf("%+v %v", s.Rootfs, err)
	}
	s, err = mustLoad(t, "lxc.rootfs.path = /r\nlxc.rootfs.options = ro,idmap=container\n").Spec()
	want := `lxc.rootfs.options: invalid value "ro,idmap=container": option "idmap=container": idmapped mounts are not supported; ` +
		`remove the idmap= option (golxc cannot idmap a mount yet)`
	if err != nil || s.Rootfs.OptionsErr == nil || s.Rootfs.OptionsErr.Error() != want {
		t.Errorf("%v %v\nwant %s", s.Rootfs.OptionsErr, err, want)
	}
}

// lxc.mount.entry takes any text when loading, as in LXC (lxc-info -c
// shows it); the Spec parses each entry once, and keeps a bad line's
// error, naming file and line, for the start to report.
func TestSpecMountEntries(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "inc.conf")
	if err := os.WriteFile(inc, []byte("# included\nlxc.mount.entry = tmpfs tmp tmpfs size=1m 0 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	top := filepath.Join(dir, "config")
	text := "lxc.mount.entry = /a mnt/a none bind,create=dir 0 0\nlxc.include = " + inc + "\n\nlxc.mount.entry = not-enough\n"
	if err := os.WriteFile(top, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c := New()
	if err := c.Load(top); err != nil {
		t.Fatalf("a bad entry must not fail the load: %v", err)
	}
	if got, _ := c.Get("lxc.mount.entry"); got != "/a mnt/a none bind,create=dir 0 0\ntmpfs tmp tmpfs size=1m 0 0\nnot-enough\n" {
		t.Errorf("get_config_item: %q", got)
	}
	if err := c.Set("lxc.mount.entry", "proc proc proc defaults"); err != nil {
		t.Fatal(err)
	}
	s, err := c.Spec()
	if err != nil {
		t.Fatalf("a bad entry must not fail the Spec (attach, destroy use it): %v", err)
	}
	m := s.MountEntries
	if len(m) != 4 {
		t.Fatalf("entries: %+v", m)
	}
	if m[0].Source != "/a" || m[0].Flags != unix.MS_BIND || m[0].Create != CreateDir || m[0].File != top || m[0].Line != 1 || m[0].Err != nil {
		t.Errorf("entry 1: %+v", m[0])
	}
	if m[1].FSType != "tmpfs" || m[1].Data != "size=1m" || m[1].File != inc || m[1].Line != 2 {
		t.Errorf("entry 2 (included): %+v", m[1])
	}
	want := top + `:4: lxc.mount.entry: invalid value "not-enough"; expected "SOURCE TARGET TYPE [OPTIONS [FREQ [PASSNO]]]" as in fstab(5)`
	if m[2].Err == nil || m[2].Err.Error() != want {
		t.Errorf("entry 3: %v\nwant %s", m[2].Err, want)
	}
	if m[3].FSType != "proc" || m[3].File != "" || m[3].Line != 0 || m[3].Err != nil {
		t.Errorf("entry 4 (API): %+v", m[3])
	}
	// The monitor sends the Spec to the init stage as JSON.
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Spec
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.MountEntries, s.MountEntries) || back.Caps != s.Caps {
		t.Errorf("JSON round trip:\n%+v\n%+v", back.MountEntries, s.MountEntries)
	}
}

func TestParseFstab(t *testing.T) {
	l, err := ParseFstab("/f", []byte("# comment\n\n  /a b none bind 0 0\n\ttmpfs c tmpfs mode=700\n"))
	if err != nil || len(l) != 2 || l[0].Source != "/a" || l[0].Line != 3 || l[0].File != "/f" || l[1].Data != "mode=700" || l[1].Line != 4 {
		t.Errorf("%+v %v", l, err)
	}
	_, err = ParseFstab("/f", []byte("/a b none bind\nx y\n"))
	if want := `/f:2: lxc.mount.fstab: invalid value "x y"; expected "SOURCE TARGET TYPE [OPTIONS [FREQ [PASSNO]]]" as in fstab(5)`; err == nil || err.Error() != want {
		t.Errorf("%v\nwant %s", err, want)
	}
}

// lxc.rootfs.path is split once: an overlay's lower and upper directories;
// what cannot be mounted stays readable and is kept for the start.
func TestSpecRootfsPath(t *testing.T) {
	s := mustLoad(t, "lxc.rootfs.path = overlay:/l1:/l2:/up\n").mustSpec(t)
	if r := s.Rootfs; r.Type != "overlay" || strings.Join(r.OverlayLower, " ") != "/l1 /l2" || r.OverlayUpper != "/up" || r.PathErr != nil {
		t.Errorf("overlay: %+v", r)
	}
	s = mustLoad(t, "lxc.rootfs.path = /var/lib/lxc/c/rootfs\n").mustSpec(t)
	if r := s.Rootfs; r.Type != "dir" || r.OverlayLower != nil || r.PathErr != nil {
		t.Errorf("dir: %+v", r)
	}
	for text, want := range map[string]string{
		"lxc.rootfs.path = overlayfs:/only": `lxc.rootfs.path: invalid value "overlayfs:/only"; an overlay needs "overlay:LOWER[:LOWER...]:UPPER"`,
		"lxc.rootfs.path = zfs:pool/c":      `lxc.rootfs.path: invalid value "zfs:pool/c"; ` + storage.Unavailable("zfs").Error(),
	} {
		c := mustLoad(t, text+"\n")
		if v, err := c.Get("lxc.rootfs.path"); err != nil || !strings.HasSuffix(text, v) {
			t.Errorf("%q: get_config_item %q %v", text, v, err)
		}
		if e := c.mustSpec(t).Rootfs.PathErr; e == nil || e.Error() != want {
			t.Errorf("%q: %v\nwant %s", text, e, want)
		}
	}
}
