package spawn

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// SealedExe returns a new sealed memfd copy of /proc/self/exe; the caller
// closes it. Start execs the stage from it, so /proc/<stage>/exe is the
// memfd and a container cannot overwrite the host binary through it
// (CVE-2019-5736). The seals (SEAL|SHRINK|GROW|WRITE) make every write or
// truncate fail, even through a fresh open.
//
// Start makes one per call and closes it once the stage has exec'd: a
// cached copy would pin the whole binary in shared memory for the life of
// every monitor (several MiB per running container), while a copy costs
// about a millisecond.
func SealedExe() (*os.File, error) {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, fmt.Errorf("spawn: open /proc/self/exe: %w", err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return nil, fmt.Errorf("spawn: stat /proc/self/exe: %w", err)
	}
	fd, err := unix.MemfdCreate("golxc", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("spawn: memfd_create for the sealed exe: %w", err)
	}
	mem := os.NewFile(uintptr(fd), "memfd:golxc")
	if err := copyExe(mem, src, st.Size()); err != nil {
		mem.Close()
		return nil, fmt.Errorf("spawn: copy /proc/self/exe to memfd: %w", err)
	}
	seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(mem.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		mem.Close()
		return nil, fmt.Errorf("spawn: seal the exe memfd: %w", err)
	}
	return mem, nil
}

// copyExe copies size bytes in the kernel (sendfile: no user-space buffer
// round trip), sizing the memfd first so shmem allocates it in one go.
func copyExe(dst, src *os.File, size int64) error {
	if err := unix.Ftruncate(int(dst.Fd()), size); err != nil {
		return err
	}
	for off := int64(0); off < size; {
		n, err := unix.Sendfile(int(dst.Fd()), int(src.Fd()), &off, int(size-off))
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("short copy: %d of %d bytes", off, size)
		}
	}
	return nil
}
