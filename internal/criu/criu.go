// Package criu drives CRIU (Checkpoint/Restore In Userspace) for
// lxc-checkpoint. The decisions, which arguments criu gets for a dump or
// a restore of a container, are pure functions of a plan (DumpPlan,
// RestorePlan) so they are tested without root; Run executes criu and
// turns a failure into one line naming criu's own reason, read from the
// log criu wrote (LXC prints criu's empty stderr instead).
package criu

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// MinVersion is the oldest criu golxc drives, as LXC 5.0.2 (CRIU_VERSION).
const MinVersion = "2.0"

// Versions of criu from which an option changed (LXC's CRIU_* constants).
const (
	inFlightVersion     = "2.4" // --skip-in-flight
	externalVethVersion = "2.8" // --external veth[...] replaces --veth-pair
)

// CgroupRoot is one cgroup hierarchy of the container: the controllers it
// carries (none for cgroup2) and the container's limit cgroup in it.
type CgroupRoot struct {
	Controllers []string
	Path        string
}

func (r CgroupRoot) arg() string {
	if len(r.Controllers) == 0 {
		return r.Path
	}
	return strings.Join(r.Controllers, ",") + ":" + r.Path
}

// Common holds what dump and restore share.
type Common struct {
	Dir          string // checkpoint directory (-D)
	Cgroups      []CgroupRoot
	Verbose      bool
	ActionScript string
	// BindTargets are the targets of the container's bind-mount entries,
	// relative to its root ("mnt/data"); BindSources their host sources.
	BindTargets []string
	BindSources []string
}

func (c Common) args(action string) []string {
	a := []string{action, "--tcp-established", "--file-locks", "--link-remap",
		"--manage-cgroups=full", "--ext-mount-map", "auto",
		"--enable-external-sharing", "--enable-external-masters",
		"--enable-fs", "hugetlbfs", "--enable-fs", "tracefs",
		"-D", c.Dir, "-o", c.Dir + "/" + action + ".log"}
	for _, r := range c.Cgroups {
		a = append(a, "--cgroup-root", r.arg())
	}
	if c.Verbose {
		a = append(a, "-v4")
	}
	if c.ActionScript != "" {
		a = append(a, "--action-script", c.ActionScript)
	}
	return a
}

// DumpPlan is a checkpoint of a running container.
type DumpPlan struct {
	Common
	PreDump      bool   // only the memory, the container keeps running
	PredumpDir   string // images of an earlier pre-dump, relative to Dir
	InitPid      int
	FreezeCgroup string // absolute freezer (v1) or cgroup2 directory
	Stop         bool   // criu kills the tree after the dump
	TTYID        string // "tty[rdev:dev]" of the container's console, "" for none
	Version      string // criu's version, for options that depend on it
	// LXC's migrate options (struct migrate_opts).
	NoSkipInFlight  bool   // disable_skip_in_flight
	PageServer      string // "HOST:PORT" as net.JoinHostPort makes it: memory pages go there
	PreservesInodes bool   // the rootfs keeps its inodes: no --force-irmap
	GhostLimit      uint64 // largest deleted file criu dumps (0: criu's default)
}

// NewDumpPlan starts a plan for directory dir.
func NewDumpPlan(dir string) *DumpPlan { return &DumpPlan{Common: Common{Dir: dir}} }

// Action is "dump" or "pre-dump".
func (p *DumpPlan) Action() string {
	if p.PreDump {
		return "pre-dump"
	}
	return "dump"
}

// Args is criu's argv after the program name.
func (p *DumpPlan) Args() []string {
	a := p.Common.args(p.Action())
	for _, t := range p.BindTargets {
		t = "/" + strings.TrimLeft(t, "/")
		a = append(a, "--ext-mount-map", t+":"+t)
	}
	a = append(a, "-t", strconv.Itoa(p.InitPid))
	if !p.NoSkipInFlight && VersionAtLeast(p.Version, inFlightVersion) {
		a = append(a, "--skip-in-flight")
	}
	a = append(a, "--freeze-cgroup", p.FreezeCgroup)
	if p.TTYID != "" {
		a = append(a, "--ext-mount-map", "/dev/console:console", "--external", p.TTYID)
	}
	if p.PredumpDir != "" {
		a = append(a, "--prev-images-dir", p.PredumpDir, "--track-mem")
	}
	if addr, port, err := net.SplitHostPort(p.PageServer); err == nil {
		a = append(a, "--page-server", "--address", addr, "--port", port)
	}
	if !p.PreservesInodes {
		a = append(a, "--force-irmap")
	}
	if p.GhostLimit > 0 {
		a = append(a, "--ghost-limit", strconv.FormatUint(p.GhostLimit, 10))
	}
	if !p.PreDump && !p.Stop {
		a = append(a, "--leave-running")
	}
	return a
}

// NetDev is one network device to recreate on restore.
type NetDev struct {
	Type string // veth, macvlan
	Name string // inside the container ("eth0")
	Host string // host side of a veth
	Link string // bridge (veth) or lower device (macvlan)
}

// RestorePlan recreates a container from a checkpoint.
type RestorePlan struct {
	Common
	Root       string // the container's mounted root filesystem
	PidFile    string // where criu writes the restored init's pid
	ConsoleFD  int    // fd criu inherits for the console tty, -1 for none
	TTYID      string // from tty.info of the checkpoint
	LSMProfile string // "apparmor:NAME", "" for none
	Net        []NetDev
	Version    string
}

// NewRestorePlan starts a plan for directory dir.
func NewRestorePlan(dir string) *RestorePlan {
	return &RestorePlan{Common: Common{Dir: dir}, ConsoleFD: -1}
}

// Args is criu's argv after the program name.
func (p *RestorePlan) Args() ([]string, error) {
	a := p.Common.args("restore")
	for i, t := range p.BindTargets {
		if i < len(p.BindSources) {
			a = append(a, "--ext-mount-map", "/"+strings.TrimLeft(t, "/")+":"+p.BindSources[i])
		}
	}
	a = append(a, "--root", p.Root, "--restore-detached", "--restore-sibling")
	if p.PidFile != "" {
		a = append(a, "--pidfile", p.PidFile)
	}
	if p.TTYID != "" {
		if p.ConsoleFD < 0 {
			return nil, errors.New("the checkpoint has a console (tty.info) but the container has none here: unset lxc.console.path")
		}
		a = append(a, "--inherit-fd", fmt.Sprintf("fd[%d]:%s", p.ConsoleFD, p.TTYID),
			"--ext-mount-map", "console:/dev/console")
	}
	if p.LSMProfile != "" {
		a = append(a, "--lsm-profile", p.LSMProfile)
	}
	for _, n := range p.Net {
		switch n.Type {
		case "veth":
			v := n.Host
			if n.Link != "" {
				v += "@" + n.Link
			}
			if VersionAtLeast(p.Version, externalVethVersion) {
				a = append(a, "--external", "veth["+n.Name+"]:"+v)
			} else {
				a = append(a, "--veth-pair", n.Name+"="+v)
			}
		case "macvlan":
			if n.Link == "" {
				return nil, fmt.Errorf("macvlan %s has no lxc.net.N.link to restore it on", n.Name)
			}
			a = append(a, "--external", "macvlan["+n.Name+"]:"+n.Link)
		}
	}
	return a, nil
}

// Dumpable reports why a network type cannot be checkpointed ("" if it
// can): criu restores veth, macvlan and phys devices, as LXC allows.
func Dumpable(netType string) string {
	switch netType {
	case "veth", "none", "empty", "", "phys", "macvlan":
		return ""
	}
	return "criu cannot checkpoint a " + netType + " network"
}

// Version runs `criu --version` and returns its version ("3.17.1").
func Version(criu string) (string, error) {
	out, err := exec.Command(criu, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", criu, err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "Version:"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("%s --version printed no version", criu)
}

// VersionAtLeast compares dotted versions numerically ("3.17.1" >= "2.8").
func VersionAtLeast(v, min string) bool {
	a, b := strings.Split(v, "."), strings.Split(min, ".")
	for i := 0; i < len(b); i++ {
		x, y := 0, 0
		if i < len(a) {
			x, _ = strconv.Atoi(strings.TrimFunc(a[i], func(r rune) bool { return r < '0' || r > '9' }))
		}
		y, _ = strconv.Atoi(b[i])
		if x != y {
			return x > y
		}
	}
	return true
}

// Binary is an installed criu.
type Binary struct {
	Path    string
	Version string // "3.17.1"
}

// Locate finds criu on PATH or where Debian installs it and checks that
// it is at least MinVersion.
func Locate() (*Binary, error) {
	path, err := exec.LookPath("criu")
	if err != nil {
		path = ""
		for _, p := range []string{"/usr/sbin/criu", "/sbin/criu"} {
			if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
				path = p
				break
			}
		}
	}
	if path == "" {
		return nil, errors.New("criu is not installed (apt-get install criu)")
	}
	v, err := Version(path)
	if err != nil {
		return nil, err
	}
	if !VersionAtLeast(v, MinVersion) {
		return nil, fmt.Errorf("criu %s is too old: golxc needs criu %s or newer to checkpoint and restore", v, MinVersion)
	}
	return &Binary{Path: path, Version: v}, nil
}

// Explain reads the log criu wrote and returns its reason for failing:
// the last error line, preceded by the first one when it names a
// different, earlier cause. "" when the log holds no error line.
func Explain(log []byte) string {
	var errs []string
	for _, l := range bytes.Split(log, []byte("\n")) {
		s := strings.TrimSpace(string(l))
		i := strings.Index(s, "Error (")
		if i < 0 {
			continue
		}
		s = s[i:]
		if j := strings.Index(s, "): "); j >= 0 {
			s = s[j+3:]
		}
		// A helper's exit status says nothing about the cause.
		if s == "" || strings.HasPrefix(s, "exited, status=") {
			continue
		}
		errs = append(errs, strings.TrimSuffix(s, "."))
	}
	switch len(errs) {
	case 0:
		return ""
	case 1:
		return errs[0]
	}
	first, last := errs[0], errs[len(errs)-1]
	if first == last {
		return last
	}
	return last + ": " + first
}

// Run executes criu with args (args[0] the action) and extra inherited
// files (fd 3 on). A failure is one line: the action, criu's exit, and
// the reason from its log, which stays in the checkpoint directory.
func (b *Binary) Run(args []string, extra []*os.File) error {
	cmd := exec.Command(b.Path, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.ExtraFiles = extra
	err := cmd.Run()
	if err == nil {
		return nil
	}
	logPath := logOf(args)
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return fmt.Errorf("run criu %s: %w", args[0], err)
	}
	why := ""
	if b, rerr := os.ReadFile(logPath); rerr == nil {
		why = Explain(b)
	}
	if why == "" {
		why = lastLine(stderr.String())
	}
	if why == "" {
		why = "no reason given"
	}
	return &Error{Action: args[0], Version: b.Version, Kernel: kernelRelease(),
		Status: ee.ProcessState.String(), Reason: why, Log: logPath}
}

// Error is a failed criu run.
type Error struct {
	Action, Version, Kernel, Status, Reason, Log string
}

func (e *Error) Error() string {
	return fmt.Sprintf("criu %s %s failed on kernel %s (%s): %s (criu's log: %s)",
		e.Version, e.Action, e.Kernel, e.Status, e.Reason, e.Log)
}

func kernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "?"
	}
	return unix.ByteSliceToString(u.Release[:])
}

// logOf returns the -o argument (criu's log file).
func logOf(args []string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-o" {
			return args[i+1]
		}
	}
	return ""
}

func lastLine(s string) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(ls[len(ls)-1])
}

// Features criu can be asked about (LXC's FEATURE_* bits).
const (
	FeatureMemTrack  uint64 = 1 << 0 // mem_dirty_track: pre-dumps
	FeatureLazyPages uint64 = 1 << 1 // uffd-noncoop: lazy restores
)

// CheckFeatures runs "criu check --feature NAME" for each feature in want
// and returns those criu confirmed; unknown bits make the answer 0, as
// LXC's __criu_check_feature refuses to answer.
func CheckFeatures(criuPath string, want uint64) uint64 {
	if want&^(FeatureMemTrack|FeatureLazyPages) != 0 {
		return 0
	}
	names := map[uint64]string{FeatureMemTrack: "mem_dirty_track", FeatureLazyPages: "uffd-noncoop"}
	have := want
	for bit, name := range names {
		if want&bit != 0 && exec.Command(criuPath, "check", "--feature", name).Run() != nil {
			have &^= bit
		}
	}
	return have
}
