package integration

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serveDir runs golxc image serve on DIR over plain HTTP with the extra
// arguments and returns its address.
func serveDir(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	args := append(append([]string{"image", "serve", "--http", "127.0.0.1:0"}, extra...), dir)
	cmd := exec.Command(filepath.Join(binDir, "golxc"), args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, a, ok := strings.Cut(sc.Text(), " on http://"); ok {
			go io.Copy(io.Discard, out)
			return a
		}
	}
	t.Fatal("golxc image serve did not report its address")
	return ""
}

// getIndex fetches a server's index-system, and whether its .asc exists.
func getIndex(t *testing.T, addr string) (string, bool) {
	t.Helper()
	get := func(p string) (string, int) {
		resp, err := http.Get("http://" + addr + "/meta/1.0/" + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), resp.StatusCode
	}
	idx, code := get("index-system")
	if code != 200 {
		t.Fatalf("index-system: HTTP %d", code)
	}
	_, sigCode := get("index-system.asc")
	return idx, sigCode == 200
}

// buildImage adds a busybox image to dir (signed with key when given).
func buildImage(t *testing.T, dir, release, build, key string, extra ...string) string {
	t.Helper()
	args := append([]string{"image", "build", "--dist", "busybox", "--release", release, "--arch", "amd64", "--build", build}, extra...)
	if key != "" {
		args = append(args, "--key", key)
	}
	r := runPathTimeout(t, 3*time.Minute, nil, filepath.Join(binDir, "golxc"), append(args, dir)...)
	if r.code != 0 {
		t.Fatalf("golxc image build %s %s: %s", release, build, r)
	}
	return filepath.Join(dir, "images/busybox", release, "amd64/default", build)
}

// waitIndex polls until the index satisfies ok (or a minute has passed).
func waitIndex(t *testing.T, addr, what string, ok func(string) bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		idx, _ := getIndex(t, addr)
		if ok(idx) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s; the index is still:\n%s", what, idx)
		}
	}
}

// TestImageServeIndexFollowsDir: golxc image serve makes its index from
// the directory at each request: a newer build replaces the older one, a
// removed build goes (the older one shows again), an image is dropped
// once its expiry passes, whether the expiry is golxc's side file or
// only in meta.tar.xz (an LXC-format tree); with --key each index is
// signed and clients take it.
func TestImageServeIndexFollowsDir(t *testing.T) {
	s := newImageServer(t)
	addr := s.httpAddr
	line := func(release, build string) string {
		return fmt.Sprintf("busybox;%s;amd64;default;%s;/images/busybox/%s/amd64/default/%s/\n", release, build, release, build)
	}
	if idx, signed := getIndex(t, addr); !strings.Contains(idx, line("img", "b1")) || !signed {
		t.Fatalf("initial index (signed %v):\n%s", signed, idx)
	}
	b2 := buildImage(t, s.dir, "img", "b2", s.key)
	if idx, _ := getIndex(t, addr); !strings.Contains(idx, line("img", "b2")) || strings.Contains(idx, line("img", "b1")) {
		t.Errorf("after adding build b2 the index is:\n%s", idx)
	}
	list := func() string {
		r := runPathTimeout(t, time.Minute, s.env(t.TempDir()), filepath.Join(binDir, "golxc"), "image", "list", "--server", "http://"+addr, "--keyring", s.pub)
		if r.code != 0 {
			t.Fatalf("golxc image list against the regenerated, signed index: %s", r)
		}
		return r.stdout
	}
	if out := list(); !strings.Contains(out, "busybox\timg\tamd64\tdefault\tb2\n") {
		t.Errorf("golxc image list:\n%s", out)
	}

	// Short-lived images: golxc's (expiry beside the tarballs) and an
	// LXC-format one (expiry only in meta.tar.xz).
	const life = 20 * time.Second
	days := fmt.Sprintf("%f", life.Hours()/24)
	buildImage(t, s.dir, "soon", "s1", s.key, "--expiry", days)
	lxcFormat := buildImage(t, s.dir, "lxcfmt", "l1", s.key, "--expiry", days)
	if err := os.Remove(filepath.Join(lxcFormat, "expiry")); err != nil {
		t.Fatal(err)
	}
	if idx, _ := getIndex(t, addr); !strings.Contains(idx, line("soon", "s1")) || !strings.Contains(idx, line("lxcfmt", "l1")) {
		t.Fatalf("the short-lived images are not listed before their expiry:\n%s", idx)
	}
	waitIndex(t, addr, "an expired image is still listed", func(idx string) bool {
		return !strings.Contains(idx, line("soon", "s1")) && !strings.Contains(idx, line("lxcfmt", "l1"))
	})
	r := downloadCreate(t, s.env(t.TempDir()), lxcpath(t), "img-exp", "-d", "busybox", "-r", "soon", "-a", "amd64",
		"--server", "http://"+addr, "--keyring", s.pub)
	if r.code == 0 || !strings.Contains(r.stderr, "ERROR: Couldn't find a matching image") {
		t.Errorf("create of an expired image: %s", r)
	}

	// Removing the newest build brings the older one back; removing that
	// empties the entry.
	os.RemoveAll(b2)
	if idx, _ := getIndex(t, addr); !strings.Contains(idx, line("img", "b1")) || strings.Contains(idx, "b2") {
		t.Errorf("after removing b2 the index is:\n%s", idx)
	}
	os.RemoveAll(filepath.Join(s.dir, "images/busybox/img/amd64/default/b1"))
	if idx, signed := getIndex(t, addr); strings.Contains(idx, "busybox;img;") || !signed {
		t.Errorf("after removing b1 the index (signed %v) is:\n%s", signed, idx)
	}
	if out := list(); strings.Contains(out, "busybox\timg\t") {
		t.Errorf("golxc image list after the removals:\n%s", out)
	}
}

// TestImageServeStaticSignature: served without --key, the index is
// signed only while it is the one `golxc image sign` signed; once the
// directory changes, clients refuse the unsigned index (one line) until
// the directory is signed again.
func TestImageServeStaticSignature(t *testing.T) {
	needRoot(t)
	base := t.TempDir()
	dir, key, pub := filepath.Join(base, "srv"), filepath.Join(base, "key.asc"), filepath.Join(base, "pub.asc")
	buildImage(t, dir, "img", "b1", key)
	mustRun(t, "golxc", "image", "sign", "--key", key, "--export-public", pub, dir)
	addr := serveDir(t, dir)
	list := func() result {
		return runPathTimeout(t, time.Minute, []string{"LXC_CACHE_PATH=" + t.TempDir()}, filepath.Join(binDir, "golxc"),
			"image", "list", "--server", "http://"+addr, "--keyring", pub)
	}
	if idx, signed := getIndex(t, addr); !signed || !strings.Contains(idx, ";b1;") {
		t.Fatalf("signed by golxc image sign: signed %v\n%s", signed, idx)
	}
	if r := list(); r.code != 0 || !strings.Contains(r.stdout, "\tb1\n") {
		t.Fatalf("list of a signed tree: %s", r)
	}
	buildImage(t, dir, "img", "b2", "") // added, not signed
	if idx, signed := getIndex(t, addr); signed || !strings.Contains(idx, ";b2;") {
		t.Errorf("changed since signing: signed %v\n%s", signed, idx)
	}
	r := list()
	if r.code == 0 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 ||
		!strings.Contains(r.stderr, "ERROR: http://"+addr+"/meta/1.0/index-system is not signed") {
		t.Errorf("list of an index changed since signing: %s", r)
	}
	mustRun(t, "golxc", "image", "sign", "--key", key, dir)
	if r := list(); r.code != 0 || !strings.Contains(r.stdout, "\tb2\n") {
		t.Errorf("list after signing again: %s", r)
	}
}
