package cgroup

import (
	"fmt"
	"strconv"
	"strings"
)

// procLine is one line of /proc/PID/cgroup: "ID:CONTROLLERS:PATH".
type procLine struct {
	ID          int
	Controllers []string // nil for the v2 line "0::/..."
	Path        string
}

func parseProcCgroup(text string) ([]procLine, error) {
	var out []procLine
	for n, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		id, rest, ok1 := strings.Cut(line, ":")
		ctrls, path, ok2 := strings.Cut(rest, ":")
		num, err := strconv.Atoi(id)
		if !ok1 || !ok2 || err != nil || !strings.HasPrefix(path, "/") {
			return nil, fmt.Errorf("line %d: malformed %q", n+1, line)
		}
		pl := procLine{ID: num, Path: path}
		if ctrls != "" {
			pl.Controllers = strings.Split(ctrls, ",")
		}
		out = append(out, pl)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no cgroup lines")
	}
	return out, nil
}

// pidCgroups maps hierarchy id to the cgroup path of pid.
func pidCgroups(pid int) (map[int]string, error) {
	b, err := readFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return nil, err
	}
	lines, err := parseProcCgroup(string(b))
	if err != nil {
		return nil, fmt.Errorf("/proc/%d/cgroup: %w", pid, err)
	}
	m := make(map[int]string, len(lines))
	for _, l := range lines {
		m[l.ID] = l.Path
	}
	return m, nil
}
