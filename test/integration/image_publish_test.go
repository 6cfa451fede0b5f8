package integration

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestImageBuildPublishesSigned: `golxc image build --key` signs a build
// in its assembly directory, before the rename that puts it where a
// serving index sees it at once, so no client is offered an image whose
// signatures do not exist yet. inotify follows the build from its
// hidden directory to the rename; the watch on the assembly directory is
// in place long before the signing (the tarballs are compressed first),
// so the order is seen whatever the machine's load.
func TestImageBuildPublishesSigned(t *testing.T) {
	needRoot(t)
	base := t.TempDir()
	dir, key := filepath.Join(base, "srv"), filepath.Join(base, "key.asc")
	buildImage(t, dir, "img", "b1", key) // the key and the variant directory exist
	parent := filepath.Join(dir, "images/busybox/img/amd64/default")
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	pwd, err := unix.InotifyAddWatch(fd, parent, unix.IN_CREATE|unix.IN_MOVED_TO)
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		watchedOut bool
		signed     []string // signatures made in the assembly directory
	}
	done := make(chan outcome, 1)
	go func() {
		var o outcome
		dirs := map[int32]string{}
		watch := func(p string, mask uint32) {
			if wd, err := unix.InotifyAddWatch(fd, p, mask); err == nil {
				dirs[int32(wd)] = p
			}
		}
		buf := make([]byte, 64<<10)
		for {
			n, err := unix.Read(fd, buf)
			if err != nil {
				done <- o
				return
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				var ev unix.InotifyEvent
				binary.Read(bytes.NewReader(buf[off:off+unix.SizeofInotifyEvent]), binary.NativeEndian, &ev)
				name := string(bytes.TrimRight(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+int(ev.Len)], "\x00"))
				off += unix.SizeofInotifyEvent + int(ev.Len)
				switch {
				case ev.Wd == int32(pwd) && ev.Mask&unix.IN_MOVED_TO != 0 && name == "b2":
					done <- o
					return
				case ev.Wd == int32(pwd) && strings.HasPrefix(name, ".building-"):
					building := filepath.Join(parent, name)
					watch(building, unix.IN_CREATE)
					if _, err := os.Stat(filepath.Join(building, "out")); err == nil {
						watch(filepath.Join(building, "out"), unix.IN_MOVED_TO|unix.IN_CREATE)
						o.watchedOut = true
					}
				case dirs[ev.Wd] != "" && name == "out" && filepath.Base(dirs[ev.Wd]) != "out" && !o.watchedOut:
					watch(filepath.Join(dirs[ev.Wd], "out"), unix.IN_MOVED_TO|unix.IN_CREATE)
					o.watchedOut = true
				case strings.HasSuffix(dirs[ev.Wd], "/out") && strings.HasSuffix(name, ".asc"):
					o.signed = append(o.signed, name)
				}
			}
		}
	}()
	buildImage(t, dir, "img", "b2", key)
	select {
	case o := <-done:
		if !o.watchedOut {
			t.Fatal("the build's assembly directory was not seen")
		}
		for _, want := range []string{"rootfs.tar.xz.asc", "meta.tar.xz.asc"} {
			if !strings.Contains(strings.Join(o.signed, " "), want) {
				t.Errorf("%s was not made before the build was put in place (made there: %v)", want, o.signed)
			}
		}
	case <-time.After(time.Minute):
		t.Fatal("the rename of build b2 into place was not seen")
	}
	for _, f := range []string{"rootfs.tar.xz.asc", "meta.tar.xz.asc"} {
		if _, err := os.Stat(filepath.Join(parent, "b2", f)); err != nil {
			t.Errorf("build b2: %v", err)
		}
	}
}
