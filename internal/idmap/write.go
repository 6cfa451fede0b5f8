package idmap

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"

	"github.com/golxc/golxc/internal/config"
)

// Write installs the maps of the user namespace process pid has just
// unshared (the entries' Type is ignored: uids and gids come apart).
// Root writes /proc/PID/{gid,uid}_map itself. Anybody else goes through
// shadow's setuid newuidmap and newgidmap, after checking the ranges
// against /etc/subuid and /etc/subgid so that a missing range is one line
// saying how to grant it rather than newuidmap's own error.
func Write(pid int, uids, gids []config.IDMap) error {
	if len(uids) == 0 || len(gids) == 0 {
		return fmt.Errorf("idmap: a user namespace needs both a uid map and a gid map (lxc.idmap u and g lines)")
	}
	if os.Geteuid() == 0 {
		// gid_map before uid_map: each is a single write(2).
		if err := writeProc(pid, "gid_map", uids, gids, false); err != nil {
			return err
		}
		return writeProc(pid, "uid_map", uids, gids, true)
	}
	if err := CheckCaller(uids, gids); err != nil {
		return err
	}
	if err := runShadow("newuidmap", pid, uids); err != nil {
		return err
	}
	return runShadow("newgidmap", pid, gids)
}

// CheckCaller checks the maps against the calling user's /etc/subuid and
// /etc/subgid ranges (Check), so a missing range is found before anything
// is created; root may map anything.
func CheckCaller(uids, gids []config.IDMap) error {
	if os.Geteuid() == 0 {
		return nil
	}
	who, err := CurrentCaller()
	if err != nil {
		return err
	}
	subuid, err := ReadSubIDs(SubUIDFile, who.Name, who.UID)
	if err != nil {
		return err
	}
	subgid, err := ReadSubIDs(SubGIDFile, who.Name, who.UID)
	if err != nil {
		return err
	}
	return Check(uids, gids, who, subuid, subgid)
}

// CurrentCaller is the real user of this process (newuidmap checks the
// real uid, and the user's own gid is its real gid).
func CurrentCaller() (Caller, error) {
	uid, gid := os.Getuid(), os.Getgid()
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil {
		return Caller{}, fmt.Errorf("idmap: no passwd entry for uid %d: %w", uid, err)
	}
	return Caller{Name: u.Username, UID: uint32(uid), GID: uint32(gid)}, nil
}

func writeProc(pid int, name string, uids, gids []config.IDMap, isUID bool) error {
	m := gids
	if isUID {
		m = uids
	}
	var b strings.Builder
	for _, e := range m {
		fmt.Fprintf(&b, "%d %d %d\n", e.NSID, e.HostID, e.Range)
	}
	path := fmt.Sprintf("/proc/%d/%s", pid, name)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("idmap: open %s: %w", path, err)
	}
	_, werr := f.Write([]byte(b.String()))
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr != nil {
		var pe *os.PathError
		if errors.As(werr, &pe) {
			werr = pe.Err
		}
		return fmt.Errorf("idmap: write %s %q: %w", path, strings.ReplaceAll(strings.TrimSpace(b.String()), "\n", "; "), werr)
	}
	return nil
}

// ShadowTool finds newuidmap or newgidmap: in PATH, else /usr/bin.
func ShadowTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	p := "/usr/bin/" + name
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("idmap: %s not found: install Debian's uidmap package (apt-get install uidmap) to map ids as a user", name)
	}
	return p, nil
}

// runShadow runs "newuidmap PID NSID HOSTID RANGE ...".
func runShadow(tool string, pid int, m []config.IDMap) error {
	path, err := ShadowTool(tool)
	if err != nil {
		return err
	}
	args := []string{strconv.Itoa(pid)}
	for _, e := range m {
		args = append(args, strconv.FormatUint(uint64(e.NSID), 10), strconv.FormatUint(uint64(e.HostID), 10), strconv.FormatUint(uint64(e.Range), 10))
	}
	cmd := exec.Command(path, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("idmap: %s %s: %s: %w", tool, strings.Join(args, " "), msg, err)
	}
	return nil
}
