package spawn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/golxc/golxc/internal/nsexec"
	"golang.org/x/sys/unix"
)

// The sync socket is a SOCK_SEQPACKET socketpair: one JSON value per
// packet, so there is no framing to get wrong, and fds ride along as
// SCM_RIGHTS on the same packet. A packet is limited by the socket buffer
// (~200 KiB by default), so a larger value travels in a memfd instead.

// maxFiles bounds the fds accepted with one message.
const maxFiles = 16

// Send writes v as one JSON packet.
func Send(f *os.File, v any) error { return SendFiles(f, v) }

// SendFiles writes v as one JSON packet carrying files via SCM_RIGHTS. The
// caller still owns (and should close) its copies of files.
func SendFiles(f *os.File, v any, files ...*os.File) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("spawn: sync send: encode %T: %w", v, err)
	}
	if len(data) > inlineMax {
		// Too big for one packet (a config with 100k lines): the JSON
		// travels in a sealed memfd sent as the first fd.
		mfd, err := memfdWith(data)
		if err != nil {
			return fmt.Errorf("spawn: sync send %T (%d bytes): %w", v, len(data), err)
		}
		defer mfd.Close()
		data, files = []byte{bigMarker}, append([]*os.File{mfd}, files...)
	}
	if err := sendPacket(f, data, files); err != nil {
		return fmt.Errorf("spawn: sync send %T: %w", v, err)
	}
	return nil
}

// SendPlan sends an exec plan (nsexec.Plan.Bytes) to a process started
// with Request.ExecPlan, with the files that become its stdin, stdout and
// stderr.
func SendPlan(f *os.File, plan []byte, stdio ...*os.File) error {
	if len(plan) > nsexec.PlanMax {
		return fmt.Errorf("spawn: exec plan of %d bytes, at most %d", len(plan), nsexec.PlanMax)
	}
	if len(plan) > 64<<10 {
		// One packet must fit the send buffer (~200 KiB by default); a
		// plan is bounded by the exec's own argument limit.
		growSendBuffer(f, 2*len(plan)+4096)
	}
	if err := sendPacket(f, plan, stdio); err != nil {
		return fmt.Errorf("spawn: send exec plan (%d bytes): %w", len(plan), err)
	}
	return nil
}

// growSendBuffer raises the socket's send buffer to n bytes: past
// net.core.wmem_max with CAP_NET_ADMIN, else as far as that allows.
func growSendBuffer(f *os.File, n int) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, n) != nil {
			_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF, n)
		}
	})
}

// sendPacket writes one packet with files as SCM_RIGHTS.
func sendPacket(f *os.File, data []byte, files []*os.File) error {
	if len(files) > maxFiles {
		return fmt.Errorf("%d fds, at most %d per message", len(files), maxFiles)
	}
	var oob []byte
	if len(files) > 0 {
		fds := make([]int, len(files))
		for i, file := range files {
			fds[i] = int(file.Fd())
		}
		oob = unix.UnixRights(fds...)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), data, oob, nil, unix.MSG_NOSIGNAL)
		return serr != unix.EAGAIN
	})
	if err == nil {
		err = serr
	}
	return err
}

// Recv reads one JSON packet into v. Any fds that came with it are closed.
// At end of stream it returns an error wrapping io.EOF.
func Recv(f *os.File, v any) error {
	files, err := RecvFiles(f, v)
	for _, file := range files {
		file.Close()
	}
	return err
}

// RecvFiles reads one JSON packet into v and returns the fds sent with it.
func RecvFiles(f *os.File, v any) ([]*os.File, error) {
	data, files, err := recvPacket(f)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		closeAll(files)
		return nil, fmt.Errorf("spawn: sync recv: decode %T from %q: %w", v, truncate(data), err)
	}
	return files, nil
}

// recvPacket reads one packet of any size: it peeks at the length first.
func recvPacket(f *os.File) ([]byte, []*os.File, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, nil, fmt.Errorf("spawn: sync recv: %w", err)
	}
	var (
		data  []byte
		oob   = make([]byte, unix.CmsgSpace(maxFiles*4))
		n     int
		oobn  int
		flags int
		rerr  error
	)
	err = rc.Read(func(fd uintptr) bool {
		var size int
		size, _, _, _, rerr = unix.Recvmsg(int(fd), nil, nil, unix.MSG_PEEK|unix.MSG_TRUNC)
		if rerr == unix.EAGAIN {
			return false
		}
		if rerr != nil {
			return true
		}
		data = make([]byte, size)
		n, oobn, flags, _, rerr = unix.Recvmsg(int(fd), data, oob, unix.MSG_CMSG_CLOEXEC)
		return rerr != unix.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return nil, nil, fmt.Errorf("spawn: sync recv: %w", err)
	}
	files, ferr := parseRights(oob[:oobn])
	if ferr == nil && flags&unix.MSG_CTRUNC != 0 {
		ferr = errors.New("fds truncated (more than 16 sent)")
	}
	if ferr != nil {
		closeAll(files)
		return nil, nil, fmt.Errorf("spawn: sync recv: %w", ferr)
	}
	if n == 0 && len(data) == 0 {
		closeAll(files)
		return nil, nil, fmt.Errorf("spawn: sync recv: %w", io.EOF)
	}
	if n == 1 && data[0] == bigMarker && len(files) > 0 {
		big, err := io.ReadAll(io.NewSectionReader(files[0], 0, 1<<62))
		files[0].Close()
		if err != nil {
			closeAll(files[1:])
			return nil, nil, fmt.Errorf("spawn: sync recv: read large message: %w", err)
		}
		return big, files[1:], nil
	}
	return data[:n], files, nil
}

// inlineMax is the largest JSON sent inline; it stays well below the
// default socket buffer (net.core.wmem_default, ~208 KiB).
const inlineMax = 64 << 10

// bigMarker is a packet no JSON value can be: "the message is in the fd".
const bigMarker = 0

// memfdWith returns a sealed, read-only-content memfd holding data.
func memfdWith(data []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate("golxc-sync", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "golxc-sync")
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE|unix.F_SEAL_SEAL); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func parseRights(oob []byte) ([]*os.File, error) {
	if len(oob) == 0 {
		return nil, nil
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, err
	}
	var files []*os.File
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			files = append(files, os.NewFile(uintptr(fd), "scm-rights"))
		}
	}
	return files, nil
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

func truncate(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
