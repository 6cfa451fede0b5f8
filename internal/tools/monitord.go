package tools

import (
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"os"

	"github.com/golxc/golxc/internal/cmdsock"

	"github.com/golxc/golxc/internal/log"
)

// monitordAddr is where LXC's lxc-monitord of lxcpath listens and relays
// its monitor FIFO: @lxc/FNV64("lxc/LXCPATH/monitor-sock")/LXCPATH.
func monitordAddr(lxcpath string) *net.UnixAddr {
	h := fnv.New64a()
	io.WriteString(h, "lxc/"+lxcpath+"/monitor-sock")
	return &net.UnixAddr{Name: fmt.Sprintf("@lxc/%016x/%s", h.Sum64(), lxcpath), Net: "unix"}
}

// dialMonitord connects to a running lxc-monitord of lxcpath, nil if none.
// Abstract names have no permissions: anyone may bind this one while no
// lxc-monitord runs, so a daemon that is neither root nor us is refused
// rather than believed.
func dialMonitord(lxcpath string) *net.UnixConn {
	conn, err := net.DialUnix("unix", nil, monitordAddr(lxcpath))
	if err != nil {
		return nil
	}
	uid, err := peerUID(conn)
	if err == nil && uid != 0 && int(uid) != os.Geteuid() {
		err = fmt.Errorf("it belongs to uid %d, neither root nor us", uid)
	}
	if err != nil {
		log.Warnf("not using %s: %v", monitordAddr(lxcpath).Name, err)
		conn.Close()
		return nil
	}
	return conn
}

func peerUID(conn *net.UnixConn) (uint32, error) {
	cred, err := cmdsock.PeerCred(conn)
	return cred.Uid, err
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
