package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Config is one container configuration: applied values plus the
// unexpanded top-level text that Save writes back.
type Config struct {
	v     values
	lines []string // unexpanded top-level lines, verbatim
	file  string   // top-level file loaded last

	depth int      // include nesting
	at    position // the line being applied, for setters that keep it

	// legacy state (LXC 1.x/2.0 keys)
	netIdx        int // index of the last unindexed lxc.network.type, -1 before any
	legacyRootfs  string
	legacyRootSet bool
	legacyBackend string
}

// position is a config file and line ("" and 0 for API calls).
type position struct {
	file string
	line int
}

// New returns an empty config with LXC's defaults.
func New() *Config {
	return &Config{v: newValues(), netIdx: -1}
}

// File is the top-level file loaded last ("" if none).
func (c *Config) File() string { return c.file }

// Load parses a top-level config file. Its lines are kept for Save, includes
// are followed. Loading stops at the first bad line (earlier lines stay
// applied), like LXC.
func (c *Config) Load(path string) error {
	data, err := readConfigFile(path)
	if err != nil {
		return &ParseError{File: path, Msg: err.Error(), Hint: "check the path and permissions"}
	}
	c.file = path
	return c.parse(path, data, false)
}

// LoadBytes parses data as a top-level config; name is used in errors.
func (c *Config) LoadBytes(name string, data []byte) error {
	return c.parse(name, data, false)
}

// parse splits like LXC (on \n and \r, dropping empty pieces) and applies
// each line. Line numbers count \n. LXC reads the file as one C string, so
// a NUL byte ends it: what follows is ignored here too, with a warning.
func (c *Config) parse(name string, data []byte, fromInclude bool) error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		Warnf("%s:%d: NUL byte: the rest of the file is ignored (as LXC does); remove it", name, bytes.Count(data[:i], []byte{'\n'})+1)
		data = data[:i]
	}
	lineNo := 0
	for len(data) > 0 || lineNo == 0 {
		lineNo++
		seg := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			seg, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		for _, piece := range strings.FieldsFunc(string(seg), func(r rune) bool { return r == '\r' }) {
			if err := c.parseLine(name, lineNo, piece, fromInclude); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Config) parseLine(file string, lineNo int, line string, fromInclude bool) error {
	if !fromInclude && isHwaddrLine(line) {
		line = expandHwaddrLine(line)
	}
	err := c.applyLine(file, lineNo, line)
	if err == nil && !fromInclude {
		c.lines = append(c.lines, line)
	}
	return err
}

func (c *Config) applyLine(file string, lineNo int, line string) error {
	t := strings.TrimLeft(line, " \t")
	if t == "" || t[0] == '#' || !strings.HasPrefix(t, "lxc.") {
		return nil // blank, comment or "martian" line: kept, not applied
	}
	eq := strings.IndexByte(t, '=')
	if eq < 0 {
		return &ParseError{File: file, Line: lineNo, Key: strings.TrimRight(t, " \t"),
			Msg: "invalid configuration line, missing \"=\"", Hint: "write KEY = VALUE"}
	}
	key := strings.TrimRight(t[:eq], " \t")
	val := dequote(strings.Trim(t[eq+1:], " \t"))
	_, _, err := c.apply(key, val, file, lineNo)
	return err
}

// dequote strips one pair of matching single or double quotes.
func dequote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// apply maps legacy names, validates and applies one key. It returns the
// key and value actually applied ("" key when a legacy key is ignored).
func (c *Config) apply(key, val, file string, lineNo int) (string, string, error) {
	k, v, err := c.mapLegacy(key, val, file, lineNo)
	if err == nil && k != "" {
		if e := lookup(k); e == nil {
			err = unknownKeyError(k)
		} else {
			c.at = position{file: file, line: lineNo}
			err = e.set(c, k, v)
			c.at = position{}
		}
	}
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return "", "", pe // from an included file: already located
		}
		return "", "", wrapErr(err, file, lineNo, key)
	}
	return k, v, nil
}

func wrapErr(err error, file string, lineNo int, key string) error {
	pe := &ParseError{File: file, Line: lineNo, Key: key, Msg: err.Error()}
	var ve *valueError
	if errors.As(err, &ve) {
		pe.Msg, pe.Hint = ve.msg, ve.hint
	}
	return pe
}

// Set is set_config_item: validate, map legacy names, apply, then append a
// normalised "KEY = VALUE" line (the current key name) to the text.
func (c *Config) Set(key, value string) error {
	if strings.ContainsAny(key, "\n\r\x00") || strings.ContainsAny(value, "\n\r\x00") {
		return &ParseError{Key: strings.NewReplacer("\n", `\n`, "\r", `\r`, "\x00", `\0`).Replace(key), Msg: "newlines and NUL bytes are not allowed in keys or values",
			Hint: "set one value per call"}
	}
	if isHwaddrLine(key + " ") {
		value = expandHwaddr(value)
	}
	k, v, err := c.apply(key, value, "", 0)
	if err != nil || k == "" {
		return err
	}
	if v == "" {
		c.lines = append(c.lines, k+" =")
	} else {
		c.lines = append(c.lines, k+" = "+v)
	}
	return nil
}

// Get is get_config_item with LXC's text formats.
func (c *Config) Get(key string) (string, error) {
	k := c.currentName(key)
	e := lookup(k)
	if e == nil {
		return "", wrapErr(unknownKeyError(k), "", 0, key)
	}
	s, err := e.get(c, k)
	if err != nil {
		return "", wrapErr(err, "", 0, key)
	}
	return s, nil
}

// Clear is clear_config_item: reset the value(s) and drop the text lines
// that set them, so a Save and reload agree with memory.
func (c *Config) Clear(key string) error {
	k := c.currentName(key)
	e := lookup(k)
	if e == nil {
		return wrapErr(unknownKeyError(k), "", 0, key)
	}
	if err := e.clr(c, k); err != nil {
		return wrapErr(err, "", 0, key)
	}
	c.dropLines(func(lineKey string) bool { return clearCovers(k, lineKey) })
	return nil
}

// clearCovers reports whether clearing key removes the setting made by a
// line for lineKey (both current names).
func clearCovers(key, lineKey string) bool {
	if key == lineKey {
		return true
	}
	switch key {
	case "lxc.cgroup", "lxc.cgroup2", "lxc.prlimit", "lxc.sysctl", "lxc.proc":
		return strings.HasPrefix(lineKey, key+".") && lookup(lineKey) == lookup(key)
	case "lxc.hook":
		return strings.HasPrefix(lineKey, "lxc.hook.") && lineKey != "lxc.hook.version"
	case "lxc.net":
		return strings.HasPrefix(lineKey, "lxc.net.")
	case "lxc.cap.drop", "lxc.cap.keep":
		return lineKey == "lxc.cap.drop" || lineKey == "lxc.cap.keep"
	}
	if strings.HasPrefix(key, "lxc.net.") && strings.HasPrefix(lineKey, "lxc.net.") {
		i1, s1, e1 := parseNetKey(key)
		i2, s2, e2 := parseNetKey(lineKey)
		return e1 == nil && e2 == nil && i1 == i2 && (s1 == "" || s1 == s2)
	}
	return false
}

// dropLines removes top-level lines whose (current) key matches.
func (c *Config) dropLines(match func(lineKey string) bool) {
	netIdx := -1
	out := c.lines[:0:0]
	for _, l := range c.lines {
		t := strings.TrimLeft(l, " \t")
		eq := strings.IndexByte(t, '=')
		if t == "" || t[0] == '#' || !strings.HasPrefix(t, "lxc.") || eq < 0 {
			out = append(out, l)
			continue
		}
		k := strings.TrimRight(t[:eq], " \t")
		if k == "lxc.network.type" {
			netIdx++
		}
		if cur, kind := legacyName(k, netIdx); kind != notLegacy {
			k = cur
		}
		if !match(k) {
			out = append(out, l)
		}
	}
	c.lines = out
}

// RemoveLines drops unexpanded lines setting exactly key
// (clear_unexp_config_line), without touching applied values.
func (c *Config) RemoveLines(key string) {
	out := c.lines[:0:0]
	for _, l := range c.lines {
		t := strings.TrimLeft(l, " \t\v\f")
		if rest, ok := strings.CutPrefix(t, key); ok && (rest == "" || rest[0] == '=' || isCSpace(rest[0])) {
			continue
		}
		out = append(out, l)
	}
	c.lines = out
}

// Keys is get_keys: all top-level keys in jump-table order for "", the
// sub-keys valid for a device's type for "lxc.net.N", nil otherwise.
func (c *Config) Keys(prefix string) []string {
	if prefix == "" {
		var l []string
		for _, e := range table {
			if !strings.HasSuffix(e.name, ".") {
				l = append(l, e.name)
			}
		}
		return l
	}
	if strings.HasPrefix(prefix, "lxc.net.") {
		return c.netKeys(prefix)
	}
	return nil
}

// Text is the unexpanded config save_config writes.
func (c *Config) Text() []byte {
	var b strings.Builder
	for _, l := range c.lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// Save writes Text() to path (mode 0640) through a temp file in the same
// directory and a rename, so readers never see a partial config.
func (c *Config) Save(path string) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("save config %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("save config %s: %w", path, err)
	}
	if _, err := f.Write(c.Text()); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o640); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save config %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save config %s: %w", path, err)
	}
	return nil
}

// IsSupported is lxc_config_item_is_supported, extended to legacy names.
func IsSupported(key string) bool {
	if _, kind := legacyName(key, 0); kind != notLegacy {
		return true
	}
	return lookup(key) != nil
}

// isHwaddrLine mirrors lxc_config_net_is_hwaddr on a raw line.
func isHwaddrLine(line string) bool {
	for _, p := range []string{"lxc.net.", "lxc.network."} {
		rest, ok := strings.CutPrefix(line, p)
		if !ok {
			continue
		}
		if strings.HasPrefix(rest, "hwaddr") {
			return true
		}
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i > 0 && strings.HasPrefix(rest[i:], ".hwaddr") {
			return true
		}
	}
	return false
}

// expandHwaddrLine randomises x/X in the value part of a hwaddr line.
func expandHwaddrLine(line string) string {
	eq := strings.IndexByte(line, '=')
	if eq < 0 {
		return line
	}
	i := eq + 1
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return line[:i] + expandHwaddr(line[i:])
}

const maxIncludeDepth = 32
const maxConfigSize = 16 << 20

func readConfigFile(path string) ([]byte, error) {
	// Plain syscalls, not os.File: every tool reads a config, and an
	// os.File of a regular file costs a poller registration attempt, its
	// undoing and a cleanup.
	fd, err := retryEINTR(func() (int, error) { return syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0) })
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if st.Size > maxConfigSize {
		return nil, fmt.Errorf("%s is larger than 16 MiB", path)
	}
	buf := make([]byte, st.Size+1)
	n := 0
	for n < len(buf) {
		m, err := retryEINTR(func() (int, error) { return syscall.Read(fd, buf[n:]) })
		if err != nil || m <= 0 {
			break
		}
		n += m
	}
	if n > maxConfigSize {
		return nil, fmt.Errorf("%s is larger than 16 MiB", path)
	}
	return buf[:n], nil
}

// setInclude handles lxc.include: a file, or every *.conf entry of a
// directory in readdir order (not sorted, like LXC).
func setInclude(c *Config, _, v string) error {
	if v == "" {
		return nil
	}
	if c.depth >= maxIncludeDepth {
		return verr("includes nested too deeply", "check for an lxc.include loop")
	}
	fi, err := os.Stat(v)
	if strings.HasSuffix(v, "/") || (err == nil && fi.IsDir()) {
		d, err := os.Open(v)
		if err != nil {
			if os.IsNotExist(err) {
				return nil // LXC ignores a missing include directory
			}
			return verr(fmt.Sprintf("cannot read include directory: %v", err), "fix the path or remove the lxc.include line")
		}
		ents, err := d.ReadDir(-1)
		d.Close()
		if err != nil {
			return verr(fmt.Sprintf("cannot read include directory: %v", err), "")
		}
		for _, e := range ents {
			n := e.Name()
			if len(n) < 6 || !strings.HasSuffix(n, ".conf") {
				continue
			}
			if err := c.includeFile(filepath.Join(v, n)); err != nil {
				return err
			}
		}
		return nil
	}
	return c.includeFile(v)
}

func (c *Config) includeFile(path string) error {
	data, err := readConfigFile(path)
	if err != nil {
		return verr(fmt.Sprintf("cannot include %s: %v", path, unwrapPathErr(err)), "fix the path or remove the lxc.include line")
	}
	c.depth++
	defer func() { c.depth-- }()
	return c.parse(path, data, true)
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func retryEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != syscall.EINTR {
			return n, err
		}
	}
}
