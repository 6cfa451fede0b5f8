package image

import (
	"archive/tar"
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/ulikunitz/xz"
)

// member is one entry of a hand-made test tarball.
type member struct {
	h    tar.Header
	body string
}

func writeTarXZ(t *testing.T, dst string, ms []member) {
	t.Helper()
	var raw bytes.Buffer
	zw, err := xz.NewWriter(&raw)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(zw)
	for _, m := range ms {
		h := m.h
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(m.body))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if m.body != "" {
			tw.Write([]byte(m.body))
		}
	}
	tw.Close()
	zw.Close()
	if err := os.WriteFile(dst, raw.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testServer is an image directory with one signed image, served over
// HTTP by the package's Server.
type testServer struct {
	dir, keyring string
	signer       *Signer
	http         *httptest.Server
	build        string
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	dir := t.TempDir()
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	for _, d := range []string{"etc", "bin"} {
		os.MkdirAll(filepath.Join(rootfs, d), 0o755)
	}
	os.WriteFile(filepath.Join(rootfs, "etc/hostname"), []byte("LXC_NAME\n"), 0o644)
	os.WriteFile(filepath.Join(rootfs, "bin/hello"), []byte("#!/bin/sh\necho hi\n"), 0o755)
	os.Symlink("hello", filepath.Join(rootfs, "bin/hi"))
	built, err := Build(dir, BuildOptions{Dist: "testos", Release: "1", Arch: "amd64", Build: "b1",
		Source: "rootfs:" + rootfs, Message: "Welcome to testos.\n"})
	if err != nil {
		t.Fatal(err)
	}
	s, created, err := LoadOrCreateSigner(filepath.Join(t.TempDir(), "secret.asc"), "test")
	if err != nil || !created {
		t.Fatalf("signer: %v %v", created, err)
	}
	if _, err := SignTree(dir, s, false); err != nil {
		t.Fatal(err)
	}
	keyring := filepath.Join(t.TempDir(), "pub.asc")
	f, _ := os.Create(keyring)
	s.ExportPublic(f)
	f.Close()
	ts := &testServer{dir: dir, keyring: keyring, signer: s, build: built}
	ts.http = httptest.NewServer(&Server{Dir: dir})
	t.Cleanup(ts.http.Close)
	return ts
}

// container is a fresh target for the template: LXCPATH/NAME/{config,rootfs}.
type container struct{ name, path, rootfs string }

func newContainer(t *testing.T, name string) container {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	rootfs := filepath.Join(path, "rootfs")
	os.MkdirAll(rootfs, 0o755)
	os.WriteFile(filepath.Join(path, "config"), []byte("lxc.net.0.type = empty\nlxc.rootfs.path = dir:"+rootfs+"\n"), 0o644)
	return container{name, path, rootfs}
}

func (c container) args(extra ...string) []string {
	return append([]string{"--name", c.name, "--path", c.path, "--rootfs", c.rootfs}, extra...)
}

// download runs the template and returns its status, stdout and stderr.
func download(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := RunDownload(args, IO{Stdin: bytes.NewReader(nil), Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

func isEmptyDir(t *testing.T, p string) bool {
	t.Helper()
	ents, err := os.ReadDir(p)
	return err == nil && len(ents) == 0
}
