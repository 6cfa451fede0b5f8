package image

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// partialPrefix names the directories a download is assembled in, next
// to the cache entries, so that installing one is a rename.
const partialPrefix = ".golxc-partial-"

// entryDir is BASE/download/DIST/RELEASE/ARCH/VARIANT.
func entryDir(base string, f Filter) (string, error) {
	if err := validParts(f); err != nil {
		return "", err
	}
	return filepath.Join(base, "download", f.Dist, f.Release, f.Arch, f.Variant), nil
}

// validParts: dist, release, arch and variant become path names.
func validParts(f Filter) error {
	for _, v := range []string{f.Dist, f.Release, f.Arch, f.Variant} {
		if v == "" || v == "." || v == ".." || strings.ContainsAny(v, "/;\x00\n") {
			return fmt.Errorf("invalid image name part %q (dist, release, arch and variant are single path names)", v)
		}
	}
	return nil
}

// expired reports whether the entry's expiry (seconds since the epoch)
// has passed; an entry without a readable expiry never expires, as in LXC.
func expired(entry, mode string, now time.Time) bool {
	data, err := os.ReadFile(relevant(entry, "expiry", mode))
	if err != nil {
		return false
	}
	t, err := parseExpiry(string(data))
	return err == nil && !t.IsZero() && t.Unix() < now.Unix()
}

// lockFile takes an exclusive flock on p (created), held until release.
func lockFile(p string) (release func(), err error) {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	fd, err := unix.Open(p, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return func() { unix.Close(fd) }, nil
}

// partialDir is where one download is assembled; it holds a lock file
// while its process lives, so a later run knows a leftover (kill -9) from
// a download in progress.
type partialDir struct {
	Path   string
	lockfd int
}

func newPartial(downloadDir string) (*partialDir, error) {
	if err := os.MkdirAll(downloadDir, 0o755); err != nil {
		return nil, err
	}
	removeStalePartials(downloadDir)
	p, err := os.MkdirTemp(downloadDir, partialPrefix)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Open(filepath.Join(p, ".lock"), unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err == nil {
		err = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
	}
	if err != nil {
		os.RemoveAll(p)
		return nil, err
	}
	return &partialDir{Path: p, lockfd: fd}, nil
}

// Remove deletes the directory (whatever it still holds).
func (d *partialDir) Remove() {
	os.RemoveAll(d.Path)
	unix.Close(d.lockfd)
}

// removeStalePartials removes assembly directories nobody holds.
func removeStalePartials(downloadDir string) {
	matches, _ := filepath.Glob(filepath.Join(downloadDir, partialPrefix+"*"))
	for _, m := range matches {
		fd, err := unix.Open(filepath.Join(m, ".lock"), unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			// Died before taking its lock (or a moved-aside old entry);
			// a minute's grace for one being made right now.
			if st, serr := os.Stat(m); errors.Is(err, unix.ENOENT) && serr == nil && time.Since(st.ModTime()) > time.Minute {
				os.RemoveAll(m)
			}
			continue
		}
		if unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) == nil {
			os.RemoveAll(m)
		}
		unix.Close(fd)
	}
}

// install replaces the cache entry with the assembled directory: the old
// entry is moved aside first, so a crash leaves either the old entry, the
// new one or none, never a mix.
func install(d *partialDir, entry string) error {
	os.Remove(filepath.Join(d.Path, ".lock"))
	if err := os.MkdirAll(filepath.Dir(entry), 0o755); err != nil {
		return err
	}
	downloadDir := filepath.Dir(d.Path)
	if exists(entry) {
		old, err := os.MkdirTemp(downloadDir, partialPrefix)
		if err != nil {
			return err
		}
		if err := os.Rename(entry, filepath.Join(old, "old")); err != nil {
			os.RemoveAll(old)
			return err
		}
		defer os.RemoveAll(old)
	}
	return os.Rename(d.Path, entry)
}
