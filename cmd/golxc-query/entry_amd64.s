// The ELF entry point of golxc-query as make build links it (-ldflags
// "-E golxc_query_entry"; Makefile QUERYENTRY): what golxc's cheap-start
// constructor does for its query tools (internal/nsexec/cheapstart.c),
// before the Go runtime starts, then the runtime's own entry. A pure Go
// binary has no constructor, and the runtime sizes itself and starts
// sysmon before any package init runs.
//
//  - A coarse timer slack: sysmon inherits the slack of the thread that
//    creates it, and during a process's first milliseconds it sleeps
//    20 us at a time, so a tool that lives 2 ms wakes it about 25 times
//    (two context switches each); with 1 ms of slack, a few times. The
//    tools this binary runs start no process; before it hands a command
//    to golxc by exec, main.full puts the caller's slack back.
//  - One CPU in the affinity mask while the runtime starts, so it
//    creates one P: no M started for the second P when runtime.main
//    starts its first goroutines (a thread, its stacks, and the
//    hand-offs). The caller's mask is kept in callerMask, and main's init
//    puts it back on every thread (internal/affinity) before any tool
//    code runs.
//  - The binary's pages mapped in two system calls instead of a page
//    fault each: text, rodata and pclntab with MADV_POPULATE_READ (page
//    cache pages, nothing copied), data and bss with MADV_POPULATE_WRITE
//    (about 70 pages, 25-30 of which a run touches anyway). On this
//    project's VM a fault costs far more than the kernel's work of
//    mapping a page: lxc-wait's faults 199 -> 138. Kernels before 5.14
//    answer EINVAL, and the pages fault in as before.

#include "textflag.h"

#define SYS_madvise 28
#define SYS_prctl 157
#define SYS_sched_setaffinity 203
#define SYS_sched_getaffinity 204
#define SYS_getcpu 309
#define PR_SET_TIMERSLACK 29
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#define QUERY_TIMER_SLACK_NS 1000000
// bytes in callerMask and oneMask (unix.CPUSet: 1024 CPUs)
#define MASK_BYTES 128
#define MASK_WORDS 16

TEXT golxc_query_entry(SB),NOSPLIT|NOFRAME,$0
	MOVQ	$SYS_prctl, AX
	MOVQ	$PR_SET_TIMERSLACK, DI
	MOVQ	$QUERY_TIMER_SLACK_NS, SI
	XORQ	DX, DX
	XORQ	R10, R10
	XORQ	R8, R8
	SYSCALL

	// callerMask = the caller's affinity; nothing more unless it holds
	// two CPUs or more.
	MOVQ	$SYS_sched_getaffinity, AX
	XORQ	DI, DI
	MOVQ	$MASK_BYTES, SI
	LEAQ	·callerMask(SB), DX
	SYSCALL
	CMPQ	AX, $0
	JLE	start
	LEAQ	·callerMask(SB), SI
	XORQ	CX, CX	// word index
	XORQ	R9, R9	// 0, 1 or 2+: CPUs seen
words:
	MOVQ	(SI)(CX*8), BX
	TESTQ	BX, BX
	JZ	next
	INCQ	R9
	LEAQ	-1(BX), R10
	TESTQ	R10, BX	// more than one bit in this word
	JZ	next
	INCQ	R9
next:
	INCQ	CX
	CMPQ	CX, $MASK_WORDS
	JLT	words
	CMPQ	R9, $2
	JLT	start

	// The CPU this thread runs on, if the caller's mask allows it.
	MOVQ	$SYS_getcpu, AX
	LEAQ	·entryCPU(SB), DI
	XORQ	SI, SI
	XORQ	DX, DX
	SYSCALL
	CMPQ	AX, $0
	JNE	start
	MOVL	·entryCPU(SB), BX
	CMPQ	BX, $(MASK_WORDS*64)
	JGE	start
	MOVQ	BX, CX
	ANDQ	$63, CX
	MOVQ	$1, R10
	SHLQ	CX, R10	// R10: the CPU's bit in its word
	SHRQ	$6, BX	// BX: the word
	LEAQ	·callerMask(SB), SI
	MOVQ	(SI)(BX*8), R9
	TESTQ	R10, R9
	JZ	start
	LEAQ	·oneMask(SB), SI
	MOVQ	R10, (SI)(BX*8)
	MOVQ	$SYS_sched_setaffinity, AX
	XORQ	DI, DI
	MOVQ	$MASK_BYTES, SI
	LEAQ	·oneMask(SB), DX
	SYSCALL
	CMPQ	AX, $0
	JNE	start
	MOVL	$1, ·narrowed(SB)

start:
	MOVQ	$SYS_madvise, AX
	MOVQ	$runtime·text(SB), DI
	ANDQ	$~4095, DI
	MOVQ	$runtime·epclntab(SB), SI
	SUBQ	DI, SI
	MOVQ	$MADV_POPULATE_READ, DX
	SYSCALL
	MOVQ	$SYS_madvise, AX
	MOVQ	$runtime·noptrdata(SB), DI
	ANDQ	$~4095, DI
	MOVQ	$runtime·end(SB), SI
	SUBQ	DI, SI
	MOVQ	$MADV_POPULATE_WRITE, DX
	SYSCALL

	// The stack (argc, argv, envp, auxv) is untouched; DX (rtld's fini
	// function, 0 for a static binary the kernel starts) is 0 again.
	XORQ	DX, DX
	JMP	_rt0_amd64_linux(SB)
