package templates

import (
	"os"
	"path/filepath"
	"testing"
)

func TestHeaderExact(t *testing.T) {
	want := `# Template used to create this container: /usr/share/lxc/templates/lxc-busybox
# Parameters passed to the template: -x --opt val with space
# For additional config options, please look at lxc.container.conf(5)

# Uncomment the following line to support nesting containers:
#lxc.include = /usr/share/lxc/config/nesting.conf
# (Be aware this has security implications)

`
	if got := Header("/usr/share/lxc/templates/lxc-busybox", []string{"-x", "--opt", "val with space"}); got != want {
		t.Fatalf("Header =\n%s\nwant\n%s", got, want)
	}
	if got := Header("/t", nil); got[:len("# Template used to create this container: /t\n# Parameters passed to the template:\n")] !=
		"# Template used to create this container: /t\n# Parameters passed to the template:\n" {
		t.Fatalf("no-args header = %q", got)
	}
}

func TestPrependHeaderKeepsContentAndMode(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(cfg, []byte("lxc.net.0.type = empty\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	os.Chmod(cfg, 0o640)
	if err := PrependHeader(cfg, "/t", []string{"a"}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(cfg)
	if string(got) != Header("/t", []string{"a"})+"lxc.net.0.type = empty\n" {
		t.Fatalf("config = %q", got)
	}
	if st, _ := os.Stat(cfg); st.Mode().Perm() != 0o640 {
		t.Fatalf("mode changed to %v", st.Mode())
	}
}
