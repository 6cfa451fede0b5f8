package cmdsock

import (
	"bytes"
	"testing"
)

func TestHeaderLayout(t *testing.T) {
	if ptrSize != 8 {
		t.Skip("layout check written for 64-bit hosts")
	}
	b := header{first: int32(GetConfigItem), datalen: 9, value: -1}.encode()
	want := []byte{7, 0, 0, 0, 9, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if !bytes.Equal(b, want) {
		t.Fatalf("encoded % x, want % x", b, want)
	}
	h, err := decodeHeader(b)
	if err != nil || h.first != 7 || h.datalen != 9 || h.value != -1 {
		t.Fatalf("decode = %+v, %v", h, err)
	}
	if ptrInt(h.value) != -1 {
		t.Fatalf("ptrInt(-1) = %d", ptrInt(h.value))
	}
	// PTR_TO_INT keeps only the low 32 bits.
	if ptrInt(0x1_0000_0005) != 5 {
		t.Fatal("ptrInt must truncate to 32 bits")
	}
	if _, err := decodeHeader(b[:15]); err == nil {
		t.Fatal("short header accepted")
	}
}

func TestCmdNumbersAndNames(t *testing.T) {
	if GetTTYFD != 0 || Stop != 2 || GetState != 3 || AddStateClient != 10 ||
		Freeze != 15 || GetCgroupCtx != 23 || GetSystemdScope != 26 || cmdMax != 27 {
		t.Fatal("command numbers drifted from LXC 5.0.2's lxc_cmd_t")
	}
	if GetInitPidFD.String() != "get_init_pidfd" || Cmd(27).String() != "unknown command 27" {
		t.Fatalf("names: %q %q", GetInitPidFD, Cmd(27))
	}
	for c := Cmd(0); c < cmdMax; c++ {
		if c.String() == "" {
			t.Errorf("command %d has no name", c)
		}
	}
}

func TestStateNames(t *testing.T) {
	for i, n := range []string{"STOPPED", "STARTING", "RUNNING", "STOPPING", "ABORTING", "FREEZING", "FROZEN", "THAWED"} {
		st, err := ParseState(n)
		if err != nil || st != State(i) || st.String() != n {
			t.Errorf("%s: %v %v", n, st, err)
		}
	}
	if _, err := ParseState("running"); err == nil || err.Error() != "invalid state 'running'" {
		t.Errorf("case-insensitive parse accepted or wrong message: %v", err)
	}
	if State(8).String() != "INVALID STATE" {
		t.Error("out-of-range name")
	}
}

func TestMsgLayout(t *testing.T) {
	b, err := Msg{Type: MsgState, Name: "c1", Value: int32(FROZEN)}.Encode()
	if err != nil || len(b) != 264 {
		t.Fatalf("len %d, %v", len(b), err)
	}
	if b[0] != 0 || string(b[4:6]) != "c1" || b[6] != 0 || b[260] != 6 {
		t.Fatalf("layout wrong: % x", b[:8])
	}
	m, err := DecodeMsg(b)
	if err != nil || m.Name != "c1" || m.Value != 6 {
		t.Fatalf("%+v %v", m, err)
	}
	if _, err := (Msg{Name: string(make([]byte, 256))}).Encode(); err == nil {
		t.Fatal("over-long name accepted")
	}
}

func TestConsoleLogLayout(t *testing.T) {
	if ptrSize != 8 {
		t.Skip("layout check written for 64-bit hosts")
	}
	b := ConsoleLogRequest{Clear: true, ReadMax: 0x0102, WriteLogfile: true}.Encode()
	if len(b) != 24 || b[0] != 1 || b[1] != 0 || b[8] != 2 || b[9] != 1 || b[16] != 1 {
		t.Fatalf("layout: % x", b)
	}
	r, err := DecodeConsoleLogRequest(b)
	if err != nil || !r.Clear || r.Read || r.ReadMax != 0x102 || !r.WriteLogfile {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestStateSetPayload(t *testing.T) {
	set := NewStateSet(RUNNING, FROZEN)
	b := EncodeStateSet(set)
	if len(b) != 32 || b[8] != 1 || b[24] != 1 || b[0] != 0 {
		t.Fatalf("payload % x", b)
	}
	back, ok := DecodeStateSet(b)
	if !ok || back != set || !back.Has(RUNNING) || back.Has(STOPPED) {
		t.Fatalf("%v %v", back, ok)
	}
	if _, ok := DecodeStateSet(b[:31]); ok {
		t.Fatal("short payload accepted")
	}
}
