package rootfs

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// MountEntry is one parsed fstab line (lxc.mount.entry or a line of
// lxc.mount.fstab) with its options split the way LXC splits them.
type MountEntry struct {
	Source, Target, FSType string
	Options                string // as written

	Flags       uintptr // MS_* flags for mount(2)
	ClearFlags  uintptr // flags explicitly turned off (rw, dev, exec, ...)
	Propagation uintptr // MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (+MS_REC)
	Data        string  // options passed to the filesystem

	Optional bool
	Create   createKind
	Relative bool // source is relative to the rootfs
}

// mountFlagOpt is a flag an fstab option word sets (clear=false) or
// removes (clear=true).
type mountFlagOpt struct {
	flag  uintptr
	clear bool
}

// mountFlagOpts maps fstab option words to flags; built on first use, not
// at every golxc start.
var mountFlagOpts = sync.OnceValue(func() map[string]mountFlagOpt {
	return map[string]mountFlagOpt{
		"defaults":      {0, false},
		"ro":            {unix.MS_RDONLY, false},
		"rw":            {unix.MS_RDONLY, true},
		"suid":          {unix.MS_NOSUID, true},
		"nosuid":        {unix.MS_NOSUID, false},
		"dev":           {unix.MS_NODEV, true},
		"nodev":         {unix.MS_NODEV, false},
		"exec":          {unix.MS_NOEXEC, true},
		"noexec":        {unix.MS_NOEXEC, false},
		"sync":          {unix.MS_SYNCHRONOUS, false},
		"async":         {unix.MS_SYNCHRONOUS, true},
		"dirsync":       {unix.MS_DIRSYNC, false},
		"remount":       {unix.MS_REMOUNT, false},
		"mand":          {unix.MS_MANDLOCK, false},
		"nomand":        {unix.MS_MANDLOCK, true},
		"atime":         {unix.MS_NOATIME, true},
		"noatime":       {unix.MS_NOATIME, false},
		"diratime":      {unix.MS_NODIRATIME, true},
		"nodiratime":    {unix.MS_NODIRATIME, false},
		"bind":          {unix.MS_BIND, false},
		"rbind":         {unix.MS_BIND | unix.MS_REC, false},
		"relatime":      {unix.MS_RELATIME, false},
		"norelatime":    {unix.MS_RELATIME, true},
		"strictatime":   {unix.MS_STRICTATIME, false},
		"nostrictatime": {unix.MS_STRICTATIME, true},
		"lazytime":      {unix.MS_LAZYTIME, false},
		"silent":        {unix.MS_SILENT, false},
		"loud":          {unix.MS_SILENT, true},
		"iversion":      {unix.MS_I_VERSION, false},
		"noiversion":    {unix.MS_I_VERSION, true},
		// fstab-only words: meaningful to mount(8), never to the kernel.
		"auto": {0, false}, "noauto": {0, false}, "nofail": {0, false},
		"user": {0, false}, "nouser": {0, false}, "users": {0, false},
		"owner": {0, false}, "group": {0, false}, "_netdev": {0, false},
	}
})

var propagationOpts = sync.OnceValue(func() map[string]uintptr {
	return map[string]uintptr{
		"shared":      unix.MS_SHARED,
		"rshared":     unix.MS_SHARED | unix.MS_REC,
		"slave":       unix.MS_SLAVE,
		"rslave":      unix.MS_SLAVE | unix.MS_REC,
		"private":     unix.MS_PRIVATE,
		"rprivate":    unix.MS_PRIVATE | unix.MS_REC,
		"unbindable":  unix.MS_UNBINDABLE,
		"runbindable": unix.MS_UNBINDABLE | unix.MS_REC,
	}
})

// ParseMountEntry parses one fstab line: "SOURCE TARGET TYPE [OPTIONS [FREQ [PASSNO]]]".
// Fields are separated by blanks; \040, \011, \012 and \134 escapes are
// decoded as getmntent(3) does.
func ParseMountEntry(line string) (*MountEntry, error) {
	fields := strings.Fields(line)
	if len(fields) < 3 {
		return nil, fmt.Errorf("expected \"SOURCE TARGET TYPE [OPTIONS]\", got %q", line)
	}
	e := &MountEntry{
		Source: unescapeMnt(fields[0]),
		Target: unescapeMnt(fields[1]),
		FSType: unescapeMnt(fields[2]),
	}
	if len(fields) > 3 {
		e.Options = unescapeMnt(fields[3])
	}
	if err := e.parseOptions(e.Options); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *MountEntry) parseOptions(opts string) error {
	var data []string
	for _, o := range strings.Split(opts, ",") {
		switch {
		case o == "":
		case o == "optional":
			e.Optional = true
		case o == "create=dir":
			e.Create = createDir
		case o == "create=file":
			e.Create = createFile
		case o == "relative":
			e.Relative = true
		case strings.HasPrefix(o, "idmap="):
			return fmt.Errorf("option %q: idmapped mount entries are not supported", o)
		default:
			if p, ok := propagationOpts()[o]; ok {
				e.Propagation |= p
				continue
			}
			if f, ok := mountFlagOpts()[o]; ok && !strings.Contains(o, "=") {
				if f.clear {
					e.Flags &^= f.flag
					e.ClearFlags |= f.flag
				} else {
					e.Flags |= f.flag
				}
				continue
			}
			data = append(data, o)
		}
	}
	e.Data = strings.Join(data, ",")
	return nil
}

// ParseMountOptions turns an option string (lxc.rootfs.options) into flags,
// propagation and data.
func ParseMountOptions(opts string) (flags, propagation uintptr, data string, err error) {
	var e MountEntry
	if err := e.parseOptions(opts); err != nil {
		return 0, 0, "", err
	}
	return e.Flags, e.Propagation, e.Data, nil
}

func unescapeMnt(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && isOctal(s[i+1:i+4]) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '7' {
			return false
		}
	}
	return true
}
