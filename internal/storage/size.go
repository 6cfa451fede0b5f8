package storage

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseSize reads --fssize / -L as LXC does: a number with an optional
// unit b, k, m, g or t (either case, powers of 1024); no unit means MiB.
func ParseSize(s string) (uint64, error) {
	num := strings.TrimRight(s, "bBkKmMgGtT")
	unit := s[len(num):]
	n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 64)
	if err != nil || len(unit) > 1 || n == 0 {
		return 0, fmt.Errorf("invalid size %q: use a number with an optional unit b, k, m, g or t (default m), e.g. 1G", s)
	}
	shift := map[string]uint{"b": 0, "k": 10, "m": 20, "": 20, "g": 30, "t": 40}[strings.ToLower(unit)]
	if n > (^uint64(0))>>shift {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return n << shift, nil
}
