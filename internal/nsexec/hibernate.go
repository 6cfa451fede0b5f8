package nsexec

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Hibernation (hibernate.c): the environment variables and the table the
// Go monitor renders before it execs itself into the C loop.
const (
	// EnvHibernate arms the C loop: the fd of the table (a memfd).
	EnvHibernate = "_GOLXC_HIBERNATE"
	// EnvResume is set by the C loop when it execs the Go monitor again:
	// "STATEFD:REASON:CONNFD:SIGNAL" (ParseResume).
	EnvResume = "_GOLXC_RESUME"
)

const (
	hibMagic       = 0x484c5847
	hibVersion     = 1
	hibHeaderSize  = 64
	hibEntrySize   = 24
	hibKeyHeader   = 16
	hibBatchKey    = 0x4843544142
	hibCommMax     = 15
	hibBatchCmd    = 0x474c5842
	hibMaxDataSize = 8192
	hibGuardSize   = 8
	hibGuardMax    = 256
)

// HibernateTable is what the C loop needs: the descriptors it watches and
// the replies it may give. Every answer is decided here, in Go.
type HibernateTable struct {
	ListenFD  int // the command socket
	PidFD     int // init's pidfd
	ConsoleFD int // console master to watch, -1 for none
	StateFD   int // handed back on wake
	UID, GID  uint32
	Comm      string
	// Guards hold while each file reads as given (from offset 0); a
	// request that finds one changed goes to the Go monitor.
	Guards  []HibernateGuard
	Entries []HibernateEntry
}

// HibernateGuard is a file whose content the answers depend on.
type HibernateGuard struct {
	FD      int
	Content []byte
}

// HibernateEntry is one canned reply to the request with exactly these
// bytes: Cmd, the header's datalen and pointer slot (Value; only for a
// request without payload) and Data. Batchable marks a query the loop may
// also answer inside a golxc batch. FD (-1: none) is sent with the reply.
type HibernateEntry struct {
	Cmd       int32
	Value     int64
	Data      []byte
	Batchable bool

	Ret      int32
	RespVal  int64
	RespData []byte
	FD       int
}

// Encode lays the table out as hibernate.h describes.
func (t *HibernateTable) Encode() ([]byte, error) {
	if len(t.Comm) > hibCommMax {
		return nil, fmt.Errorf("hibernate: comm %q longer than %d bytes", t.Comm, hibCommMax)
	}
	b := make([]byte, hibHeaderSize)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], hibMagic)
	ne.PutUint32(b[4:], hibVersion)
	ne.PutUint32(b[16:], uint32(int32(t.ListenFD)))
	ne.PutUint32(b[20:], uint32(int32(t.PidFD)))
	ne.PutUint32(b[24:], uint32(int32(t.ConsoleFD)))
	ne.PutUint32(b[28:], uint32(int32(t.StateFD)))
	ne.PutUint32(b[32:], t.UID)
	ne.PutUint32(b[36:], t.GID)
	copy(b[40:56], t.Comm)
	ne.PutUint32(b[56:], uint32(len(t.Guards)))
	for _, g := range t.Guards {
		if len(g.Content) > hibGuardMax {
			return nil, fmt.Errorf("hibernate: guard content longer than %d bytes", hibGuardMax)
		}
		b = ne.AppendUint32(b, uint32(int32(g.FD)))
		b = ne.AppendUint32(b, uint32(len(g.Content)))
		b = append(b, g.Content...)
		for len(b)%8 != 0 {
			b = append(b, 0)
		}
	}
	n := 0
	for _, e := range t.Entries {
		if len(e.Data) > hibMaxDataSize || len(e.RespData) > hibMaxDataSize {
			return nil, fmt.Errorf("hibernate: entry for command %d exceeds %d bytes", e.Cmd, hibMaxDataSize)
		}
		value := e.Value
		if len(e.Data) > 0 {
			value = 0 // a pointer in the request, not a value
		}
		b = appendEntry(b, e, value)
		n++
		if e.Batchable {
			b = appendEntry(b, e, hibBatchKey)
			n++
		}
	}
	ne.PutUint32(b[8:], uint32(len(b)))
	ne.PutUint32(b[12:], uint32(n))
	return b, nil
}

func appendEntry(b []byte, e HibernateEntry, keyValue int64) []byte {
	ne := binary.NativeEndian
	keylen := hibKeyHeader + len(e.Data)
	b = ne.AppendUint32(b, uint32(keylen))
	b = ne.AppendUint32(b, uint32(len(e.RespData)))
	b = ne.AppendUint32(b, uint32(e.Ret))
	b = ne.AppendUint32(b, uint32(int32(e.FD)))
	b = ne.AppendUint64(b, uint64(e.RespVal))
	b = ne.AppendUint32(b, uint32(e.Cmd))
	b = ne.AppendUint32(b, uint32(len(e.Data)))
	b = ne.AppendUint64(b, uint64(keyValue))
	b = append(b, e.Data...)
	b = append(b, e.RespData...)
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// Lookup finds the reply the C loop gives to a request, read from an
// encoded table the way hibernate.c reads it (tests; and a check that the
// table answers what the Go monitor would).
func Lookup(table []byte, cmd int32, value int64, data []byte, batched bool) (HibernateEntry, bool, error) {
	ne := binary.NativeEndian
	if len(table) < hibHeaderSize || ne.Uint32(table) != hibMagic || ne.Uint32(table[8:]) != uint32(len(table)) {
		return HibernateEntry{}, false, errors.New("hibernate: malformed table")
	}
	if len(data) > 0 {
		value = 0
	}
	if batched {
		value = hibBatchKey
	}
	n := ne.Uint32(table[12:])
	off := hibHeaderSize
	for g := ne.Uint32(table[56:]); g > 0; g-- {
		if off+hibGuardSize > len(table) {
			return HibernateEntry{}, false, errors.New("hibernate: truncated guard")
		}
		off = (off + hibGuardSize + int(ne.Uint32(table[off+4:])) + 7) &^ 7
	}
	for i := uint32(0); i < n; i++ {
		if off+hibEntrySize > len(table) {
			return HibernateEntry{}, false, errors.New("hibernate: truncated table")
		}
		keylen := int(ne.Uint32(table[off:]))
		dlen := int(ne.Uint32(table[off+4:]))
		end := off + hibEntrySize + keylen + dlen
		if keylen < hibKeyHeader || end > len(table) {
			return HibernateEntry{}, false, errors.New("hibernate: truncated entry")
		}
		key := table[off+hibEntrySize : off+hibEntrySize+keylen]
		if int32(ne.Uint32(key)) == cmd && int(ne.Uint32(key[4:])) == len(data) &&
			int64(ne.Uint64(key[8:])) == value && string(key[hibKeyHeader:]) == string(data) {
			return HibernateEntry{
				Cmd: cmd, Value: value, Data: data, Batchable: batched,
				Ret: int32(ne.Uint32(table[off+8:])), FD: int(int32(ne.Uint32(table[off+12:]))),
				RespVal: int64(ne.Uint64(table[off+16:])), RespData: table[off+hibEntrySize+keylen : end],
			}, true, nil
		}
		off = (end + 7) &^ 7
	}
	return HibernateEntry{}, false, nil
}

// Resume is what the C loop hands the Go monitor it wakes.
type Resume struct {
	StateFD int
	Reason  byte // 'e' init exited, 'c' a connection to answer, 's' a signal, 't' console output
	ConnFD  int  // the unanswered connection, unread, or -1
	Signal  int
}

// ParseResume reads EnvResume's value.
func ParseResume(v string) (Resume, error) {
	var r Resume
	var reason string
	if _, err := fmt.Sscanf(v, "%d:%1s:%d:%d", &r.StateFD, &reason, &r.ConnFD, &r.Signal); err != nil || len(reason) != 1 {
		return Resume{}, fmt.Errorf("%s=%q: malformed", EnvResume, v)
	}
	r.Reason = reason[0]
	return r, nil
}
