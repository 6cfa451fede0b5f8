package nsexec

import (
	"bytes"
	"testing"
)

func TestHibernateTableLookup(t *testing.T) {
	tab := &HibernateTable{ListenFD: 5, PidFD: 6, ConsoleFD: -1, StateFD: 7, Comm: "lxc-start",
		Guards: []HibernateGuard{{FD: 9, Content: []byte("THAWED\n")}},
		Entries: []HibernateEntry{
			{Cmd: 3, Batchable: true, RespVal: 3, FD: -1},                                                   // GET_STATE
			{Cmd: 7, Data: []byte("lxc.uts.name\x00"), Batchable: true, RespData: []byte("c1\x00"), FD: -1}, // GET_CONFIG_ITEM
			{Cmd: 10, Data: []byte{1, 2}, Value: 99, Ret: 3, RespVal: 3, FD: -1},                            // ADD_STATE_CLIENT
			{Cmd: 18, FD: 6}, // GET_INIT_PIDFD
		}}
	b, err := tab.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(b)%8 != 0 {
		t.Fatalf("table of %d bytes is not 8-aligned", len(b))
	}
	look := func(cmd int32, value int64, data []byte, batched bool) (HibernateEntry, bool) {
		e, ok, err := Lookup(b, cmd, value, data, batched)
		if err != nil {
			t.Fatal(err)
		}
		return e, ok
	}
	if e, ok := look(3, 0, nil, false); !ok || e.RespVal != 3 || e.FD != -1 {
		t.Fatalf("GET_STATE: %+v %v", e, ok)
	}
	if _, ok := look(3, 1, nil, false); ok {
		t.Fatal("a request without payload is matched with its pointer slot: value 1 must not match value 0")
	}
	if e, ok := look(7, 0x7fff1234, []byte("lxc.uts.name\x00"), false); !ok || !bytes.Equal(e.RespData, []byte("c1\x00")) {
		t.Fatalf("GET_CONFIG_ITEM: the pointer slot of a request with payload must be ignored: %+v %v", e, ok)
	}
	if _, ok := look(7, 0, []byte("lxc.uts.nam\x00"), false); ok {
		t.Fatal("another key matched")
	}
	if _, ok := look(7, 0, []byte("lxc.uts.name\x00"), true); !ok {
		t.Fatal("batchable query missing from the batch keys")
	}
	if _, ok := look(10, 0, []byte{1, 2}, false); !ok {
		t.Fatal("ADD_STATE_CLIENT missing")
	}
	if _, ok := look(10, 0, []byte{1, 2}, true); ok {
		t.Fatal("ADD_STATE_CLIENT may not be answered inside a batch")
	}
	if e, ok := look(18, 0, nil, false); !ok || e.FD != 6 {
		t.Fatalf("GET_INIT_PIDFD: %+v %v", e, ok)
	}
	if _, ok := look(18, 0, nil, true); ok {
		t.Fatal("a descriptor reply may not be answered inside a batch")
	}
	if _, _, err := Lookup(b[:len(b)-8], 3, 0, nil, false); err == nil {
		t.Fatal("truncated table accepted")
	}
}

func TestHibernateTableLimits(t *testing.T) {
	if _, err := (&HibernateTable{Comm: "a-name-longer-than-15"}).Encode(); err == nil {
		t.Fatal("a comm longer than 15 bytes must be refused")
	}
	big := make([]byte, hibMaxDataSize+1)
	if _, err := (&HibernateTable{Entries: []HibernateEntry{{Cmd: 7, RespData: big}}}).Encode(); err == nil {
		t.Fatal("an answer above LXC_CMD_DATA_MAX must be refused")
	}
	if _, err := (&HibernateTable{Guards: []HibernateGuard{{FD: 3, Content: make([]byte, hibGuardMax+1)}}}).Encode(); err == nil {
		t.Fatal("an oversized guard must be refused")
	}
}

func TestParseResume(t *testing.T) {
	r, err := ParseResume("12:c:7:0")
	if err != nil || r != (Resume{StateFD: 12, Reason: 'c', ConnFD: 7}) {
		t.Fatalf("%+v %v", r, err)
	}
	r, err = ParseResume("12:s:-1:15")
	if err != nil || r.ConnFD != -1 || r.Signal != 15 || r.Reason != 's' {
		t.Fatalf("%+v %v", r, err)
	}
	for _, bad := range []string{"", "12", "x:c:1:0", "12:c:1"} {
		if _, err := ParseResume(bad); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}
