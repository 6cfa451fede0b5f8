package attach

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// fallbackShell is used when the container has no passwd entry for uid.
const fallbackShell = "/bin/sh"

// shellFor finds uid's login shell in an /etc/passwd stream.
func shellFor(r io.Reader, uid int) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) < 7 {
			continue
		}
		if n, err := strconv.Atoi(f[2]); err == nil && n == uid && f[6] != "" {
			return f[6]
		}
	}
	return fallbackShell
}
