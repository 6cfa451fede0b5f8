package cmdsock

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// ActiveNames lists the containers of lxcpath whose command socket is bound
// in this network namespace, found as "@LXCPATH/NAME/command" in
// /proc/net/unix; hashed "@lxc/HASH/command" entries are resolved by asking
// the socket for its lxcpath and name. Sorted, without duplicates.
func ActiveNames(lxcpath string) ([]string, error) {
	f, err := os.Open("/proc/net/unix")
	if err != nil {
		return nil, fmt.Errorf("listing active containers: %w", err)
	}
	defer f.Close()
	return activeNamesFrom(f, lxcpath, resolveHashed)
}

// activeNamesFrom does the scan; resolve maps a hash to (lxcpath, name).
func activeNamesFrom(r io.Reader, lxcpath string, resolve func(hash string) (string, string, bool)) ([]string, error) {
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		path, ok := unixPathField(sc.Text())
		if !ok || !strings.HasPrefix(path, "@") || !strings.HasSuffix(path, "/command") {
			continue
		}
		rest := strings.TrimSuffix(path[1:], "/command")
		if after, ok := strings.CutPrefix(rest, lxcpath+"/"); ok {
			name := strings.TrimLeft(after, "/")
			if name != "" && !strings.Contains(name, "/") {
				seen[name] = true
			}
			continue
		}
		if hash, ok := strings.CutPrefix(rest, "lxc/"); ok && len(hash) == 16 && !strings.Contains(hash, "/") {
			if p, name, ok := resolve(hash); ok && p == lxcpath {
				seen[name] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading /proc/net/unix: %w", err)
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// unixPathField returns the Path column of a /proc/net/unix line: whatever
// follows the seventh field (Num RefCount Protocol Flags Type St Inode).
func unixPathField(line string) (string, bool) {
	i := 0
	for field := 0; field < 7; field++ {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i == len(line) {
			return "", false
		}
		for i < len(line) && line[i] != ' ' {
			i++
		}
	}
	if i >= len(line) {
		return "", false
	}
	return line[i+1:], true
}

func resolveHashed(hash string) (string, string, bool) {
	c, err := DialHashed(hash)
	if err != nil {
		return "", "", false
	}
	defer c.Close()
	p, err := c.LXCPath()
	if err != nil {
		return "", "", false
	}
	n, err := c.Name()
	if err != nil {
		return "", "", false
	}
	return p, n, true
}
