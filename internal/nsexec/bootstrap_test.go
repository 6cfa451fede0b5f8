package nsexec

import (
	"encoding/binary"
	"testing"
)

func TestEncode(t *testing.T) {
	b := Bootstrap{Mode: Join, NSFlags: 0x40000000, JoinPID: 42, PidFD: 7, ExeFD: 6, Pdeathsig: 9, Setsid: true, Prepare: true,
		NarrowCaps: true, CapKeep: 0x1_0000_0003, NoNewPrivs: true,
		Share: []Share{{NSType: 0x40000000, FD: 8}, {NSType: 0x20000000, FD: 9}}}.Encode()
	if len(b) != bootstrapSize {
		t.Fatalf("%d bytes, want %d", len(b), bootstrapSize)
	}
	u32 := func(off int) uint32 { return binary.NativeEndian.Uint32(b[off:]) }
	for _, c := range []struct {
		name      string
		got, want uint32
	}{
		{"size", u32(0), bootstrapSize}, {"magic", u32(4), bootstrapMagic}, {"version", u32(8), 3},
		{"mode", u32(12), 2}, {"opts", u32(24), 15}, {"pid", u32(28), 42}, {"pidfd", u32(32), 7},
		{"exefd", u32(36), 6}, {"pdeathsig", u32(40), 9}, {"nshare", u32(44), 2},
		{"share[0].nstype", u32(48), 0x40000000}, {"share[0].fd", u32(52), 8},
		{"share[1].nstype", u32(56), 0x20000000}, {"share[1].fd", u32(60), 9},
		{"share[2].nstype", u32(64), 0}, {"share[7].fd", u32(108), 0xffffffff},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if k := binary.NativeEndian.Uint64(b[112:]); k != 0x1_0000_0003 {
		t.Errorf("capkeep = %#x", k)
	}
	if f := binary.NativeEndian.Uint64(b[16:]); f != 0x40000000 {
		t.Errorf("nsflags = %#x", f)
	}
	if string(b[4:8]) != "GLXC" && binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		t.Errorf("magic bytes %q", b[4:8])
	}
	neg := Bootstrap{PidFD: -1, ExeFD: -1}.Encode()
	if int32(binary.NativeEndian.Uint32(neg[32:])) != -1 {
		t.Errorf("pidfd -1 not preserved")
	}
}

func TestNotAStage(t *testing.T) {
	if info, ok := Stage(); ok {
		t.Errorf("test process reports being a stage: %+v", info)
	}
}
