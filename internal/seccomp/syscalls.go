package seccomp

import "sync"

// ABI is one of the syscall tables of an x86_64 kernel.
type ABI uint8

// The three ways into an x86_64 kernel.
const (
	ABIX8664 ABI = iota
	ABII386
	ABIX32
)

var abis = []ABI{ABIX8664, ABII386, ABIX32}

func (a ABI) String() string {
	return [...]string{"x86_64", "i386", "x32"}[a]
}

// Audit architecture values (linux/audit.h) seen in seccomp_data.arch.
const (
	auditArchX8664 = 0xc000003e
	auditArchI386  = 0x40000003
	x32SyscallBit  = 0x40000000
)

// The tables are built on first use: every golxc process links them, few
// compile a seccomp policy.
var (
	syscallsX8664 = sync.OnceValue(syscallsX8664Table)
	syscallsI386  = sync.OnceValue(syscallsI386Table)
	syscallsX32   = sync.OnceValue(syscallsX32Table)
)

func (a ABI) table() map[string]uint32 {
	switch a {
	case ABII386:
		return syscallsI386()
	case ABIX32:
		return syscallsX32()
	}
	return syscallsX8664()
}

// Number returns the syscall number of name in the ABI as seen in
// seccomp_data.nr (x32 numbers include bit 30).
func (a ABI) Number(name string) (uint32, bool) {
	nr, ok := a.table()[name]
	if ok && a == ABIX32 {
		nr |= x32SyscallBit
	}
	return nr, ok
}

// On i386 the socket and SysV IPC calls can also be made through the
// socketcall(2) and ipc(2) multiplexers; the first argument selects the
// call (linux/net.h SYS_*, linux/ipc.h).
var socketcallNumbers = sync.OnceValue(func() map[string]uint64 {
	return map[string]uint64{
		"socket": 1, "bind": 2, "connect": 3, "listen": 4, "accept": 5,
		"getsockname": 6, "getpeername": 7, "socketpair": 8, "send": 9,
		"recv": 10, "sendto": 11, "recvfrom": 12, "shutdown": 13,
		"setsockopt": 14, "getsockopt": 15, "sendmsg": 16, "recvmsg": 17,
		"accept4": 18, "recvmmsg": 19, "sendmmsg": 20,
	}
})

var ipcNumbers = sync.OnceValue(func() map[string]uint64 {
	return map[string]uint64{
		"semop": 1, "semget": 2, "semctl": 3, "semtimedop": 4,
		"msgsnd": 11, "msgrcv": 12, "msgget": 13, "msgctl": 14,
		"shmat": 21, "shmdt": 22, "shmget": 23, "shmctl": 24,
	}
})

// knownSyscall reports whether name is a syscall in any x86 table or
// reachable through an i386 multiplexer.
func knownSyscall(name string) bool {
	for _, a := range abis {
		if _, ok := a.Number(name); ok {
			return true
		}
	}
	_, s := socketcallNumbers()[name]
	_, i := ipcNumbers()[name]
	return s || i
}
