package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// mkTree creates rel (slash separated) below base. The final directory
// must be new unless reuse is set; intermediate ones may exist. In a v1
// cpuset hierarchy the first level below base is initialised so that tasks
// can join it (LXC's cpuset1_initialize). It reports whether the final
// directory was created by this call.
func mkTree(base, rel string, cpusetV1, reuse bool) (created bool, err error) {
	if rel == "" {
		return false, fmt.Errorf("create cgroup in %s: empty path", base)
	}
	cur := base
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		cur = filepath.Join(cur, p)
		err := os.Mkdir(cur, 0o755)
		created = err == nil
		if err != nil && !errors.Is(err, os.ErrExist) {
			return false, fmt.Errorf("create cgroup %s: %w", cur, err)
		}
		if i == 0 && cpusetV1 {
			if err := cpusetInit(base, cur); err != nil {
				if created && len(parts) == 1 {
					_ = syscall.Rmdir(cur)
				}
				return false, err
			}
		}
	}
	if !created && !reuse {
		return false, os.ErrExist
	}
	return created, nil
}

// cpusetInit gives a new v1 cpuset cgroup its parent's cpus and mems (a
// cpuset with empty ones refuses tasks) and turns on clone_children so that
// everything below inherits them.
func cpusetInit(parent, dir string) error {
	for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
		cur, err := readFile(filepath.Join(dir, f))
		if err != nil {
			return fmt.Errorf("initialise cpuset %s: %w", dir, err)
		}
		if strings.TrimSpace(string(cur)) != "" {
			continue
		}
		v, err := readFile(filepath.Join(parent, f))
		if err != nil {
			return fmt.Errorf("initialise cpuset %s: %w", dir, err)
		}
		if err := writeFile(filepath.Join(dir, f), strings.TrimSpace(string(v))); err != nil {
			return fmt.Errorf("initialise cpuset %s: %w", dir, err)
		}
	}
	if err := writeFile(filepath.Join(dir, "cgroup.clone_children"), "1"); err != nil {
		return fmt.Errorf("initialise cpuset %s: %w", dir, err)
	}
	return nil
}

// pruneTree removes dir and every cgroup below it, deepest first. A
// missing dir is not an error. Busy cgroups (tasks still exiting) are
// retried for a short while.
func pruneTree(dir string) error {
	// Most cgroups have no children: one rmdir, no listing of the dozens
	// of control files.
	err := syscall.Rmdir(dir)
	if err == nil || errors.Is(err, syscall.ENOENT) {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("remove cgroup %s: %w", dir, err)
	}
	var firstErr error
	for _, e := range ents {
		if e.IsDir() {
			if err := pruneTree(filepath.Join(dir, e.Name())); err != nil && firstErr == nil {
				firstErr = err
			}
		}
	}
	if firstErr != nil {
		return firstErr
	}
	return rmdirRetry(dir)
}

func rmdirRetry(dir string) error {
	delay := time.Millisecond
	for i := 0; ; i++ {
		err := syscall.Rmdir(dir)
		if err == nil || errors.Is(err, syscall.ENOENT) {
			return nil
		}
		if !errors.Is(err, syscall.EBUSY) || i >= 40 {
			return fmt.Errorf("remove cgroup %s: %w", dir, err)
		}
		time.Sleep(delay)
		if delay < 100*time.Millisecond {
			delay *= 2
		}
	}
}

// writeFile writes v to an existing cgroup file without creating or
// truncating it (cgroupfs files take one value per write). Plain syscalls:
// an *os.File would register every cgroupfs file with the poller (four
// extra syscalls per value, and a container start writes dozens).
func writeFile(p, v string) error {
	fd, err := openRetry(p, syscall.O_WRONLY|syscall.O_CLOEXEC)
	if err != nil {
		return &os.PathError{Op: "open", Path: p, Err: err}
	}
	defer syscall.Close(fd)
	if err := writeFd(fd, v); err != nil {
		return &os.PathError{Op: "write", Path: p, Err: err}
	}
	return nil
}

// writeFd writes v in one write(2), as cgroup files want it.
func writeFd(fd int, v string) error {
	for {
		_, err := syscall.Write(fd, []byte(v))
		if err != syscall.EINTR {
			return err
		}
	}
}

func openRetry(p string, flags int) (int, error) {
	for {
		fd, err := syscall.Open(p, flags, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// readFile reads a cgroup file with plain syscalls (see writeFile).
func readFile(p string) ([]byte, error) { return readFileSized(p, 512) }

// readFileSized reads p starting with a buffer of size bytes: files of
// /proc like mountinfo are generated anew for each read, so one that is
// large enough saves regenerating them.
func readFileSized(p string, size int) ([]byte, error) {
	fd, err := openRetry(p, syscall.O_RDONLY|syscall.O_CLOEXEC)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p, Err: err}
	}
	defer syscall.Close(fd)
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: p, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}
