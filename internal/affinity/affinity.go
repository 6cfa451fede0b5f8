// Package affinity puts a process's CPU affinity mask back on every one of
// its threads. golxc's cheap start (internal/nsexec/cheapstart.c) and
// golxc-query's ELF entry (cmd/golxc-query/entry_amd64.s) narrow the mask
// to one CPU before the Go runtime starts, so it sizes itself to one P;
// their Go side calls Restore before any tool code runs. No cgo: both
// binaries link it.
package affinity

import "golang.org/x/sys/unix"

// Restore sets mask on every thread of the process. The runtime's
// threads started before it (sysmon, the cgo template thread, an M) carry
// the narrowed mask and pass it to the threads they create, so the task
// list is walked until a walk finds no thread it has not set yet. Errors
// are ignored: at worst a thread keeps running on one CPU.
func Restore(mask *unix.CPUSet) {
	// One open of the task list; each walk rewinds it (a directory read
	// from offset 0 again lists the threads as they are now).
	fd, err := unix.Open("/proc/self/task", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		_ = unix.SchedSetaffinity(0, mask)
		return
	}
	defer unix.Close(fd)
	done := map[int]bool{}
	for round := 0; round < 8; round++ {
		tids, err := threadIDs(fd)
		if err != nil {
			_ = unix.SchedSetaffinity(0, mask)
			return
		}
		fresh := false
		for _, tid := range tids {
			if !done[tid] {
				done[tid] = true
				fresh = true
				_ = unix.SchedSetaffinity(tid, mask)
			}
		}
		if !fresh {
			return
		}
	}
}

// threadIDs lists the open /proc/self/task directory fd from its start
// with raw getdents: no os.File, so no poller setup this early in the
// process.
func threadIDs(fd int) ([]int, error) {
	if _, err := unix.Seek(fd, 0, 0); err != nil {
		return nil, err
	}
	var names []string
	buf := make([]byte, 4096)
	for {
		n, err := unix.Getdents(fd, buf)
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
	tids := make([]int, 0, len(names))
	for _, name := range names {
		tid := 0
		for _, c := range []byte(name) {
			tid = tid*10 + int(c-'0')
		}
		tids = append(tids, tid)
	}
	return tids, nil
}
