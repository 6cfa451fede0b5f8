package tools

import (
	"fmt"
	"hash/fnv"
	"io"
	"net"
)

// monitordAddr is where LXC's lxc-monitord of lxcpath listens and relays
// its monitor FIFO: @lxc/FNV64("lxc/LXCPATH/monitor-sock")/LXCPATH.
func monitordAddr(lxcpath string) *net.UnixAddr {
	h := fnv.New64a()
	io.WriteString(h, "lxc/"+lxcpath+"/monitor-sock")
	return &net.UnixAddr{Name: fmt.Sprintf("@lxc/%016x/%s", h.Sum64(), lxcpath), Net: "unix"}
}

// dialMonitord connects to a running lxc-monitord of lxcpath, nil if none.
func dialMonitord(lxcpath string) *net.UnixConn {
	conn, err := net.DialUnix("unix", nil, monitordAddr(lxcpath))
	if err != nil {
		return nil
	}
	return conn
}

// quitMonitord sends "quit" to LXC's lxc-monitord of lxcpath if one runs.
func quitMonitord(lxcpath string) {
	conn := dialMonitord(lxcpath)
	if conn == nil {
		return
	}
	defer conn.Close()
	conn.Write([]byte("quit"))
}
