package seccomp

import (
	"encoding/binary"
	"testing"
)

// FuzzSeccompPolicy parses arbitrary policy text; whatever parses must
// compile to a program that the interpreter runs without error and that
// agrees with the policy's direct evaluation for a syscall derived from
// the input.
func FuzzSeccompPolicy(f *testing.F) {
	f.Add([]byte(DefaultProfile), []byte{0})
	f.Add([]byte("1\nallowlist\n0\n1\n231\n"), []byte{1, 2})
	f.Add([]byte("2\nallowlist errno 38\nread\nwrite\n[x86]\nsocket errno 1 [0,2,SCMP_CMP_EQ]\n"), []byte{3})
	f.Add([]byte("2\ndenylist\nioctl errno 1 [1,0x5412,==][0,3,<=]\nclone trap [0,0x10000000,&=,0x10000000]\n[arm]\nfoo\n"), []byte{9, 9, 9})
	f.Add([]byte("2\nwhitelist trap\nkill allow [1,0x100000000,>=]\nshmget kill\n"), []byte{0xff})
	f.Fuzz(func(t *testing.T, text []byte, sel []byte) {
		p, err := Parse("fuzz", text)
		if err != nil {
			return
		}
		prog, err := p.Compile()
		if err != nil {
			return // conflicting rules, too large
		}
		var buf [4 + 1 + 48]byte
		copy(buf[:], sel)
		nr := binary.LittleEndian.Uint32(buf[0:])
		// Aim at syscalls the policy mentions most of the time.
		if len(p.Rules) > 0 && buf[4]&1 == 0 {
			r := p.Rules[int(buf[4]>>1)%len(p.Rules)]
			if r.Name == "" {
				nr = uint32(r.Number)
			} else if n, ok := abis[int(nr%3)].Number(r.Name); ok {
				nr = n
			}
		}
		arch := []uint32{auditArchX8664, auditArchI386, 0x40000028}[int(buf[4]>>4)%3]
		var args [6]uint64
		for i := range args {
			args[i] = binary.LittleEndian.Uint64(buf[5+8*i:])
		}
		got, err := run(prog.Filter, arch, nr, args)
		if err != nil {
			t.Fatal(err)
		}
		want, err := p.Evaluate(arch, nr, args)
		if err != nil {
			t.Fatal(err)
		}
		if got != want.ret() {
			t.Fatalf("arch %#x nr %d args %v: program %#x, policy %s", arch, nr, args, got, want)
		}
	})
}
