package spawn

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openNS opens /proc/PID/ns/<name> of a helper, closed at cleanup.
func openNS(t *testing.T, pid int, name string) *os.File {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/%s", pid, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

var shareFlag = map[string]uintptr{
	"user": unix.CLONE_NEWUSER, "uts": unix.CLONE_NEWUTS, "ipc": unix.CLONE_NEWIPC,
	"net": unix.CLONE_NEWNET, "pid": unix.CLONE_NEWPID, "mnt": unix.CLONE_NEWNS,
}

// TestCreateShare starts a helper in new namespaces, then a Create that
// shares some of them: shared ones must have the helper's inode, the rest
// must be new.
func TestCreateShare(t *testing.T) {
	needRoot(t)
	host := selfNS(t)
	for _, tc := range []struct {
		name   string
		userns bool     // helper (and thus the sharer) in a user namespace
		share  []string // namespaces to share
	}{
		{"net+uts", false, []string{"net", "uts"}},
		{"pid+ipc", false, []string{"pid", "ipc"}},
		{"user+net", true, []string{"user", "net"}},
		{"net from privileged, new userns", false, []string{"net"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hreq := Request{Mode: Create, CloneFlags: createFlags, CgroupFD: -1, Args: []string{"golxc-share-helper"}}
			if tc.userns {
				hreq.CloneFlags |= unix.CLONE_NEWUSER
				hreq.UIDMap, hreq.GIDMap = testMap, testMap
			}
			helper, hr := startReport(t, hreq)

			req := Request{Mode: Create, CloneFlags: createFlags, CgroupFD: -1}
			if strings.HasSuffix(tc.name, "new userns") {
				// The share must happen before the new user ns exists:
				// afterwards the host-owned netns could not be joined.
				req.CloneFlags |= unix.CLONE_NEWUSER
				req.UIDMap, req.GIDMap = testMap, testMap
			}
			shared := map[string]bool{}
			for _, n := range tc.share {
				shared[n] = true
				req.CloneFlags &^= shareFlag[n]
				req.Share = append(req.Share, SharedNS{Flag: shareFlag[n], File: openNS(t, helper.Pid, n)})
			}
			p, r := startReport(t, req)
			for _, n := range []string{"user", "uts", "ipc", "net", "mnt", "pid"} {
				switch {
				case shared[n] && r.NS[n] != hr.NS[n]:
					t.Errorf("shared %s: %s, helper has %s", n, r.NS[n], hr.NS[n])
				case !shared[n] && req.CloneFlags&shareFlag[n] != 0 && (r.NS[n] == hr.NS[n] || r.NS[n] == host[n]):
					t.Errorf("%s should be new: %s (helper %s, host %s)", n, r.NS[n], hr.NS[n], host[n])
				}
			}
			if shared["uts"] && r.Hostname != "golxc-share-helper" {
				t.Errorf("hostname in shared uts ns = %q, want the helper's", r.Hostname)
			}
			if shared["pid"] {
				// setns(CLONE_NEWPID) then fork: a second process in the
				// helper's pid ns, not its init.
				if nspid := strings.Fields(statField(t, p.Pid, "NSpid")); len(nspid) != 2 || nspid[1] == "1" {
					t.Errorf("NSpid %v: want a non-init pid in the helper's pid ns", nspid)
				}
			} else if r.Pid != 1 {
				t.Errorf("pid in new pid ns = %d, want 1", r.Pid)
			}
			if shared["user"] {
				if uid := statField(t, p.Pid, "Uid"); !strings.HasPrefix(uid, "100000") {
					t.Errorf("host view Uid %q: want root of the shared user ns (100000)", uid)
				}
			}
		})
	}
}

// TestShareOwnUserNS: sharing the user ns we are in (a privileged
// container's "user" is the host's) is a no-op, not EINVAL.
func TestShareOwnUserNS(t *testing.T) {
	needRoot(t)
	_, r := startReport(t, Request{Mode: Create, CloneFlags: unix.CLONE_NEWUTS, CgroupFD: -1,
		Share: []SharedNS{{Flag: unix.CLONE_NEWUSER, File: openNS(t, os.Getpid(), "user")}}})
	if r.NS["user"] != selfNS(t)["user"] {
		t.Errorf("user ns %s, want ours", r.NS["user"])
	}
}

func TestShareErrors(t *testing.T) {
	needRoot(t)
	net := openNS(t, os.Getpid(), "net")
	fdsBefore, kidsBefore := countFDs(t), children(t)
	for _, tc := range []struct {
		name string
		req  Request
		want string
		c    bool
	}{
		{"wrong type", Request{Mode: Create, CloneFlags: unix.CLONE_NEWNET,
			Share: []SharedNS{{Flag: unix.CLONE_NEWUTS, File: net}}}, "spawn: setns(shared uts namespace): invalid argument", true},
		{"shared and cloned", Request{Mode: Create, CloneFlags: unix.CLONE_NEWNET,
			Share: []SharedNS{{Flag: unix.CLONE_NEWNET, File: net}}}, "both shared and in CloneFlags", false},
		{"twice", Request{Mode: Create,
			Share: []SharedNS{{Flag: unix.CLONE_NEWNET, File: net}, {Flag: unix.CLONE_NEWNET, File: net}}}, "shared twice", false},
		{"two flags", Request{Mode: Create,
			Share: []SharedNS{{Flag: unix.CLONE_NEWNET | unix.CLONE_NEWUTS, File: net}}}, "not one CLONE_NEW* flag", false},
		{"join mode", Request{Mode: Join, JoinPID: os.Getpid(), JoinFlags: unix.CLONE_NEWNET,
			Share: []SharedNS{{Flag: unix.CLONE_NEWNET, File: net}}}, "Share is for Create", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Stage, tc.req.CgroupFD = "test-report", -1
			p, err := Start(tc.req)
			if err == nil {
				stop(t, p)
				t.Fatalf("Start succeeded, want error containing %q", tc.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line containing %q", msg, tc.want)
			}
			var se *StageError
			if errors.As(err, &se) != tc.c {
				t.Errorf("error %q: from the C stage = %v, want %v", msg, !tc.c, tc.c)
			}
			if tc.c && !errors.Is(err, syscall.EINVAL) {
				t.Errorf("error %q: want EINVAL", msg)
			}
		})
	}
	if after := countFDs(t); after != fdsBefore {
		t.Errorf("open fds: %d before, %d after", fdsBefore, after)
	}
	if after := children(t); len(after) != len(kidsBefore) {
		t.Errorf("children: %v before, %v after", kidsBefore, after)
	}
}
