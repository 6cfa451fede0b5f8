package templates

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The test binary doubles as a template: with GOLXC_TEMPLATE_DUMP=FILE set
// it records what it was started with into FILE and exits with
// GOLXC_TEMPLATE_EXIT (default 0). With GOLXC_TEMPLATE_MOUNT=DIR it also
// mounts a tmpfs there, to prove the mount does not reach the caller.
type templateDump struct {
	Args    []string
	Env     []string
	Cwd     string
	MntNS   string
	Fds     [3]string
	Mounted bool
}

func TestMain(m *testing.M) {
	if out := os.Getenv("GOLXC_TEMPLATE_DUMP"); out != "" {
		os.Exit(dumpTemplate(out))
	}
	os.Exit(m.Run())
}

func dumpTemplate(out string) int {
	d := templateDump{Args: os.Args, Env: os.Environ()}
	d.Cwd, _ = os.Getwd()
	d.MntNS, _ = os.Readlink("/proc/self/ns/mnt")
	for i := range d.Fds {
		d.Fds[i], _ = os.Readlink(filepath.Join("/proc/self/fd", string(rune('0'+i))))
	}
	if dir := os.Getenv("GOLXC_TEMPLATE_MOUNT"); dir != "" {
		d.Mounted = syscall.Mount("golxc-tpl-test", dir, "tmpfs", 0, "") == nil
	}
	data, _ := json.Marshal(d)
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return 99
	}
	switch os.Getenv("GOLXC_TEMPLATE_EXIT") {
	case "":
		return 0
	case "3":
		return 3
	}
	return 1
}

func readDump(t *testing.T, path string) templateDump {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("template did not run: %v", err)
	}
	var d templateDump
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// mountedAt reports whether the caller's mount table has a mount at dir.
func mountedAt(t *testing.T, dir string) bool {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && f[4] == dir {
			return true
		}
	}
	return false
}

func detachMount(dir string) { syscall.Unmount(dir, syscall.MNT_DETACH) }
