package lxc

import (
	"os"
	"syscall"
)

func mayControl(dir string) bool {
	if os.Geteuid() == 0 {
		return true
	}
	st, err := os.Stat(dir)
	if err != nil {
		return os.IsNotExist(err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == os.Geteuid()
}
