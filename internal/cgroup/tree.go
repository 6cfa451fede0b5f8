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
		cur, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return fmt.Errorf("initialise cpuset %s: %w", dir, err)
		}
		if strings.TrimSpace(string(cur)) != "" {
			continue
		}
		v, err := os.ReadFile(filepath.Join(parent, f))
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
// truncating it (cgroupfs files take one value per write).
func writeFile(p, v string) error {
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, werr := f.Write([]byte(v))
	cerr := f.Close()
	if werr != nil {
		return werr
	}
	return cerr
}
