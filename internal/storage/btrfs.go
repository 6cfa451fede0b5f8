package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"
)

// btrfsDriver: the rootfs is a btrfs subvolume; clones on the same
// filesystem are subvolume snapshots.
type btrfsDriver struct{}

func (btrfsDriver) Name() string      { return "btrfs" }
func (btrfsDriver) CanSnapshot() bool { return true }

// The btrfs ioctls golxc uses (linux/btrfs.h): both argument structs are
// 4096 bytes, so _IOW(0x94, nr, 4096).
const (
	btrfsIocSubvolCreate = 0x5000940e
	btrfsIocSnapDestroy  = 0x5000940f
	btrfsIocSnapCreateV2 = 0x50009417
	btrfsSuperMagic      = 0x9123683e
	btrfsFirstFreeIno    = 256 // a subvolume's root directory inode
)

type btrfsVolArgs struct {
	fd   int64
	name [4088]byte
}

type btrfsVolArgsV2 struct {
	fd      int64
	transid uint64
	flags   uint64
	unused  [4]uint64
	name    [4040]byte
}

func btrfsIoctl(dir string, req uintptr, arg unsafe.Pointer) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

// SubvolumeCreate makes path a new, empty subvolume.
func SubvolumeCreate(path string) error {
	var a btrfsVolArgs
	if len(filepath.Base(path)) >= len(a.name) {
		return fmt.Errorf("btrfs subvolume name too long: %s", path)
	}
	copy(a.name[:], filepath.Base(path))
	if err := btrfsIoctl(filepath.Dir(path), btrfsIocSubvolCreate, unsafe.Pointer(&a)); err != nil {
		return fmt.Errorf("create btrfs subvolume %s: %w", path, err)
	}
	logf("Created btrfs subvolume %q", path)
	return nil
}

// SubvolumeSnapshot makes dst a snapshot of the subvolume src.
func SubvolumeSnapshot(src, dst string) error {
	sfd, err := unix.Open(src, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: src, Err: err}
	}
	defer unix.Close(sfd)
	var a btrfsVolArgsV2
	a.fd = int64(sfd)
	copy(a.name[:], filepath.Base(dst))
	if err := btrfsIoctl(filepath.Dir(dst), btrfsIocSnapCreateV2, unsafe.Pointer(&a)); err != nil {
		return fmt.Errorf("create btrfs snapshot %s of %s: %w", dst, src, err)
	}
	logf("Created btrfs snapshot %q from %q", dst, src)
	return nil
}

// IsSubvolume: path is the root of a btrfs subvolume.
func IsSubvolume(path string) bool {
	var fs unix.Statfs_t
	var st unix.Stat_t
	if unix.Statfs(path, &fs) != nil || uint32(fs.Type) != btrfsSuperMagic {
		return false
	}
	return unix.Lstat(path, &st) == nil && st.Ino == btrfsFirstFreeIno && st.Mode&unix.S_IFMT == unix.S_IFDIR
}

// OnBtrfs: path lies on a btrfs filesystem.
func OnBtrfs(path string) bool {
	var fs unix.Statfs_t
	return unix.Statfs(path, &fs) == nil && uint32(fs.Type) == btrfsSuperMagic
}

// SubvolumeDelete removes a subvolume and the subvolumes nested in it.
func SubvolumeDelete(path string) error {
	var a btrfsVolArgs
	copy(a.name[:], filepath.Base(path))
	err := btrfsIoctl(filepath.Dir(path), btrfsIocSnapDestroy, unsafe.Pointer(&a))
	if errors.Is(err, unix.ENOTEMPTY) {
		// Nested subvolumes go first.
		filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
			if err == nil && p != path && d.IsDir() && IsSubvolume(p) {
				SubvolumeDelete(p)
				return filepath.SkipDir
			}
			return nil
		})
		err = btrfsIoctl(filepath.Dir(path), btrfsIocSnapDestroy, unsafe.Pointer(&a))
	}
	if err != nil {
		return fmt.Errorf("delete btrfs subvolume %s: %w", path, err)
	}
	logf("Deleted btrfs subvolume %q", path)
	return nil
}

func (btrfsDriver) Create(dest string, _ CreateOptions) (string, error) {
	if !OnBtrfs(filepath.Dir(dest)) {
		return "", fmt.Errorf("-B btrfs: %s is not on a btrfs filesystem; put the lxcpath on btrfs or use another backing store", filepath.Dir(dest))
	}
	os.Remove(dest)
	if err := SubvolumeCreate(dest); err != nil {
		return "", err
	}
	return "btrfs:" + dest, nil
}

func (btrfsDriver) Mount(r Rootfs, data string) (*MountSpec, error) {
	return dirDriver{}.Mount(r, data)
}

// Clone snapshots a btrfs origin (a snapshot is the copy when both are
// on the same filesystem); other origins are copied into a new subvolume.
func (btrfsDriver) Clone(j *CloneJob) (string, error) {
	dst := filepath.Join(j.BuildDir, "rootfs")
	final := "btrfs:" + filepath.Join(j.finalDir(), "rootfs")
	os.Remove(dst)
	if j.Orig.Type == "btrfs" {
		err := SubvolumeSnapshot(j.Orig.Path, dst)
		if err == nil {
			return final, nil
		}
		if j.Snapshot || !errors.Is(err, unix.EXDEV) {
			return "", err
		}
	} else if j.Snapshot {
		return "", fmt.Errorf("a btrfs snapshot of a %s container is not supported: clone without -s, or use -B overlay", j.Orig.Type)
	}
	if !OnBtrfs(j.BuildDir) {
		return "", fmt.Errorf("-B btrfs: %s is not on a btrfs filesystem", j.NewPath)
	}
	if err := SubvolumeCreate(dst); err != nil {
		return "", err
	}
	if err := j.copyOrigin(dst); err != nil {
		return "", err
	}
	return final, nil
}

func (btrfsDriver) Destroy(r Rootfs) error {
	if IsSubvolume(r.Path) {
		return SubvolumeDelete(r.Path)
	}
	return removeOneDev(r.Path)
}
