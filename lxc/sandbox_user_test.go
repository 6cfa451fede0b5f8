package lxc

import (
	"os"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/idmap"
)

// A user's sandbox: root is the user, 1-65535 the first subordinate
// range (cut to 65535 ids, or less when the range is smaller).
func TestSandboxUserMaps(t *testing.T) {
	big := []idmap.Range{{Start: 200000, Count: 1 << 20}, {Start: 5000000, Count: 65536}}
	small := []idmap.Range{{Start: 300000, Count: 1000}}
	got, err := sandboxUserMaps("ann", 1001, 1002, big, small)
	if err != nil {
		t.Fatal(err)
	}
	want := []config.IDMap{
		{Type: 'u', NSID: 0, HostID: 1001, Range: 1}, {Type: 'u', NSID: 1, HostID: 200000, Range: 65535},
		{Type: 'g', NSID: 0, HostID: 1002, Range: 1}, {Type: 'g', NSID: 1, HostID: 300000, Range: 1000},
	}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("map %d: %v, want %v", i, got[i], want[i])
		}
	}
	for _, c := range []struct{ u, g []idmap.Range }{{nil, small}, {big, nil}} {
		_, err := sandboxUserMaps("ann", 1001, 1002, c.u, c.g)
		if err == nil || !strings.Contains(err.Error(), "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ann") {
			t.Errorf("no range: %v", err)
		}
	}
}

// A user's sandbox refuses --idmap and squashfs layers in one line each;
// directory layers pass.
func TestSandboxUserRefusal(t *testing.T) {
	dir := t.TempDir()
	img := dir + "/layer.sfs"
	if err := os.WriteFile(img, []byte("hsqs"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		o    SandboxOptions
		want string
	}{
		{SandboxOptions{IDMap: true}, "drop --idmap"},
		{SandboxOptions{Layers: []string{dir, img}}, "unsquashfs -d DIR " + img},
		{SandboxOptions{Layers: []string{dir}}, ""},
	} {
		err := userRefusal(c.o)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.o, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
}
