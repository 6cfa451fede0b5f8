package cmdsock

import (
	"encoding/binary"
	"errors"
	"unsafe"
)

// Both lxc_cmd_req and lxc_cmd_rsp are {int; int; void *} in host byte
// order: 16 bytes on 64-bit (4 bytes of padding before the pointer), 12 on
// 32-bit. The pointer slot carries a small integer when datalen is 0.
const (
	ptrSize    = int(unsafe.Sizeof(uintptr(0)))
	ptrOffset  = (8 + ptrSize - 1) / ptrSize * ptrSize
	headerSize = ptrOffset + ptrSize
)

// dataMax is LXC_CMD_DATA_MAX (2 * PATH_MAX): larger payloads are refused,
// except for CONSOLE_LOG.
const dataMax = 2 * 4096

// header is the decoded fixed part of a request or a response.
type header struct {
	first   int32 // cmd (request) or ret (response)
	datalen int32
	value   int64 // the pointer slot
}

func (h header) encode() []byte {
	b := make([]byte, headerSize)
	binary.NativeEndian.PutUint32(b[0:], uint32(h.first))
	binary.NativeEndian.PutUint32(b[4:], uint32(h.datalen))
	if ptrSize == 8 {
		binary.NativeEndian.PutUint64(b[ptrOffset:], uint64(h.value))
	} else {
		binary.NativeEndian.PutUint32(b[ptrOffset:], uint32(h.value))
	}
	return b
}

func decodeHeader(b []byte) (header, error) {
	if len(b) != headerSize {
		return header{}, errors.New("cmdsock: short header")
	}
	h := header{
		first:   int32(binary.NativeEndian.Uint32(b[0:])),
		datalen: int32(binary.NativeEndian.Uint32(b[4:])),
	}
	if ptrSize == 8 {
		h.value = int64(binary.NativeEndian.Uint64(b[ptrOffset:]))
	} else {
		h.value = int64(int32(binary.NativeEndian.Uint32(b[ptrOffset:])))
	}
	return h, nil
}

// ptrInt reads the pointer slot the way LXC's PTR_TO_INT does: the low 32
// bits as a signed int.
func ptrInt(v int64) int32 { return int32(uint32(v)) }

// msgNameLen is NAME_MAX+1, the name field of struct lxc_msg.
const msgNameLen = 256

// msgSize is sizeof(struct lxc_msg {int type; char name[256]; int value;}).
const msgSize = 4 + msgNameLen + 4

// Message types of struct lxc_msg.
const (
	MsgState    = 0
	MsgPriority = 1
	MsgExitCode = 2
)

// Msg is struct lxc_msg, the record sent to state clients and through the
// lxc-monitord FIFO.
type Msg struct {
	Type  int32
	Name  string
	Value int32
}

// Encode lays m out as LXC does; names longer than 255 bytes are refused.
func (m Msg) Encode() ([]byte, error) {
	if len(m.Name) >= msgNameLen {
		return nil, errors.New("cmdsock: container name longer than 255 bytes does not fit struct lxc_msg")
	}
	b := make([]byte, msgSize)
	binary.NativeEndian.PutUint32(b[0:], uint32(m.Type))
	copy(b[4:], m.Name)
	binary.NativeEndian.PutUint32(b[4+msgNameLen:], uint32(m.Value))
	return b, nil
}

// DecodeMsg parses a struct lxc_msg.
func DecodeMsg(b []byte) (Msg, error) {
	if len(b) != msgSize {
		return Msg{}, errors.New("cmdsock: lxc_msg must be 264 bytes")
	}
	name := b[4 : 4+msgNameLen]
	for i, c := range name {
		if c == 0 {
			name = name[:i]
			break
		}
	}
	return Msg{
		Type:  int32(binary.NativeEndian.Uint32(b[0:])),
		Name:  string(name),
		Value: int32(binary.NativeEndian.Uint32(b[4+msgNameLen:])),
	}, nil
}

// ConsoleLogRequest is struct lxc_cmd_console_log
// {bool clear; bool read; uint64_t read_max; bool write_logfile;}.
type ConsoleLogRequest struct {
	Clear        bool
	Read         bool
	ReadMax      uint64
	WriteLogfile bool
}

// consoleLogC mirrors the C struct; Go lays fields out with the C ABI's
// alignment on Linux, so its size and offsets are the wire layout.
type consoleLogC struct {
	clear        bool
	read         bool
	readMax      uint64
	writeLogfile bool
}

// ConsoleLogSize is the payload length of a CONSOLE_LOG request (24 on x86_64).
const ConsoleLogSize = int(unsafe.Sizeof(consoleLogC{}))

// Encode lays the request out as the C struct.
func (r ConsoleLogRequest) Encode() []byte {
	var c consoleLogC
	b := make([]byte, ConsoleLogSize)
	b[unsafe.Offsetof(c.clear)] = boolByte(r.Clear)
	b[unsafe.Offsetof(c.read)] = boolByte(r.Read)
	binary.NativeEndian.PutUint64(b[unsafe.Offsetof(c.readMax):], r.ReadMax)
	b[unsafe.Offsetof(c.writeLogfile)] = boolByte(r.WriteLogfile)
	return b
}

// DecodeConsoleLogRequest parses a CONSOLE_LOG payload.
func DecodeConsoleLogRequest(b []byte) (ConsoleLogRequest, error) {
	var c consoleLogC
	if len(b) < ConsoleLogSize {
		return ConsoleLogRequest{}, errors.New("cmdsock: short console_log request")
	}
	return ConsoleLogRequest{
		Clear:        b[unsafe.Offsetof(c.clear)] != 0,
		Read:         b[unsafe.Offsetof(c.read)] != 0,
		ReadMax:      binary.NativeEndian.Uint64(b[unsafe.Offsetof(c.readMax):]),
		WriteLogfile: b[unsafe.Offsetof(c.writeLogfile)] != 0,
	}, nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// EncodeStateSet is the ADD_STATE_CLIENT payload (8 host-order ints).
func EncodeStateSet(set StateSet) []byte {
	b := make([]byte, 4*MaxState)
	for i, v := range set {
		binary.NativeEndian.PutUint32(b[4*i:], uint32(v))
	}
	return b
}

// DecodeStateSet parses an ADD_STATE_CLIENT payload; it must be exactly
// 4*MaxState bytes, as LXC checks.
func DecodeStateSet(b []byte) (StateSet, bool) {
	var set StateSet
	if len(b) != 4*int(MaxState) {
		return set, false
	}
	for i := range set {
		set[i] = int32(binary.NativeEndian.Uint32(b[4*i:]))
	}
	return set, true
}

// cString returns b up to its first NUL (LXC string payloads end in one).
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// withNUL is s as an LXC string payload.
func withNUL(s string) []byte { return append([]byte(s), 0) }

// MsgSize is the size of an encoded Msg (struct lxc_msg).
const MsgSize = msgSize
