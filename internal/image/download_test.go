package image

import (
	"archive/tar"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func imageArgs(ts *testServer, extra ...string) []string {
	return append([]string{"-d", "testos", "-r", "1", "-a", "amd64", "--server", ts.http.URL, "--keyring", ts.keyring}, extra...)
}

func TestDownloadCreatesAndRenders(t *testing.T) {
	ts := newTestServer(t)
	t.Setenv(EnvCachePath, t.TempDir())
	c := newContainer(t, "img-u1")
	code, out, errs := download(t, c.args(imageArgs(ts)...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"Downloading the image index", "Downloading the rootfs", "The image cache is now ready", "Unpacking the rootfs", "---\nWelcome to testos."} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if h, _ := os.ReadFile(filepath.Join(c.rootfs, "etc/hostname")); string(h) != "img-u1\n" {
		t.Errorf("hostname not rendered: %q", h)
	}
	if l, _ := os.Readlink(filepath.Join(c.rootfs, "bin/hi")); l != "hello" {
		t.Errorf("symlink: %q", l)
	}
	if st, err := os.Stat(filepath.Join(c.rootfs, "bin/hello")); err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("mode of bin/hello: %v %v", st, err)
	}
	conf, _ := os.ReadFile(filepath.Join(c.path, "config"))
	// LXC's order: image config, the container's lxc.* lines, its name,
	// then its network lines last.
	want := []string{"# Distribution configuration", "lxc.include = /usr/share/lxc/config/common.conf",
		"# Container specific configuration", "lxc.rootfs.path = dir:" + c.rootfs, "lxc.uts.name = img-u1",
		"# Network configuration", "lxc.net.0.type = empty"}
	pos := 0
	for _, w := range want {
		i := strings.Index(string(conf[pos:]), w)
		if i < 0 {
			t.Fatalf("config lacks %q in order:\n%s", w, conf)
		}
		pos += i
	}
}

func TestDownloadCacheOfflineExpiryAndFlush(t *testing.T) {
	ts := newTestServer(t)
	cache := t.TempDir()
	t.Setenv(EnvCachePath, cache)
	if code, out, errs := download(t, newContainer(t, "img-u2").args(imageArgs(ts)...)...); code != 0 {
		t.Fatalf("first: %d %s %s", code, out, errs)
	}
	ts.http.Close()
	c := newContainer(t, "img-u3")
	code, out, errs := download(t, c.args(imageArgs(ts)...)...)
	if code != 0 || !strings.Contains(out, "Using image from local cache") || strings.Contains(out, "Downloading") {
		t.Fatalf("second create did not use the cache: %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(c.rootfs, "bin/hello")); err != nil {
		t.Fatal(err)
	}
	// A cache entry LXC's script filled has no plain copy: the xz is used.
	entry0 := filepath.Join(cache, "download/testos/1/amd64/default")
	if err := os.Remove(filepath.Join(entry0, plainRootfs)); err != nil {
		t.Fatalf("no plain copy of the rootfs in the cache: %v", err)
	}
	c = newContainer(t, "img-u3x")
	if code, out, errs := download(t, c.args(imageArgs(ts)...)...); code != 0 || !exists(filepath.Join(c.rootfs, "bin/hello")) {
		t.Fatalf("create from an xz-only cache entry: %d\n%s\n%s", code, out, errs)
	}
	// Expired: refreshed from the server, which is gone now: the failure
	// names the URL and --server, and the old cache entry stays usable.
	entry := filepath.Join(cache, "download/testos/1/amd64/default")
	os.WriteFile(filepath.Join(entry, "expiry"), []byte(strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)), 0o644)
	code, out, errs = download(t, newContainer(t, "img-u4").args(imageArgs(ts)...)...)
	if code == 0 || !strings.Contains(out, "The cached copy has expired, re-downloading...") {
		t.Fatalf("expired entry not refreshed: %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "ERROR: Failed to download "+ts.http.URL+"/meta/1.0/index-system") || !strings.Contains(errs, "--server") || strings.Count(errs, "\n") != 1 {
		t.Errorf("want one line naming the URL and --server, got:\n%s", errs)
	}
	if code, out, errs := download(t, newContainer(t, "img-u5").args(imageArgs(ts, "--force-cache")...)...); code != 0 {
		t.Fatalf("--force-cache: %d %s %s", code, out, errs)
	}
	// --flush-cache removes the entry before downloading.
	code, out, _ = download(t, newContainer(t, "img-u6").args(imageArgs(ts, "--flush-cache")...)...)
	if code == 0 || !strings.Contains(out, "Flushing the cache...") || exists(entry) {
		t.Errorf("--flush-cache: %d %s; entry left: %v", code, out, exists(entry))
	}
}

func TestDownloadExpiredEntryRefreshed(t *testing.T) {
	ts := newTestServer(t)
	cache := t.TempDir()
	t.Setenv(EnvCachePath, cache)
	download(t, newContainer(t, "img-u7").args(imageArgs(ts)...)...)
	entry := filepath.Join(cache, "download/testos/1/amd64/default")
	os.WriteFile(filepath.Join(entry, "expiry"), []byte("1"), 0o644)
	os.WriteFile(filepath.Join(entry, "build_id"), []byte("old\n"), 0o644)
	code, out, errs := download(t, newContainer(t, "img-u8").args(imageArgs(ts)...)...)
	if code != 0 || !strings.Contains(out, "expired") || !strings.Contains(out, "Downloading the rootfs") {
		t.Fatalf("%d\n%s\n%s", code, out, errs)
	}
	if id, _ := os.ReadFile(filepath.Join(entry, "build_id")); string(id) != "b1\n" {
		t.Errorf("build_id %q", id)
	}
}

// rejected runs a create that must fail before anything is unpacked or cached.
func rejected(t *testing.T, ts *testServer, wantErr string, extra ...string) {
	t.Helper()
	cache := t.TempDir()
	t.Setenv(EnvCachePath, cache)
	c := newContainer(t, "img-bad")
	code, out, errs := download(t, c.args(imageArgs(ts, extra...)...)...)
	if code == 0 {
		t.Fatalf("accepted:\n%s", out)
	}
	if !strings.Contains(errs, wantErr) || strings.Count(errs, "\n") != 1 {
		t.Errorf("want one line with %q, got:\n%s", wantErr, errs)
	}
	if !isEmptyDir(t, c.rootfs) {
		t.Errorf("rootfs not empty after a rejected image")
	}
	if exists(filepath.Join(cache, "download/testos/1/amd64/default")) {
		t.Errorf("a rejected image was cached")
	}
	if m, _ := filepath.Glob(filepath.Join(cache, "download", partialPrefix+"*")); len(m) != 0 {
		t.Errorf("partial download left: %v", m)
	}
}

func TestDownloadRejectsTamperedRootfs(t *testing.T) {
	ts := newTestServer(t)
	f, _ := os.OpenFile(filepath.Join(ts.build, RootfsFile), os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte("x"))
	f.Close()
	rejected(t, ts, "does not verify")
}

func TestDownloadRejectsTamperedIndex(t *testing.T) {
	ts := newTestServer(t)
	// Another image appears on the server without a new signature: the
	// static signature no longer matches, and none is served.
	os.MkdirAll(filepath.Join(ts.dir, "images/evil/1/amd64/default/x"), 0o755)
	os.WriteFile(filepath.Join(ts.dir, "images/evil/1/amd64/default/x", RootfsFile), nil, 0o644)
	writeTarXZ(t, filepath.Join(ts.dir, "images/evil/1/amd64/default/x", MetaFile),
		[]member{{tar.Header{Name: "config", Typeflag: tar.TypeReg}, "lxc.arch = amd64\n"}})
	rejected(t, ts, "is not signed")
	// A signature that does not match the index.
	os.WriteFile(filepath.Join(ts.dir, IndexDir, "index-system"), []byte("evil;1;amd64;default;x;/images/evil/1/amd64/default/x/\n"), 0o644)
	os.RemoveAll(filepath.Join(ts.dir, "images/evil"))
	ts.http.Config.Handler = &Server{Dir: ts.dir, Signer: nil}
	idx, _ := ScanIndex(ts.dir)
	os.WriteFile(filepath.Join(ts.dir, IndexDir, "index-system"), []byte(idx), 0o644)
	asc, _ := os.ReadFile(filepath.Join(ts.dir, IndexDir, "index-system.asc"))
	other, _, _ := LoadOrCreateSigner(filepath.Join(t.TempDir(), "k"), "other")
	sig, _ := other.Sign(strings.NewReader(idx))
	os.WriteFile(filepath.Join(ts.dir, IndexDir, "index-system.asc"), sig, 0o644)
	rejected(t, ts, "the signature of the image index")
	os.WriteFile(filepath.Join(ts.dir, IndexDir, "index-system.asc"), asc, 0o644)
}

func TestDownloadRejectsWrongKey(t *testing.T) {
	ts := newTestServer(t)
	other, _, _ := LoadOrCreateSigner(filepath.Join(t.TempDir(), "k"), "other")
	ts.keyring = filepath.Join(t.TempDir(), "other.asc")
	f, _ := os.Create(ts.keyring)
	other.ExportPublic(f)
	f.Close()
	rejected(t, ts, "does not verify with")
}

func TestDownloadKeyID(t *testing.T) {
	ts := newTestServer(t)
	t.Setenv(EnvCachePath, t.TempDir())
	if code, out, errs := download(t, newContainer(t, "img-k1").args(imageArgs(ts, "--keyid", ts.signer.KeyID()[24:])...)...); code != 0 {
		t.Fatalf("%d %s %s", code, out, errs)
	}
	code, _, errs := download(t, newContainer(t, "img-k2").args(imageArgs(ts, "--keyid", "0x0123456789ABCDEF")...)...)
	if code == 0 || !strings.Contains(errs, "has no key") {
		t.Fatalf("unknown --keyid: %d %s", code, errs)
	}
}

func TestDownloadNoValidateWarns(t *testing.T) {
	ts := newTestServer(t)
	os.Remove(filepath.Join(ts.build, RootfsFile+SigSuffix))
	t.Setenv(EnvCachePath, t.TempDir())
	c := newContainer(t, "img-nv")
	code, out, errs := download(t, c.args("-d", "testos", "-r", "1", "-a", "amd64", "--server", ts.http.URL, "--no-validate")...)
	if code != 0 || !strings.Contains(errs, "WARNING: --no-validate") {
		t.Fatalf("%d\n%s\n%s", code, out, errs)
	}
}

func TestDownloadNoKeyringIsOneLine(t *testing.T) {
	ts := newTestServer(t)
	t.Setenv(EnvKeyring, filepath.Join(t.TempDir(), "absent.gpg"))
	rejected(t, ts, "no keyring to verify images with", "--keyring", "")
}

func TestDownloadListAndNoTerminal(t *testing.T) {
	ts := newTestServer(t)
	code, out, _ := download(t, "--list", "--server", ts.http.URL, "--keyring", ts.keyring)
	if code != 1 || !strings.Contains(out, "DIST\tRELEASE\tARCH\tVARIANT\tBUILD\n---\ntestos\t1\tamd64\tdefault\tb1\n---\n") {
		t.Fatalf("--list: %d\n%s", code, out)
	}
	c := newContainer(t, "img-nt")
	code, _, errs := download(t, c.args("--server", ts.http.URL, "--keyring", ts.keyring)...)
	if code != 1 || !strings.Contains(errs, "stdin is not a terminal") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("no dist on a pipe: %d %s", code, errs)
	}
}

func TestDownloadServerSettings(t *testing.T) {
	t.Setenv(EnvServer, "")
	conf := filepath.Join(t.TempDir(), "lxc.conf")
	t.Setenv("GOLXC_GLOBAL_CONF", conf)
	if DefaultServer() != PublicServer {
		t.Errorf("default %q", DefaultServer())
	}
	os.WriteFile(conf, []byte("lxc.lxcpath = /x\ngolxc.download.server = images.example.org\n"), 0o644)
	if DefaultServer() != "images.example.org" {
		t.Errorf("lxc.conf: %q", DefaultServer())
	}
	t.Setenv(EnvServer, "http://127.0.0.1:1")
	if DefaultServer() != "http://127.0.0.1:1" {
		t.Errorf("env: %q", DefaultServer())
	}
	if BaseURL("host:8443/") != "https://host:8443" || BaseURL("http://h/x") != "http://h/x" {
		t.Errorf("BaseURL")
	}
}

func TestStalePartialRemoved(t *testing.T) {
	dir := t.TempDir()
	held, err := newPartial(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Remove()
	stale, _ := os.MkdirTemp(dir, partialPrefix)
	os.WriteFile(filepath.Join(stale, ".lock"), nil, 0o600) // its owner died (kill -9)
	p, err := newPartial(dir)
	if err != nil {
		t.Fatal(err)
	}
	p.Remove()
	if exists(stale) {
		t.Errorf("stale partial download kept")
	}
	if !exists(held.Path) {
		t.Errorf("a partial download in progress was removed")
	}
}

func TestDownloadStalledServerFails(t *testing.T) {
	ts := newTestServer(t)
	release := make(chan struct{})
	defer close(release)
	inner := ts.http.Config.Handler
	ts.http.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, RootfsFile) {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		inner.ServeHTTP(w, r)
	})
	old := IdleTimeout
	IdleTimeout = 200 * time.Millisecond
	defer func() { IdleTimeout = old }()
	rejected(t, ts, "no data for 200ms")
}

func TestDownloadKeyServer(t *testing.T) {
	ts := newTestServer(t)
	t.Setenv(EnvCachePath, t.TempDir())
	// The image server doubles as an HKP keyserver for its signing key.
	ts.http.Config.Handler = &Server{Dir: ts.dir, Signer: ts.signer}
	id := ts.signer.KeyID()[24:]
	c := newContainer(t, "img-ks")
	code, out, errs := download(t, c.args("-d", "testos", "-r", "1", "-a", "amd64", "--server", ts.http.URL,
		"--keyserver", ts.http.URL, "--keyid", "0x"+id)...)
	if code != 0 || !strings.Contains(out, "Fetching key "+"0x"+id) {
		t.Fatalf("%d\n%s\n%s", code, out, errs)
	}
	code, _, errs = download(t, newContainer(t, "img-ks2").args("-d", "testos", "-r", "1", "-a", "amd64", "--server", ts.http.URL,
		"--keyserver", ts.http.URL, "--keyid", "0x0123456789ABCDEF")...)
	if code == 0 || !strings.Contains(errs, "is not on the keyserver") {
		t.Fatalf("unknown key id: %d %s", code, errs)
	}
}
