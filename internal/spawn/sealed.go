package spawn

import (
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

var sealed struct {
	once sync.Once
	file *os.File
	err  error
}

// SealedExe returns a sealed memfd copy of /proc/self/exe, made once per
// process and shared: do not close it. Start execs the stage from it, so
// /proc/<stage>/exe is the memfd and a container cannot overwrite the host
// binary through it (CVE-2019-5736). The seals (SEAL|SHRINK|GROW|WRITE)
// make every write or truncate fail, even through a fresh open.
func SealedExe() (*os.File, error) {
	sealed.once.Do(func() { sealed.file, sealed.err = makeSealedExe() })
	return sealed.file, sealed.err
}

func makeSealedExe() (*os.File, error) {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, fmt.Errorf("spawn: open /proc/self/exe: %w", err)
	}
	defer src.Close()
	fd, err := unix.MemfdCreate("golxc", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("spawn: memfd_create for the sealed exe: %w", err)
	}
	mem := os.NewFile(uintptr(fd), "memfd:golxc")
	if _, err := io.Copy(mem, src); err != nil {
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
