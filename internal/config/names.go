package config

import "strings"

// signalNumber knows the signal names LXC's sig_parse knows (without the
// SIG prefix, upper case), x86-64 numbers. A switch, not a map: nothing to
// build at every golxc start.
func signalNumber(name string) (int, bool) {
	switch name {
	case "HUP":
		return 1, true
	case "INT":
		return 2, true
	case "QUIT":
		return 3, true
	case "ILL":
		return 4, true
	case "TRAP":
		return 5, true
	case "ABRT", "IOT":
		return 6, true
	case "BUS":
		return 7, true
	case "FPE":
		return 8, true
	case "KILL":
		return 9, true
	case "USR1":
		return 10, true
	case "SEGV":
		return 11, true
	case "USR2":
		return 12, true
	case "PIPE":
		return 13, true
	case "ALRM":
		return 14, true
	case "TERM":
		return 15, true
	case "STKFLT":
		return 16, true
	case "CHLD", "CLD":
		return 17, true
	case "CONT":
		return 18, true
	case "STOP":
		return 19, true
	case "TSTP":
		return 20, true
	case "TTIN":
		return 21, true
	case "TTOU":
		return 22, true
	case "URG":
		return 23, true
	case "XCPU":
		return 24, true
	case "XFSZ":
		return 25, true
	case "VTALRM":
		return 26, true
	case "PROF":
		return 27, true
	case "WINCH":
		return 28, true
	case "IO", "POLL":
		return 29, true
	case "PWR":
		return 30, true
	case "SYS":
		return 31, true
	}
	return 0, false
}

const (
	sigRTMin = 34 // glibc's SIGRTMIN (the kernel's 32 and 33 are reserved)
	sigRTMax = 64
)

// parseSignal mirrors sig_parse: a number, or SIG<NAME>, SIGRTMIN+n,
// SIGRTMAX-n, case-insensitive; the SIG prefix is required for names.
func parseSignal(v string) (int, bool) {
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		n, ok := safeInt(v)
		return int(n), ok
	}
	if len(v) < 3 || !strings.EqualFold(v[:3], "SIG") {
		return 0, false
	}
	name := v[3:]
	if len(name) >= 2 && strings.EqualFold(name[:2], "RT") {
		r := name[2:]
		if len(r) < 5 || (r[4] < '0' || r[4] > '9') {
			return 0, false
		}
		n, ok := safeInt(r[4:])
		if !ok {
			return 0, false
		}
		var s int
		switch {
		case strings.EqualFold(r[:4], "MAX-"):
			s = sigRTMax - int(n)
		case strings.EqualFold(r[:4], "MIN+"):
			s = sigRTMin + int(n)
		default:
			return 0, false
		}
		if s < sigRTMin || s > sigRTMax {
			return 0, false
		}
		return s, true
	}
	return signalNumber(strings.ToUpper(name))
}

const signalHint = "expected a signal number or name like SIGPWR, SIGRTMIN+3"

// archName maps a personality lxc.arch accepts to what get_config_item
// shows ("" for an unknown one).
func archName(a string) string {
	switch a {
	case "arm", "armel", "armhf", "armv7l", "athlon", "i386", "i486", "i586", "i686", "linux32",
		"mips", "mipsel", "ppc", "powerpc", "x86":
		return "i686"
	case "aarch64", "amd64", "arm64", "linux64", "mips64", "mips64el", "ppc64", "ppc64el", "ppc64le",
		"powerpc64", "riscv64", "s390x", "x86_64":
		return "x86_64"
	}
	return ""
}

// Log levels (lxc.log.level), index = LXC's numeric level.
var logLevels = []string{"TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "CRIT", "ALERT", "FATAL"}

const logNotSet = 9

// Hook types in LXC's lxchook_names order.
var hookTypes = []string{"pre-start", "pre-mount", "mount", "autodev", "start", "stop", "post-stop", "clone", "destroy", "start-host"}

var syslogFacilities = []string{"daemon", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}
