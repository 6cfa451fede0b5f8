package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// loopDriver: the rootfs is a filesystem in an image file
// (LXCPATH/NAME/rootdev), mounted through a loop device.
type loopDriver struct{}

func (loopDriver) Name() string      { return "loop" }
func (loopDriver) CanSnapshot() bool { return false }

// loopFile is LXC's image path for a rootfs mount point: ".../rootfs"
// becomes ".../rootdev".
func loopFile(dest string) string { return strings.TrimSuffix(dest, "fs") + "dev" }

func (loopDriver) Create(dest string, o CreateOptions) (string, error) {
	img := loopFile(dest)
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return "", fmt.Errorf("create rootfs directory %s: %w", dest, err)
	}
	if err := makeImage(img, o.FSSize, o.FSType); err != nil {
		return "", err
	}
	return "loop:" + img, nil
}

// makeImage creates a sparse image file of size bytes (plus LXC's one
// written byte) and a filesystem in it.
func makeImage(img string, size uint64, fstype string) error {
	if size == 0 {
		size = DefaultFSSize
	}
	if fstype == "" {
		fstype = DefaultFSType
	}
	if strings.ContainsAny(fstype, "/ ") {
		return fmt.Errorf("--fstype %q: not a filesystem type name", fstype)
	}
	mkfs, err := exec.LookPath("mkfs." + fstype)
	if err != nil {
		return fmt.Errorf("--fstype %s: mkfs.%s not found; install it or choose another filesystem type", fstype, fstype)
	}
	f, err := os.OpenFile(img, os.O_CREATE|os.O_EXCL|os.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("create loop file: %w", err)
	}
	_, err = f.WriteAt([]byte("1"), int64(size))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(img)
		return fmt.Errorf("size loop file %s: %w", img, err)
	}
	logf("Executing \"%s %s\"", mkfs, img)
	out, err := exec.Command(mkfs, img).CombinedOutput()
	if err != nil {
		os.Remove(img)
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return fmt.Errorf("mkfs.%s %s failed: %v: %s", fstype, img, err, lines[len(lines)-1])
	}
	logf("Created %s filesystem of %d bytes in %q", fstype, size, img)
	return nil
}

func (loopDriver) Mount(r Rootfs, data string) (*MountSpec, error) {
	fstype, err := DetectFS(r.Path)
	if err != nil {
		return nil, fmt.Errorf("lxc.rootfs.path %q: %v", r.Raw, err)
	}
	dev, f, err := AttachLoop(r.Path)
	if err != nil {
		return nil, fmt.Errorf("lxc.rootfs.path %q: %v", r.Raw, err)
	}
	logf("Prepared loop device %q for %q", dev, r.Path)
	return &MountSpec{Source: dev, FSType: fstype, Data: data, Hold: f}, nil
}

// Clone makes a new image (the origin's size when it is an image, else
// -L or 1 GiB) and copies the origin's files into it.
func (loopDriver) Clone(j *CloneJob) (string, error) {
	if j.Snapshot {
		return "", fmt.Errorf("the loop storage driver does not support snapshots: clone without -s")
	}
	img := filepath.Join(j.BuildDir, "rootdev")
	size, fstype := j.NewSize, DefaultFSType
	if j.Orig.Type == "loop" {
		if t, err := DetectFS(j.Orig.Path); err == nil {
			fstype = t
		}
		if st, err := os.Stat(j.Orig.Path); err == nil && size == 0 {
			size = uint64(st.Size()) - 1
		}
	}
	if err := makeImage(img, size, fstype); err != nil {
		return "", err
	}
	mnt := filepath.Join(j.BuildDir, "rootfs")
	umount, err := MountAt(Rootfs{Type: "loop", Path: img, Raw: "loop:" + img}, mnt)
	if err != nil {
		return "", err
	}
	defer umount()
	if err := j.copyOrigin(mnt); err != nil {
		return "", err
	}
	return "loop:" + filepath.Join(j.finalDir(), "rootdev"), nil
}

func (loopDriver) Destroy(r Rootfs) error {
	if err := os.Remove(r.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// AttachLoop binds file to a free loop device that detaches itself when
// its last user (this fd, then the mount) goes away.
func AttachLoop(file string) (string, *os.File, error) {
	img, err := os.OpenFile(file, os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", nil, err
	}
	defer img.Close()
	ctl, err := os.OpenFile("/dev/loop-control", os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", nil, fmt.Errorf("no loop devices: %v", err)
	}
	defer ctl.Close()
	for try := 0; try < 16; try++ {
		n, err := unix.IoctlRetInt(int(ctl.Fd()), unix.LOOP_CTL_GET_FREE)
		if err != nil {
			return "", nil, fmt.Errorf("find a free loop device: %v", err)
		}
		dev := fmt.Sprintf("/dev/loop%d", n)
		f, err := os.OpenFile(dev, os.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return "", nil, fmt.Errorf("open %s: %v", dev, err)
		}
		cfg := unix.LoopConfig{Fd: uint32(img.Fd())}
		cfg.Info.Flags = unix.LO_FLAGS_AUTOCLEAR
		copy(cfg.Info.File_name[:], file)
		err = unix.IoctlLoopConfigure(int(f.Fd()), &cfg)
		if err == nil {
			return dev, f, nil
		}
		f.Close()
		if !errors.Is(err, unix.EBUSY) {
			return "", nil, fmt.Errorf("attach %s to %s: %v", file, dev, err)
		}
		// Taken between GET_FREE and CONFIGURE: ask again.
	}
	return "", nil, fmt.Errorf("attach %s: every free loop device was taken meanwhile", file)
}

// DetectFS reads the filesystem type from an image's superblock.
func DetectFS(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, 0x10048)
	n, _ := f.ReadAt(buf, 0)
	buf = buf[:n]
	switch {
	case len(buf) >= 0x10048 && bytes.Equal(buf[0x10040:0x10048], []byte("_BHRfS_M")):
		return "btrfs", nil
	case len(buf) >= 4 && bytes.Equal(buf[:4], []byte("XFSB")):
		return "xfs", nil
	case len(buf) >= 1024+0x3a && binary.LittleEndian.Uint16(buf[1024+0x38:]) == 0xef53:
		// The ext4 driver mounts ext2 and ext3 too.
		return "ext4", nil
	}
	return "", fmt.Errorf("%s: no ext2/3/4, btrfs or xfs filesystem found in it", file)
}
