package integration

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Images (issue 12): lxc-create -t download against golxc's own image
// server (golxc image build|sign|serve) on loopback, with a signed
// busybox image.

type imageServer struct {
	dir, key, pub, ca string
	httpAddr, https   string // host:port
	cmd               *exec.Cmd
	stopOnce          sync.Once
}

// newImageServer builds and signs a busybox image into a fresh server
// directory and serves it over HTTP and HTTPS (self-signed CA).
func newImageServer(t *testing.T) *imageServer {
	t.Helper()
	needRoot(t)
	base := t.TempDir()
	s := &imageServer{dir: filepath.Join(base, "srv"), key: filepath.Join(base, "secret.asc"),
		pub: filepath.Join(base, "pub.asc"), ca: filepath.Join(base, "ca.pem")}
	mustRun(t, "golxc", "image", "build", "--dist", "busybox", "--release", "img", "--arch", "amd64",
		"--build", "b1", "--key", s.key, s.dir)
	mustRun(t, "golxc", "image", "sign", "--key", s.key, "--export-public", s.pub, s.dir)
	s.cmd = exec.Command(filepath.Join(binDir, "golxc"), "image", "serve", "--http", "127.0.0.1:0",
		"--https", "127.0.0.1:0", "--self-signed-ca", s.ca, "--key", s.key, s.dir)
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = os.Stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	sc := bufio.NewScanner(out)
	for (s.httpAddr == "" || s.https == "") && sc.Scan() {
		line := sc.Text()
		if _, a, ok := strings.Cut(line, " on http://"); ok {
			s.httpAddr = a
		}
		if _, a, ok := strings.Cut(line, " on https://"); ok {
			s.https = a
		}
	}
	if s.httpAddr == "" || s.https == "" {
		t.Fatalf("golxc image serve did not report its addresses")
	}
	go io.Copy(io.Discard, out)
	return s
}

func (s *imageServer) stop() {
	s.stopOnce.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		s.cmd.Wait()
	})
}

// env is the client's environment: a test-only cache, the test CA.
func (s *imageServer) env(cache string) []string {
	return []string{"LXC_CACHE_PATH=" + cache, "SSL_CERT_FILE=" + s.ca}
}

func (s *imageServer) imageArgs(extra ...string) []string {
	return append([]string{"-d", "busybox", "-r", "img", "-a", "amd64", "--server", s.https, "--keyring", s.pub}, extra...)
}

func downloadCreate(t *testing.T, env []string, lp, name string, tmplArgs ...string) result {
	t.Helper()
	args := append([]string{"-P", lp, "-n", name, "-t", "download", "--"}, tmplArgs...)
	return runPathTimeout(t, 5*time.Minute, env, filepath.Join(binDir, "lxc-create"), args...)
}

// startAndAttach starts the container and runs `true` and `hostname` in it.
func startAndAttach(t *testing.T, lp, name string) {
	t.Helper()
	t.Cleanup(func() {
		run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k")
		killMonitors(t, lp, name)
		os.RemoveAll(filepath.Join("/run/lxc/lock", lp))
	})
	startRunning(t, lp, name, "-d")
	mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "true")
	if r := mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "cat", "/etc/hostname"); r.stdout != name+"\n" {
		t.Errorf("/etc/hostname (a templated file) = %q, want %q", r.stdout, name)
	}
	mustRun(t, "lxc-stop", "-P", lp, "-n", name, "-k")
}

func TestImageDownloadCreateStartCacheOffline(t *testing.T) {
	s := newImageServer(t)
	lp := lxcpath(t)
	cache := t.TempDir()
	r := downloadCreate(t, s.env(cache), lp, "img-dl1", s.imageArgs()...)
	if r.code != 0 {
		t.Fatalf("create: %s", r)
	}
	for _, want := range []string{"Setting up the GPG keyring", "Downloading the image index", "Downloading the rootfs",
		"Downloading the metadata", "The image cache is now ready", "Unpacking the rootfs", "\n---\nYou just created a busybox img amd64"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("create output lacks %q:\n%s", want, r.stdout)
		}
	}
	conf, _ := os.ReadFile(filepath.Join(lp, "img-dl1", "config"))
	if !strings.HasPrefix(string(conf), "# Template used to create this container: /usr/share/lxc/templates/lxc-download\n") ||
		!strings.Contains(string(conf), "lxc.uts.name = img-dl1\n") {
		t.Errorf("config:\n%s", conf)
	}
	startAndAttach(t, lp, "img-dl1")

	// The server goes away: the next create is served from the cache.
	s.stop()
	r = downloadCreate(t, s.env(cache), lp, "img-dl2", s.imageArgs()...)
	if r.code != 0 || !strings.Contains(r.stdout, "Using image from local cache") || strings.Contains(r.stdout, "Downloading") {
		t.Fatalf("offline create from the cache: %s", r)
	}
	startAndAttach(t, lp, "img-dl2")

	// Unreachable server, nothing cached for this image: one line naming
	// the URL and --server, no container.
	r = downloadCreate(t, s.env(cache), lp, "img-dl3", "-d", "busybox", "-r", "other", "-a", "amd64", "--server", s.https, "--keyring", s.pub)
	if r.code == 0 || !strings.Contains(r.stderr, "ERROR: Failed to download https://"+s.https+"/meta/1.0/index-system") || !strings.Contains(r.stderr, "--server") {
		t.Fatalf("unreachable server: %s", r)
	}
	if _, err := os.Stat(filepath.Join(lp, "img-dl3")); err == nil {
		t.Errorf("a failed create left %s", filepath.Join(lp, "img-dl3"))
	}
}

func TestImageDownloadListAndRejects(t *testing.T) {
	s := newImageServer(t)
	lp := lxcpath(t)
	cache := t.TempDir()
	r := downloadCreate(t, s.env(cache), lp, "img-ls", "--list", "--server", s.https, "--keyring", s.pub)
	if r.code == 0 || !strings.Contains(r.stdout, "DIST\tRELEASE\tARCH\tVARIANT\tBUILD\n---\nbusybox\timg\tamd64\tdefault\tb1\n---\n") {
		t.Fatalf("--list: %s", r)
	}
	r = runPathTimeout(t, time.Minute, s.env(cache), filepath.Join(binDir, "golxc"), "image", "list", "--server", s.https, "--keyring", s.pub)
	if r.code != 0 || !strings.Contains(r.stdout, "busybox\timg\tamd64\tdefault\tb1") {
		t.Fatalf("golxc image list: %s", r)
	}
	// Without -d/-r/-a and without a terminal: one line, no prompt.
	r = downloadCreate(t, s.env(cache), lp, "img-np", "--server", s.https, "--keyring", s.pub)
	if r.code == 0 || !strings.Contains(r.stderr, "stdin is not a terminal") {
		t.Fatalf("no image given on a pipe: %s", r)
	}
	// A key that did not sign the image.
	other := filepath.Join(t.TempDir(), "other")
	mustRun(t, "golxc", "image", "sign", "--key", other+".asc", "--export-public", other+".pub", t.TempDir())
	r = downloadCreate(t, s.env(cache), lp, "img-wk", "-d", "busybox", "-r", "img", "-a", "amd64", "--server", s.https, "--keyring", other+".pub")
	if r.code == 0 || !strings.Contains(r.stderr, "ERROR: the signature of the image index") {
		t.Fatalf("wrong key: %s", r)
	}
	// A tampered rootfs.
	rootfs := filepath.Join(s.dir, "images/busybox/img/amd64/default/b1/rootfs.tar.xz")
	good, err := os.ReadFile(rootfs)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(rootfs, os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte("tampered"))
	f.Close()
	r = downloadCreate(t, s.env(cache), lp, "img-tr", s.imageArgs()...)
	if r.code == 0 || !strings.Contains(r.stderr, "ERROR: the signature of https://"+s.https+"/images/busybox/img/amd64/default/b1/rootfs.tar.xz does not verify") {
		t.Fatalf("tampered rootfs: %s", r)
	}
	for _, n := range []string{"img-ls", "img-np", "img-wk", "img-tr"} {
		if _, err := os.Stat(filepath.Join(lp, n)); err == nil {
			t.Errorf("a rejected create left %s", n)
		}
	}
	if _, err := os.Stat(filepath.Join(cache, "download/busybox/img/amd64/default")); err == nil {
		t.Errorf("a rejected image is in the cache")
	}
	// --no-validate checks nothing and says so loudly (the rootfs is
	// whole again, its signature gone).
	os.WriteFile(rootfs, good, 0o644)
	os.Remove(rootfs + ".asc")
	r = downloadCreate(t, s.env(cache), lp, "img-nv", "-d", "busybox", "-r", "img", "-a", "amd64", "--server", s.https, "--no-validate")
	if r.code != 0 || !strings.Contains(r.stderr, "WARNING: --no-validate") {
		t.Fatalf("--no-validate: %s", r)
	}
}

// stallingServer serves dir over plain HTTP but stops in the middle of
// every rootfs tarball until the test ends.
func stallingServer(t *testing.T, dir string) (addr string, started <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	began := make(chan struct{}, 16)
	files := http.FileServer(http.Dir(dir))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/rootfs.tar.xz") {
			files.ServeHTTP(w, r)
			return
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		began <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { close(release); srv.Close() })
	return ln.Addr().String(), began
}

// TestImageDownloadKilledMidway: lxc-create killed with SIGKILL while the
// rootfs is downloading leaves no container and no cache entry; the next
// create of the same name succeeds.
func TestImageDownloadKilledMidway(t *testing.T) {
	s := newImageServer(t)
	lp := lxcpath(t)
	cache := t.TempDir()
	addr, began := stallingServer(t, s.dir)
	cmd := exec.Command(filepath.Join(binDir, "lxc-create"), "-P", lp, "-n", "img-kill", "-t", "download", "--",
		"-d", "busybox", "-r", "img", "-a", "amd64", "--server", "http://"+addr, "--keyring", s.pub)
	cmd.Env = append(os.Environ(), s.env(cache)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-began:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the rootfs download never started")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// The helper dies with lxc-create (parent-death signal); wait until
	// it has let go of its partial download (its lock).
	partials, _ := filepath.Glob(filepath.Join(cache, "download", ".golxc-partial-*"))
	if len(partials) != 1 {
		t.Fatalf("expected one partial download in the cache, got %v", partials)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		fd, err := syscall.Open(filepath.Join(partials[0], ".lock"), syscall.O_RDWR, 0)
		if err != nil {
			break
		}
		locked := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB) != nil
		syscall.Close(fd)
		if !locked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the download helper outlived lxc-create")
		}
	}
	if _, err := os.Stat(filepath.Join(cache, "download/busybox/img/amd64/default")); err == nil {
		t.Errorf("an interrupted download left a cache entry")
	}
	if r := mustRun(t, "lxc-ls", "-P", lp); strings.Contains(r.stdout, "img-kill") {
		t.Errorf("the interrupted container is listed: %q", r.stdout)
	}
	r := downloadCreate(t, s.env(cache), lp, "img-kill", s.imageArgs()...)
	if r.code != 0 {
		t.Fatalf("create after the interrupted one: %s", r)
	}
	if left, _ := filepath.Glob(filepath.Join(cache, "download", ".golxc-partial-*")); len(left) != 0 {
		t.Errorf("the partial download of the killed create was not removed: %v", left)
	}
	startAndAttach(t, lp, "img-kill")
}

// TestImageDownloadLXCScriptInterop: LXC 5.0.2's own lxc-download shell
// template, pointed at golxc's HTTPS server, makes a container that starts.
func TestImageDownloadLXCScriptInterop(t *testing.T) {
	const script = "/usr/share/lxc/templates/lxc-download"
	if _, err := os.Stat(script); err != nil {
		t.Skipf("%s is absent (Debian's lxc-templates)", script)
	}
	if _, err := exec.LookPath("wget"); err != nil {
		t.Skip("wget is absent")
	}
	s := newImageServer(t)
	lp := lxcpath(t)
	wgetrc := filepath.Join(t.TempDir(), "wgetrc")
	os.WriteFile(wgetrc, []byte("ca_certificate="+s.ca+"\n"), 0o644)
	env := []string{"WGETRC=" + wgetrc, "LXC_CACHE_PATH=" + t.TempDir()}
	r := runPathTimeout(t, 5*time.Minute, env, filepath.Join(binDir, "lxc-create"), "-P", lp, "-n", "img-lxc", "-t", script, "--",
		"-d", "busybox", "-r", "img", "-a", "amd64", "--server", s.https)
	if r.code != 0 || !strings.Contains(r.stdout, "You just created a busybox img amd64") {
		t.Fatalf("LXC's lxc-download against golxc's server: %s", r)
	}
	startAndAttach(t, lp, "img-lxc")
}
