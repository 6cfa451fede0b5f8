// The ELF entry point of golxc-query as make build links it (-ldflags
// "-E golxc_query_entry"; Makefile QUERYENTRY): a coarse timer slack
// before the Go runtime starts, then the runtime's own entry.
//
// A pure Go binary has no constructor that runs before the runtime, and
// the runtime starts sysmon before any package init: sysmon inherits the
// slack of the thread that creates it, and during a process's first
// milliseconds it sleeps 20 us at a time, so a tool that lives 2 ms wakes
// it about 25 times (two context switches each). With 1 ms of slack, as
// golxc's cheap-start constructor gives its query tools
// (internal/nsexec/cheapstart.c), it wakes a few times. The tools this
// binary runs start no process; before it hands a command to golxc by
// exec, main.full puts the caller's slack back (PR_SET_TIMERSLACK 0).

#include "textflag.h"

#define SYS_prctl 157
#define PR_SET_TIMERSLACK 29
#define QUERY_TIMER_SLACK_NS 1000000

TEXT golxc_query_entry(SB),NOSPLIT|NOFRAME,$0
	MOVQ	$SYS_prctl, AX
	MOVQ	$PR_SET_TIMERSLACK, DI
	MOVQ	$QUERY_TIMER_SLACK_NS, SI
	XORQ	DX, DX
	XORQ	R10, R10
	XORQ	R8, R8
	SYSCALL
	// The stack and argc/argv are untouched; DX (rtld's fini function,
	// 0 for a static binary the kernel starts) is 0 as the kernel left it.
	XORQ	DX, DX
	JMP	_rt0_amd64_linux(SB)
