// sechelper runs inside test containers (built static with CGO_ENABLED=0)
// and reports what the kernel lets it do, one line per command:
//
//	sechelper sys NR [ARG...]    native syscall; ARG is a number or s:TEXT (pointer to TEXT)
//	sechelper sys32 NR [ARG...]  the same through int 0x80 (i386 table, numbers only)
//	sechelper sysx32 NR [ARG...] the same with the x32 bit set
//	sechelper euid               effective uid
//	sechelper status FIELD PID   a field of /proc/PID/status for every task of PID
//	sechelper fds PID|self       open fds of a process (without the one used to list them)
//	sechelper fdlinks PID        open fds of a process with their targets
//	sechelper write PATH DATA    open O_WRONLY and write; prints the errno
//	sechelper mknodopen PATH MAJ MIN   mknod a block device and open it
//	sechelper exe PID            /proc/PID/exe target, and the errno of opening it for writing
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// int80 enters the kernel through the i386 compat gate (int80_amd64.s).
func int80(nr, a1, a2, a3, a4, a5 uintptr) uintptr

func main() {
	if len(os.Args) < 2 {
		fail("usage: sechelper CMD ...")
	}
	a := os.Args[2:]
	switch os.Args[1] {
	case "sys", "sysx32":
		nr := num(a[0])
		if os.Args[1] == "sysx32" {
			nr |= 0x40000000
		}
		args := sysArgs(a[1:])
		_, _, e := syscall.RawSyscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5])
		fmt.Printf("errno %d\n", int(e))
	case "sys32":
		args := sysArgs(a[1:])
		r := int32(uint32(int80(num(a[0]), args[0], args[1], args[2], args[3], args[4])))
		if r < 0 && r > -4096 {
			fmt.Printf("errno %d\n", -r)
		} else {
			fmt.Printf("errno 0\n")
		}
	case "euid":
		fmt.Printf("euid %d\n", syscall.Geteuid())
	case "status":
		tasks, err := readDirNames("/proc/" + a[1] + "/task")
		if err != nil {
			fail(err.Error())
		}
		for _, tid := range tasks {
			b, err := os.ReadFile("/proc/" + a[1] + "/task/" + tid + "/status")
			if err != nil {
				fail(err.Error())
			}
			for _, l := range strings.Split(string(b), "\n") {
				if k, v, ok := strings.Cut(l, ":"); ok && k == a[0] {
					fmt.Printf("%s %s\n", tid, strings.TrimSpace(v))
				}
			}
		}
	case "fds":
		names, err := readDirNames("/proc/" + a[0] + "/fd")
		if err != nil {
			fail(err.Error())
		}
		fmt.Println(strings.Join(names, " "))
	case "fdlinks":
		names, err := readDirNames("/proc/" + a[0] + "/fd")
		if err != nil {
			fail(err.Error())
		}
		for _, n := range names {
			target, _ := os.Readlink("/proc/" + a[0] + "/fd/" + n)
			fmt.Printf("%s %s\n", n, target)
		}
	case "write":
		fd, err := syscall.Open(a[0], syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
		if err == nil {
			_, err = syscall.Write(fd, []byte(a[1]))
			syscall.Close(fd)
		}
		fmt.Printf("errno %d\n", errnoOf(err))
	case "mknodopen":
		dev := num(a[1])<<8 | num(a[2])
		err := syscall.Mknod(a[0], syscall.S_IFBLK|0o600, int(dev))
		fmt.Printf("mknod errno %d\n", errnoOf(err))
		fd, err := syscall.Open(a[0], syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == nil {
			syscall.Close(fd)
		}
		fmt.Printf("open errno %d\n", errnoOf(err))
	case "exe":
		p := "/proc/" + a[0] + "/exe"
		target, _ := os.Readlink(p)
		fd, err := syscall.Open(p, syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
		if err == nil {
			syscall.Close(fd)
		}
		fmt.Printf("exe %s\nopen errno %d\n", target, errnoOf(err))
	default:
		fail("unknown command " + os.Args[1])
	}
}

// readDirNames lists a directory with raw syscalls: no fds besides the
// one listed (and skipped) here, unlike os.ReadDir with Go's poller.
func readDirNames(dir string) ([]string, error) {
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	var names []string
	buf := make([]byte, 8192)
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			break
		}
		_, _, ents := syscall.ParseDirent(buf[:n], -1, nil)
		for _, e := range ents {
			if dir == "/proc/self/fd" && e == strconv.Itoa(fd) {
				continue
			}
			names = append(names, e)
		}
	}
	return names, nil
}

func sysArgs(a []string) [6]uintptr {
	var out [6]uintptr
	for i, s := range a {
		if t, ok := strings.CutPrefix(s, "s:"); ok {
			b := append([]byte(t), 0)
			out[i] = uintptr(unsafe.Pointer(&b[0]))
			keep = append(keep, b)
			continue
		}
		out[i] = num(s)
	}
	return out
}

var keep [][]byte // strings passed by pointer stay reachable

func num(s string) uintptr {
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		u, err2 := strconv.ParseUint(s, 0, 64)
		if err2 != nil {
			fail("bad number " + s)
		}
		return uintptr(u)
	}
	return uintptr(n)
}

func errnoOf(err error) int {
	if e, ok := err.(syscall.Errno); ok {
		return int(e)
	}
	if err != nil {
		return -1
	}
	return 0
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "sechelper:", msg)
	os.Exit(2)
}
