package cmdsock

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// fdSpace is how many descriptors one received message may carry before the
// kernel discards (closes) the rest.
const fdSpace = 24

// incoming is one received header with whatever ancillary data came with it.
type incoming struct {
	hdr  header
	fds  []int
	cred *unix.Ucred
}

// readHeader reads one fixed-size header. io.EOF means the peer closed the
// connection before sending anything.
func readHeader(c *net.UnixConn) (incoming, error) {
	var in incoming
	buf := make([]byte, headerSize)
	oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred)+unix.CmsgSpace(4*fdSpace))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if oobn > 0 {
		in.fds, in.cred = parseOOB(oob[:oobn])
	}
	if err != nil {
		closeFds(in.fds)
		return in, err
	}
	if n == 0 {
		closeFds(in.fds)
		return in, io.EOF
	}
	if n < headerSize {
		// A stream may split the header; the rest carries no ancillary data.
		if _, err := io.ReadFull(c, buf[n:]); err != nil {
			closeFds(in.fds)
			return in, io.ErrUnexpectedEOF
		}
	}
	in.hdr, _ = decodeHeader(buf)
	return in, nil
}

func parseOOB(oob []byte) (fds []int, cred *unix.Ucred) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, nil
	}
	for i := range msgs {
		m := &msgs[i]
		if m.Header.Level != unix.SOL_SOCKET {
			continue
		}
		switch m.Header.Type {
		case unix.SCM_RIGHTS:
			if got, err := unix.ParseUnixRights(m); err == nil {
				fds = append(fds, got...)
			}
		case unix.SCM_CREDENTIALS:
			if uc, err := unix.ParseUnixCredentials(m); err == nil {
				cred = uc
			}
		}
	}
	return fds, cred
}

// writeMsg sends a header (with oob attached) followed by its payload.
func writeMsg(c *net.UnixConn, h header, data []byte, oob []byte) error {
	n, _, err := c.WriteMsgUnix(h.encode(), oob, nil)
	if err != nil {
		return err
	}
	if n != headerSize {
		return fmt.Errorf("cmdsock: short header write (%d bytes)", n)
	}
	if len(data) > 0 {
		if _, err := c.Write(data); err != nil {
			return err
		}
	}
	return nil
}

// readPayload reads exactly n payload bytes.
func readPayload(c *net.UnixConn, n int32) ([]byte, error) {
	if n <= 0 {
		return nil, nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		return nil, err
	}
	return b, nil
}

func closeFds(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// PeerCred is the kernel's view of the peer of a unix socket (SO_PEERCRED;
// the server uses it when a message arrived without SCM_CREDENTIALS).
func PeerCred(c *net.UnixConn) (unix.Ucred, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return unix.Ucred{}, err
	}
	var uc *unix.Ucred
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		uc, gerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return unix.Ucred{}, err
	}
	if gerr != nil {
		return unix.Ucred{}, gerr
	}
	return *uc, nil
}

// SetPassCred makes the kernel attach the sender's credentials to every
// message received on the socket (SO_PASSCRED).
func SetPassCred(raw syscall.RawConn) error {
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PASSCRED, 1)
	}); err != nil {
		return err
	}
	return serr
}

func isConnGone(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF)
}
