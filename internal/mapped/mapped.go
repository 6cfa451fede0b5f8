package mapped

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/idmap"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/spawn"
	"github.com/golxc/golxc/internal/templates"
)

const (
	chownStage   = "mapped-chown"
	busyboxStage = "mapped-busybox"
)

func init() {
	spawn.RegisterStage(chownStage, chownChild)
	spawn.RegisterStage(busyboxStage, busyboxChild)
}

// nsMaps are the maps of the helper namespace: the container's plus the
// caller's euid/egid at a free container id (templates.UserNSFor).
func nsMaps(maps []config.IDMap) (templates.UserNS, []config.IDMap, []config.IDMap, error) {
	ns, ok := templates.UserNSFor(maps, os.Geteuid(), os.Getegid())
	if !ok {
		return ns, nil, nil, errors.New("lxc.idmap has no map for the container's root user and group (add lxc.idmap = u 0 HOSTID RANGE and g 0 HOSTID RANGE)")
	}
	conv := func(typ byte, in []syscall.SysProcIDMap) []config.IDMap {
		var out []config.IDMap
		for _, m := range in {
			out = append(out, config.IDMap{Type: typ, NSID: uint32(m.ContainerID), HostID: uint32(m.HostID), Range: uint32(m.Size)})
		}
		return out
	}
	return ns, conv('u', ns.UIDMaps), conv('g', ns.GIDMaps), nil
}

// reply is what a stage reports before it exits: "" or its one error.
type reply struct{ Err string }

// run starts stage in a new user namespace with the helper maps and
// waits for it. The stage reports its error over the sync socket, so the
// caller prints one line; quiet sends the stage's own output (a
// template's) to /dev/null, as lxc-create -q does.
func run(maps []config.IDMap, stage string, args []string, quiet bool) error {
	_, uids, gids, err := nsMaps(maps)
	if err != nil {
		return err
	}
	log.Tracef("Running %s as root of a user namespace with maps %s", stage, describeMaps(append(uids, gids...)))
	req := spawn.Request{
		Mode:       spawn.Create,
		CloneFlags: unix.CLONE_NEWUSER,
		UIDMap:     uids,
		GIDMap:     gids,
		Stage:      stage,
		Args:       args,
		Stderr:     os.Stderr,
		Stdout:     os.Stdout,
		CgroupFD:   -1,
		Pdeathsig:  syscall.SIGKILL,
	}
	if quiet {
		req.Stdout, req.Stderr = nil, nil
	}
	p, err := spawn.Start(req)
	if err != nil {
		var mr *idmap.MissingRangeError
		if errors.As(err, &mr) {
			return mr
		}
		return err
	}
	var r reply
	rerr := spawn.Recv(p.Sync, &r)
	p.Sync.Close()
	ws, err := p.Wait()
	if err != nil {
		return fmt.Errorf("%s: wait: %w", stage, err)
	}
	if r.Err != "" {
		return errors.New(r.Err)
	}
	if rerr != nil || !ws.Exited() || ws.ExitStatus() != 0 {
		return fmt.Errorf("%s in the container's user namespace failed (%v)", stage, describe(ws))
	}
	return nil
}

// finish reports a stage's outcome to run and returns its exit code.
func finish(sync *os.File, err error) int {
	defer sync.Close()
	if err != nil {
		spawn.Send(sync, reply{Err: err.Error()})
		return 1
	}
	spawn.Send(sync, reply{})
	return 0
}

// describeMaps is "u 0 100000 65536, g ..." (lxc.idmap's form).
func describeMaps(m []config.IDMap) string {
	var out []string
	for _, e := range m {
		out = append(out, fmt.Sprintf("%c %d %d %d", e.Type, e.NSID, e.HostID, e.Range))
	}
	return strings.Join(out, ", ")
}

func describe(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return "killed by " + ws.Signal().String()
	}
	return "exit status " + strconv.Itoa(ws.ExitStatus())
}

// becomeRoot makes the stage root of its namespace (the maps are written).
func becomeRoot() error {
	_ = unix.Setgroups(nil) // EPERM when setgroups is denied: harmless
	if err := unix.Setresgid(0, 0, 0); err != nil {
		return fmt.Errorf("switch to gid 0: %w", err)
	}
	if err := unix.Setresuid(0, 0, 0); err != nil {
		return fmt.Errorf("switch to uid 0: %w", err)
	}
	return nil
}

// Chown gives paths (not following a final symlink) to the container ids
// uid and gid (-1 leaves one unchanged), as LXC's chown_mapped_root: root
// translates them and chowns itself, a user runs the chown as the root
// of a namespace with the container's maps.
func Chown(maps []config.IDMap, uid, gid int, paths ...string) error {
	if os.Geteuid() == 0 {
		hu, hg := -1, -1
		if uid >= 0 {
			h, ok := templates.HostID(maps, 'u', uint32(uid))
			if !ok {
				return fmt.Errorf("lxc.idmap maps no host uid to container uid %d", uid)
			}
			hu = int(h)
		}
		if gid >= 0 {
			h, ok := templates.HostID(maps, 'g', uint32(gid))
			if !ok {
				return fmt.Errorf("lxc.idmap maps no host gid to container gid %d", gid)
			}
			hg = int(h)
		}
		for _, p := range paths {
			if err := os.Lchown(p, hu, hg); err != nil {
				return err
			}
		}
		return nil
	}
	args := append([]string{strconv.Itoa(uid), strconv.Itoa(gid)}, paths...)
	if err := run(maps, chownStage, args, false); err != nil {
		return fmt.Errorf("chown %v to container ids %d:%d: %w", paths, uid, gid, err)
	}
	return nil
}

func chownChild(sync *os.File, args []string) int {
	if err := becomeRoot(); err != nil {
		return finish(sync, err)
	}
	uid, _ := strconv.Atoi(args[0])
	gid, _ := strconv.Atoi(args[1])
	for _, p := range args[2:] {
		if err := os.Lchown(p, uid, gid); err != nil {
			return finish(sync, err)
		}
	}
	return finish(sync, nil)
}

// Busybox runs golxc's built-in busybox template as the root of the
// container's user namespace, so the rootfs it writes belongs to the
// mapped ids (LXC runs its lxc-busybox script the same way); a's
// MappedUID/MappedGID are set to where the caller's ids are inside.
// quiet: lxc-create -q.
func Busybox(maps []config.IDMap, a templates.Args, quiet bool) error {
	ns, _, _, err := nsMaps(maps)
	if err != nil {
		return err
	}
	a.MappedUID, a.MappedGID = ns.MappedUID, ns.MappedGID
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return run(maps, busyboxStage, []string{string(b)}, quiet)
}

func busyboxChild(sync *os.File, args []string) int {
	if err := becomeRoot(); err != nil {
		return finish(sync, fmt.Errorf("busybox template: %w", err))
	}
	var a templates.Args
	if len(args) != 1 || json.Unmarshal([]byte(args[0]), &a) != nil {
		return finish(sync, errors.New("busybox template: bad arguments from lxc-create"))
	}
	return finish(sync, templates.Busybox(a))
}

const removeStage = "mapped-remove"

func init() { spawn.RegisterStage(removeStage, removeChild) }

// RemoveAll deletes trees a user's idmapped container left owned by its
// mapped ids (rootfs, container directory), as the root of a namespace
// with the container's maps (LXC's destroy does the same through
// userns_exec_full). Root removes them itself.
func RemoveAll(maps []config.IDMap, paths ...string) error {
	if os.Geteuid() == 0 {
		for _, p := range paths {
			if err := os.RemoveAll(p); err != nil {
				return err
			}
		}
		return nil
	}
	if err := run(maps, removeStage, paths, false); err != nil {
		return fmt.Errorf("remove %v: %w", paths, err)
	}
	return nil
}

func removeChild(sync *os.File, args []string) int {
	if err := becomeRoot(); err != nil {
		return finish(sync, err)
	}
	for _, p := range args {
		if err := os.RemoveAll(p); err != nil {
			return finish(sync, err)
		}
	}
	return finish(sync, nil)
}

const mkdirStage = "mapped-mkdir"

func init() { spawn.RegisterStage(mkdirStage, mkdirChild) }

// MkdirAll makes directories (0755) below ones the container's mapped
// root owns, as that root, so they belong to it (an overlay rootfs's
// upper and work directories, which LXC also makes inside the user
// namespace). Root makes them itself.
func MkdirAll(maps []config.IDMap, paths ...string) error {
	if os.Geteuid() == 0 {
		for _, p := range paths {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		}
		return nil
	}
	if err := run(maps, mkdirStage, paths, false); err != nil {
		return fmt.Errorf("mkdir %v: %w", paths, err)
	}
	return nil
}

func mkdirChild(sync *os.File, args []string) int {
	if err := becomeRoot(); err != nil {
		return finish(sync, err)
	}
	for _, p := range args {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return finish(sync, err)
		}
	}
	return finish(sync, nil)
}
