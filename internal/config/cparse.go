package config

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// LXC parses numbers with strtoul/strtol(base 0): leading blanks, an
// optional sign, "0x" hex or leading-"0" octal, and nothing after.
// These helpers reproduce that so "0x10" and "010" mean what they mean to LXC.

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// strtoNum parses like strtoull with the given base (0 = auto). It returns
// the magnitude, the sign, the unparsed rest and whether any digit was read.
// overflow is set when the magnitude does not fit in 64 bits.
func strtoNum(s string, base int) (neg bool, mag uint64, rest string, ok, overflow bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if base == 0 {
		switch {
		case i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && i+2 < len(s) && hexVal(s[i+2]) < 16:
			base = 16
			i += 2
		case i < len(s) && s[i] == '0':
			base = 8
		default:
			base = 10
		}
	} else if base == 16 && i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && i+2 < len(s) && hexVal(s[i+2]) < 16 {
		i += 2
	}
	start := i
	for i < len(s) {
		d := hexVal(s[i])
		if d >= base {
			break
		}
		hi, lo := bits.Mul64(mag, uint64(base))
		lo, carry := bits.Add64(lo, uint64(d), 0)
		if hi != 0 || carry != 0 {
			overflow = true
		}
		mag = lo
		i++
	}
	if i == start {
		return false, 0, s, false, false
	}
	return neg, mag, s[i:], true, overflow
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// safeUint mirrors lxc_safe_uint: base 0, no '-', whole string, <= UINT_MAX.
func safeUint(s string) (uint32, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	if strings.HasPrefix(t, "-") {
		return 0, false
	}
	neg, mag, rest, ok, of := strtoNum(t, 0)
	if !ok || rest != "" || of || neg || mag > math.MaxUint32 {
		return 0, false
	}
	return uint32(mag), true
}

// safeInt mirrors lxc_safe_int: base 0, sign allowed, whole string, int range.
func safeInt(s string) (int32, bool) {
	v, ok := safeInt64(s, 0)
	if !ok || v < math.MinInt32 || v > math.MaxInt32 {
		return 0, false
	}
	return int32(v), true
}

func safeInt64(s string, base int) (int64, bool) {
	neg, mag, rest, ok, of := strtoNum(s, base)
	if !ok || rest != "" || of {
		return 0, false
	}
	if neg {
		if mag > 1<<63 {
			return 0, false
		}
		return -int64(mag), true
	}
	if mag > math.MaxInt64 {
		return 0, false
	}
	return int64(mag), true
}

// boolValue accepts what LXC's 0/1 keys accept.
func boolValue(v string) (uint32, error) {
	n, ok := safeUint(v)
	if !ok || n > 1 {
		return 0, badValue(v, "expected 0 or 1")
	}
	return n, nil
}

// parseByteSize mirrors parse_byte_size_string: a number with an optional
// KB/MB/GB suffix (case-insensitive, 1024-based). LXC ignores a one-letter
// suffix ("2m" is 2 bytes); that quirk is kept so configs read the same.
func parseByteSize(s string) (int64, bool) {
	s = strings.TrimRight(s, " \t\n\v\f\r")
	if s == "" {
		return 0, false
	}
	last := s[len(s)-1]
	if last >= '0' && last <= '9' {
		return safeInt64(s, 0)
	}
	mult := int64(1)
	num := s[:len(s)-1]
	if len(s) >= 2 && !(s[len(s)-2] >= '0' && s[len(s)-2] <= '9') {
		switch strings.ToLower(s[len(s)-2:]) {
		case "kb":
			mult = 1 << 10
		case "mb":
			mult = 1 << 20
		case "gb":
			mult = 1 << 30
		default:
			return 0, false
		}
		num = s[:len(s)-2]
	}
	n, ok := safeInt64(strings.TrimRight(num, " \t\n\v\f\r"), 0)
	if !ok {
		return 0, false
	}
	if n != 0 && (n > math.MaxInt64/mult || n < math.MinInt64/mult) {
		return 0, false
	}
	return n * mult, true
}

// consoleSize applies LXC's console buffer rules: "auto" is 128 KiB, at
// least one page, rounded up to a power of two.
func consoleSize(v string) (uint64, error) {
	if v == "auto" {
		return 1 << 17, nil
	}
	n, ok := parseByteSize(v)
	if !ok || n < 0 {
		return 0, badValue(v, "expected a byte count with optional KB, MB or GB suffix, or auto")
	}
	size := uint64(n)
	if size < 4096 {
		size = 4096
	}
	p := uint64(1) << (63 - bits.LeadingZeros64(size))
	if p != size {
		if p == 1<<63 {
			return 0, badValue(v, "too large")
		}
		p <<= 1
	}
	return p, nil
}

func utoa(u uint64) string { return strconv.FormatUint(u, 10) }
func itoa(i int64) string  { return strconv.FormatInt(i, 10) }
