package checkconfig

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// kernelConfig is the text of a kernel .config.
type kernelConfig string

// readKernelConfig reads path, gunzipping it when gzip takes it for a
// valid stream (as the script decides with "gunzip -t", then zcat). gzip
// runs as a child, as in the script, instead of compress/gzip being
// linked in: compress/flate builds its tables at package init, which
// every golxc tool would pay for at every start.
func readKernelConfig(path string) (kernelConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		gunzip := exec.Command("gzip", "-dc")
		gunzip.Stdin = bytes.NewReader(raw)
		if plain, err := gunzip.Output(); err == nil {
			return kernelConfig(plain), nil
		}
	}
	return kernelConfig(raw), nil
}

// isSet mirrors the script's `grep "NAME=[y|m]"`: an unanchored match, so
// "NAME=y", "NAME=m" (and the odd "NAME=|") anywhere in the text count.
func (c kernelConfig) isSet(name string) bool {
	s := string(c)
	needle := name + "="
	for {
		i := strings.Index(s, needle)
		if i < 0 {
			return false
		}
		s = s[i+len(needle):]
		if s != "" && strings.ContainsRune("y|m", rune(s[0])) {
			return true
		}
	}
}

// The patterns compile on first use: every lxc-* process links this
// package, and compiling at init cost each of them time for nothing.
var (
	headerRE   = lazyRE(`(?m)^# Linux.*Kernel Configuration.*$`)
	majorRE    = lazyRE(`.* ([0-9])\.[0-9]{1,2}\.[0-9]{1,3}`)
	minorRE    = lazyRE(`.* [0-9]\.([0-9]{1,3})\.[0-9]{1,3}`)
	minor2x6RE = lazyRE(`.* 2.6.([0-9]{2})`)
)

func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// version extracts the kernel version from the "# Linux/x86 6.1.0 Kernel
// Configuration" header; ok is false when there is none.
func (c kernelConfig) version() (major, minor int, ok bool) {
	line := headerRE().FindString(string(c))
	if line == "" {
		return 0, 0, false
	}
	m := majorRE().FindStringSubmatch(line)
	if m == nil {
		return 0, 0, false
	}
	major, _ = strconv.Atoi(m[1])
	re := minorRE()
	if major == 2 {
		re = minor2x6RE()
	}
	if m := re.FindStringSubmatch(line); m != nil {
		minor, _ = strconv.Atoi(m[1])
	}
	return major, minor, true
}
