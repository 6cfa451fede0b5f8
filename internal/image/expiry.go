package image

import (
	"archive/tar"
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ulikunitz/xz"
)

// buildExpiry is when the build in dir expires (the zero time: never):
// golxc's side file "expiry" when there is one, else the expiry in
// meta.tar.xz, as in trees made by LXC's tools, which have no side file.
func buildExpiry(dir string) (time.Time, error) {
	if data, err := os.ReadFile(filepath.Join(dir, "expiry")); err == nil {
		return parseExpiry(string(data))
	}
	return metaExpiry(filepath.Join(dir, MetaFile))
}

// parseExpiry reads seconds since the epoch; an empty file never expires.
func parseExpiry(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("expiry %q is not seconds since the epoch", s)
	}
	return time.Unix(n, 0), nil
}

// metaExpiry reads the "expiry" member of a meta tarball.
func metaExpiry(meta string) (time.Time, error) {
	f, err := os.Open(meta)
	if err != nil {
		return time.Time{}, err
	}
	defer f.Close()
	zr, err := xz.NewReader(bufio.NewReader(f))
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: not an xz file: %v", meta, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return time.Time{}, nil
		}
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: %v", meta, err)
		}
		if path.Clean("/"+h.Name) == "/expiry" && h.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(io.LimitReader(tr, 64))
			if err != nil {
				return time.Time{}, fmt.Errorf("%s: %v", meta, err)
			}
			t, err := parseExpiry(string(data))
			if err != nil {
				return time.Time{}, fmt.Errorf("%s: %v", meta, err)
			}
			return t, nil
		}
	}
}

// expiryCache remembers each build's expiry while its meta tarball is
// unchanged, so a server decodes a meta tarball once, not at every
// index request.
type expiryCache struct {
	mu sync.Mutex
	m  map[string]cachedExpiry
}

type cachedExpiry struct {
	stamp string // the meta tarball's and side file's size and mtime
	at    time.Time
	err   error
}

func fileStamp(p string) string {
	st, err := os.Stat(p)
	if err != nil {
		return "-"
	}
	return fmt.Sprintf("%d@%d", st.Size(), st.ModTime().UnixNano())
}

func (c *expiryCache) expiry(dir string) (time.Time, error) {
	stamp := fileStamp(filepath.Join(dir, "expiry")) + "/" + fileStamp(filepath.Join(dir, MetaFile))
	c.mu.Lock()
	if e, ok := c.m[dir]; ok && e.stamp == stamp {
		c.mu.Unlock()
		return e.at, e.err
	}
	c.mu.Unlock()
	at, err := buildExpiry(dir)
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]cachedExpiry{}
	}
	c.m[dir] = cachedExpiry{stamp, at, err}
	c.mu.Unlock()
	return at, err
}
