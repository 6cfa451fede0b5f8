package spawn

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestCgroupFD checks CLONE_INTO_CGROUP: the final process inherits the
// cgroup the intermediate was cloned into.
func TestCgroupFD(t *testing.T) {
	needRoot(t)
	root := "/sys/fs/cgroup/unified"
	var st unix.Statfs_t
	if err := unix.Statfs(root, &st); err != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
		root = "/sys/fs/cgroup"
		if err := unix.Statfs(root, &st); err != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
			t.Skip("no cgroup2 mount")
		}
	}
	dir := filepath.Join(root, fmt.Sprintf("golxc-spawn-test-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Remove(dir); err != nil {
			t.Errorf("remove test cgroup: %v", err)
		}
	})
	cg, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer cg.Close()

	p, _ := startReport(t, Request{Mode: Create, CloneFlags: unix.CLONE_NEWPID, CgroupFD: int(cg.Fd())})
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", p.Pid))
	if err != nil {
		t.Fatal(err)
	}
	want := "0::/" + filepath.Base(dir)
	if !strings.Contains(string(b), want+"\n") {
		t.Errorf("/proc/%d/cgroup has no %q:\n%s", p.Pid, want, b)
	}
	stop(t, p) // the cgroup must be empty before the cleanup removes it
}
