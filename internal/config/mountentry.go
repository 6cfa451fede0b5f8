package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/mountinfo"
	"github.com/golxc/golxc/internal/storage"
)

// MountCreate is what a mount entry's create= option makes at a missing
// target.
type MountCreate int

const (
	CreateNone MountCreate = iota
	CreateDir              // create=dir: mkdir -p
	CreateFile             // create=file: parents as directories, then an empty file
)

// MountEntry is one lxc.mount.entry, or one line of the lxc.mount.fstab
// file, parsed once: fields decoded and options split into mount(2)
// flags, propagation, filesystem data and LXC's own options.
type MountEntry struct {
	Source, Target, FSType string
	Options                string // as written (decoded)

	Flags       uintptr // MS_* flags for mount(2)
	ClearFlags  uintptr // flags explicitly turned off (rw, dev, exec, ...)
	Propagation uintptr // MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (+MS_REC)
	Data        string  // options passed to the filesystem

	Optional bool
	Create   MountCreate
	Relative bool // source is relative to the rootfs

	// File and Line say where the line was written (the config file, or
	// the lxc.mount.fstab file); empty for a value set through the API.
	File string `json:",omitempty"`
	Line int    `json:",omitempty"`

	// Err is set when the line does not parse. LXC accepts any text for
	// lxc.mount.entry when loading a config and fails the start at the
	// entry, so the Spec keeps the error for the runtime to report there.
	Err *ParseError `json:",omitempty"`
}

// mountFlagOpt is a flag an fstab option word sets (clear=false) or
// removes (clear=true).
type mountFlagOpt struct {
	flag  uintptr
	clear bool
}

// mountFlagOpts maps fstab option words to flags: golxc's one table of
// them. Built on first use, not at every golxc start.
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

const mountEntryHint = "expected \"SOURCE TARGET TYPE [OPTIONS [FREQ [PASSNO]]]\" as in fstab(5)"

// ParseMountEntry parses one fstab line: "SOURCE TARGET TYPE [OPTIONS [FREQ
// [PASSNO]]]". Fields are separated by blanks; \040, \011, \012 and \134
// escapes are decoded as getmntent(3) does. key names the setting in the
// error ("lxc.mount.entry", "lxc.mount.fstab"), which leaves File and Line
// for the caller.
func ParseMountEntry(key, line string) (*MountEntry, error) {
	e, err := parseMountEntry(key, line)
	if err != nil {
		return nil, err
	}
	return e, nil
}

func parseMountEntry(key, line string) (*MountEntry, *ParseError) {
	fields := strings.Fields(line)
	if len(fields) < 3 {
		return nil, &ParseError{Key: key, Msg: fmt.Sprintf("invalid value %q", line), Hint: mountEntryHint}
	}
	e := &MountEntry{
		Source: mountinfo.Unescape(fields[0]),
		Target: mountinfo.Unescape(fields[1]),
		FSType: mountinfo.Unescape(fields[2]),
	}
	if len(fields) > 3 {
		e.Options = mountinfo.Unescape(fields[3])
	}
	if err := e.parseOptions(e.Options); err != nil {
		return nil, &ParseError{Key: key, Msg: fmt.Sprintf("invalid value %q: %s", line, err.msg), Hint: err.hint}
	}
	return e, nil
}

func (e *MountEntry) parseOptions(opts string) *valueError {
	var data []string
	for _, o := range strings.Split(opts, ",") {
		switch {
		case o == "":
		case o == "optional":
			e.Optional = true
		case o == "create=dir":
			e.Create = CreateDir
		case o == "create=file":
			e.Create = CreateFile
		case o == "relative":
			e.Relative = true
		case strings.HasPrefix(o, "idmap="):
			return &valueError{msg: fmt.Sprintf("option %q: idmapped mounts are not supported", o),
				hint: "remove the idmap= option (golxc cannot idmap a mount yet)"}
		default:
			if p, ok := propagationOpts()[o]; ok {
				e.Propagation |= p
				continue
			}
			if f, ok := mountFlagOpts()[o]; ok {
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

// rootfsOptionsSpec parses lxc.rootfs.options into r with the table mount
// entries use, keeping an error for the start (LXC takes any text here
// when loading).
// rootfsPathSpec splits an overlay path and keeps what cannot be mounted.
func rootfsPathSpec(r *RootfsSpec) {
	bad := func(hint string) {
		r.PathErr = &ParseError{Key: "lxc.rootfs.path", Msg: fmt.Sprintf("invalid value %q", r.Raw), Hint: hint}
	}
	switch r.Type {
	case "", "dir", "btrfs", "loop":
	case "overlay", "overlayfs":
		parts := strings.Split(r.Path, ":")
		if len(parts) < 2 {
			bad(`an overlay needs "overlay:LOWER[:LOWER...]:UPPER"`)
			return
		}
		r.OverlayLower, r.OverlayUpper = parts[:len(parts)-1], parts[len(parts)-1]
	default:
		if err := storage.Unavailable(r.Type); err == nil {
			return
		} else if errors.Is(err, storage.ErrUnknownType) {
			// Not a storage prefix: LXC probes the whole value, a
			// directory whose name holds a ':'.
			r.Type, r.Path = "dir", r.Raw
		} else {
			bad(err.Error())
		}
	}
}

func rootfsOptionsSpec(r *RootfsSpec) {
	var e MountEntry
	if ve := e.parseOptions(r.Options); ve != nil {
		r.OptionsErr = &ParseError{Key: "lxc.rootfs.options", Msg: fmt.Sprintf("invalid value %q: %s", r.Options, ve.msg), Hint: ve.hint}
		return
	}
	r.Flags, r.Propagation, r.Data = e.Flags, e.Propagation, e.Data
}

// ParseFstab parses the lines of an lxc.mount.fstab file (name is its
// path, for errors and the entries' File). Blank and # lines are skipped.
// It stops at the first bad line; the error names file, line and value.
func ParseFstab(name string, data []byte) ([]MountEntry, error) {
	var out []MountEntry
	for n, raw := range bytes.Split(data, []byte{'\n'}) {
		line := strings.TrimSpace(string(raw))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := parseMountEntry("lxc.mount.fstab", line)
		if err != nil {
			err.File, err.Line = name, n+1
			return nil, err
		}
		e.File, e.Line = name, n+1
		out = append(out, *e)
	}
	return out, nil
}

// mountLine is one lxc.mount.entry value and where it was written.
type mountLine struct {
	text string
	file string
	line int
}

// setMountEntry keeps the text as LXC does (any text is accepted here);
// the Spec parses it.
func setMountEntry(c *Config, _, v string) error {
	if v == "" {
		c.v.mountEntries = nil
		return nil
	}
	c.v.mountEntries = append(c.v.mountEntries, mountLine{text: v, file: c.at.file, line: c.at.line})
	return nil
}

func getMountEntries(c *Config, _ string) (string, error) {
	var b strings.Builder
	for _, l := range c.v.mountEntries {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	return b.String(), nil
}

func clrMountEntries(c *Config, _ string) error {
	c.v.mountEntries = nil
	return nil
}

// mountEntriesSpec parses the lxc.mount.entry values; a line that does not
// parse becomes an entry carrying its error (see MountEntry.Err).
func mountEntriesSpec(lines []mountLine) []MountEntry {
	var out []MountEntry
	for _, l := range lines {
		e, err := parseMountEntry("lxc.mount.entry", l.text)
		if err != nil {
			err.File, err.Line = l.file, l.line
			e = &MountEntry{Err: err}
		}
		e.File, e.Line = l.file, l.line
		out = append(out, *e)
	}
	return out
}
