package lxc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/spawn"
)

// Mount and Unmount change the running container's mounts from the host
// (liblxc's mount/umount). The mount is made on the host, in a private
// temporary directory, and cloned into a detached tree (open_tree); a
// helper that joins init's mount namespace (and user namespace when the
// container is id-mapped) attaches the tree at the target (move_mount).
// Unlike LXC 5.0.2 no shared mount (lxc.mount.auto = shmounts:) is needed
// for the trip between the namespaces; the C API still asks for it, as
// liblxc does.

const mountStage = "lxc-mount"

func init() { spawn.RegisterStage(mountStage, mountChild) }

type mountReply struct{ Err string }

// Mount mounts source (fstype, flags and data as mount(2); MS_BIND for a
// host path) at target in the container, creating target (and its
// parents) as LXC does: a directory for a directory source or a
// file system, a file otherwise.
func (c *Container) Mount(source, target, fstype string, flags uintptr, data string) error {
	if err := checkMountFlags(flags); err != nil {
		log.Debugf("Refusing to mount \"%s\" onto \"%s\": %v", source, target, err)
		return err
	}
	pid := c.InitPid()
	if pid <= 0 {
		return ErrNotRunning
	}
	isDir := true
	if source != "" {
		fi, err := os.Stat(source)
		if err != nil {
			return fmt.Errorf("mount source: %w", err)
		}
		isDir = fi.IsDir()
	}
	tree, err := detachedMount(source, fstype, flags, data, isDir)
	if err != nil {
		return err
	}
	defer tree.Close()
	return c.inMountNS(pid, []*os.File{tree}, "mount", target, strconv.FormatBool(isDir))
}

// Unmount unmounts target in the container (umount2 with flags).
func (c *Container) Unmount(target string, flags int) error {
	pid := c.InitPid()
	if pid <= 0 {
		return ErrNotRunning
	}
	return c.inMountNS(pid, nil, "umount", target, strconv.Itoa(flags))
}

// detachedMount mounts source on a temporary directory of the host and
// returns a detached copy of that mount tree; the temporary mount goes.
func detachedMount(source, fstype string, flags uintptr, data string, isDir bool) (*os.File, error) {
	dir, err := os.MkdirTemp(config.RuntimeDir(), ".lxcmount_")
	if err != nil {
		return nil, fmt.Errorf("temporary mount point: %w", err)
	}
	defer os.Remove(dir)
	at := dir
	if !isDir {
		// a file is bind-mounted onto a file
		at = path.Join(dir, "file")
		if err := os.WriteFile(at, nil, 0o000); err != nil {
			return nil, fmt.Errorf("temporary mount point: %w", err)
		}
		defer os.Remove(at)
	}
	if err := unix.Mount(source, at, fstype, flags, data); err != nil {
		return nil, fmt.Errorf("mount %q on %s: %w", source, at, err)
	}
	log.Tracef("Mounted \"%s\" onto \"%s\"", source, at)
	defer unix.Unmount(at, unix.MNT_DETACH)
	fd, err := unix.OpenTree(unix.AT_FDCWD, at, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
	if err != nil {
		return nil, fmt.Errorf("clone the mount on %s: %w", at, err)
	}
	return os.NewFile(uintptr(fd), "detached mount"), nil
}

// inMountNS runs mountChild in init's mount namespace.
func (c *Container) inMountNS(pid int, files []*os.File, args ...string) error {
	flags, err := mountNSFlags(c.Spec())
	if err != nil {
		return fmt.Errorf("%s in the mount namespace of %d: %w", args[0], pid, err)
	}
	p, err := spawn.Start(spawn.Request{
		Mode: spawn.Join, JoinPID: pid, JoinFlags: flags, Stage: mountStage, Args: args,
		ExtraFiles: files, CgroupFD: -1, Pdeathsig: unix.SIGKILL,
	})
	if err != nil {
		return fmt.Errorf("enter the mount namespace of %d: %w", pid, err)
	}
	var r mountReply
	rerr := spawn.Recv(p.Sync, &r)
	p.Sync.Close()
	p.Wait()
	if rerr != nil {
		return fmt.Errorf("%s in the mount namespace of %d: %w", args[0], pid, rerr)
	}
	if r.Err != "" {
		return errors.New(r.Err)
	}
	return nil
}

// mountChild runs in the container's mount namespace: "mount TARGET
// ISDIR" attaches the tree on fd 3, "umount TARGET FLAGS" unmounts.
func mountChild(sync *os.File, args []string) int {
	defer sync.Close()
	var err error
	if len(args) != 3 {
		err = fmt.Errorf("mount stage: bad arguments %q", args)
	} else if args[0] == "umount" {
		flags, _ := strconv.Atoi(args[2])
		if err = unix.Unmount(args[1], flags); err != nil {
			err = fmt.Errorf("Failed to umount \"%s\": %w", args[1], err)
		}
	} else {
		err = attachTree(3, args[1], args[2] == "true")
	}
	var r mountReply
	if err != nil {
		r.Err = err.Error()
	}
	if spawn.Send(sync, r) != nil || err != nil {
		return 1
	}
	return 0
}

// attachTree makes the target as LXC's create_mount_target does (parents
// 0755, the target itself mode 0) where it is missing or of the wrong
// type (mountTargetAction), and moves the detached tree fd onto it. A
// target of the right type is mounted onto as it is; on failure only a
// target made here is removed.
func attachTree(fd int, target string, isDir bool) error {
	if err := os.MkdirAll(path.Dir(target), 0o755); err != nil {
		return fmt.Errorf("Failed to create \"%s\": %w", path.Dir(target), err)
	}
	fi, err := os.Lstat(target)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("Failed to stat mount target \"%s\": %w", target, err)
	}
	var mode fs.FileMode
	if fi != nil {
		mode = fi.Mode()
	}
	action := mountTargetAction(fi != nil, mode, isDir)
	if action == targetReplace {
		if err := os.Remove(target); err != nil {
			return fmt.Errorf("Failed to remove mount target \"%s\" of the wrong type (a %s is mounted there): %w", target, kindOf(isDir), err)
		}
		log.Debugf("Removed mount target \"%s\": not a %s", target, kindOf(isDir))
	}
	if action != targetKeep {
		if isDir {
			err = unix.Mkdir(target, 0)
		} else {
			err = unix.Mknod(target, unix.S_IFREG, 0)
		}
		if err != nil {
			return fmt.Errorf("Failed to create mount target \"%s\": %w", target, err)
		}
		log.Tracef("Created mount target \"%s\"", target)
	}
	if err := unix.MoveMount(fd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		if action != targetKeep {
			_ = os.Remove(target)
		}
		return fmt.Errorf("Failed to move the mount to \"%s\": %w", target, err)
	}
	log.Tracef("Moved mount to \"%s\"", target)
	return nil
}

func kindOf(isDir bool) string {
	if isDir {
		return "directory"
	}
	return "file"
}
