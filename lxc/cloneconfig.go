package lxc

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
)

// cloneEdit says how a clone's config differs from its origin's.
type cloneEdit struct {
	OldDir, NewDir string // LXCPATH/NAME of origin and clone
	Rootfs         string // the clone's lxc.rootfs.path ("" = keep)
	NewName        string
	KeepName       bool // keep lxc.uts.name
	KeepMAC        bool // keep lxc.net.N.hwaddr
	Fstab          string
}

// fileCopy is a file of the origin's directory the clone gets its own
// copy of (a hook script, the fstab file).
type fileCopy struct{ From, To string }

// rewriteCloneConfig turns the origin's unexpanded config text into the
// clone's, as LXC's clone does: lxc.rootfs.path, lxc.uts.name and
// lxc.mount.fstab are removed where they were and appended at the end;
// hwaddrs get new random values in place; hook scripts and overlay mount
// directories inside the origin's directory move to the clone's; blank
// lines are dropped.
func rewriteCloneConfig(text string, e cloneEdit, newMAC func() string) (string, []fileCopy) {
	var out []string
	var copies []fileCopy
	oldPrefix := e.OldDir + "/"
	fstab := ""
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimLeft(line, " \t")
		if t == "" {
			continue
		}
		key, value, ok := strings.Cut(t, "=")
		key = strings.TrimRight(key, " \t")
		value = strings.Trim(value, " \t")
		if !ok || strings.HasPrefix(t, "#") {
			out = append(out, line)
			continue
		}
		switch {
		case key == "lxc.rootfs.path" && e.Rootfs != "":
			continue
		case (key == "lxc.uts.name" || key == "lxc.utsname") && !e.KeepName:
			continue
		case key == "lxc.mount.fstab":
			fstab = value
			continue
		case isHwaddrKey(key) && !e.KeepMAC:
			line = key + " = " + newMAC()
		case strings.HasPrefix(key, "lxc.hook.") && strings.HasPrefix(value, oldPrefix):
			rest := value[len(oldPrefix):]
			script, _, _ := strings.Cut(rest, " ")
			copies = append(copies, fileCopy{oldPrefix + script, filepath.Join(e.NewDir, filepath.Base(script))})
			line = key + " = " + e.NewDir + "/" + filepath.Base(script) + rest[len(script):]
		case key == "lxc.mount.entry" && strings.Contains(value, "overlay") && strings.Contains(value, oldPrefix):
			line = key + " = " + strings.ReplaceAll(value, oldPrefix, e.NewDir+"/")
		}
		out = append(out, line)
	}
	if e.Rootfs != "" {
		out = append(out, "lxc.rootfs.path = "+e.Rootfs)
	}
	if !e.KeepName {
		out = append(out, "lxc.uts.name = "+e.NewName)
	}
	if fstab != "" {
		to := filepath.Join(e.NewDir, filepath.Base(fstab))
		copies = append(copies, fileCopy{fstab, to})
		out = append(out, "lxc.mount.fstab = "+to)
	}
	return strings.Join(out, "\n") + "\n", copies
}

// isHwaddrKey: lxc.net.N.hwaddr (and LXC 2's lxc.network.hwaddr).
func isHwaddrKey(key string) bool {
	if rest, ok := strings.CutPrefix(key, "lxc.net."); ok {
		i := strings.IndexByte(rest, '.')
		return i > 0 && strings.Trim(rest[:i], "0123456789") == "" && rest[i+1:] == "hwaddr"
	}
	return key == "lxc.network.hwaddr"
}

// randomMAC is a new address in LXC's 00:16:3e range.
func randomMAC() string {
	return fmt.Sprintf("00:16:3e:%02x:%02x:%02x", rand.IntN(256), rand.IntN(256), rand.IntN(256))
}
