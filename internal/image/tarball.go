package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/ulikunitz/xz"
	"golang.org/x/sys/unix"
)

// WriteRootfsTarball archives the tree at root into dst (tar.xz, members
// "./path"), keeping numeric owners, modes, devices, hard links,
// symlinks and extended attributes. overrides replaces the content of
// regular files (by path relative to root) in the archive only.
func WriteRootfsTarball(root, dst string, overrides map[string]string) error {
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	bw := bufio.NewWriterSize(out, 1<<20)
	zw, err := xz.NewWriter(bw)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	seen := map[[2]uint64]string{} // dev, inode -> first member name
	err = filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		name := "./" + filepath.ToSlash(rel)
		if rel == "." {
			name = "./"
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		link := ""
		if fi.Mode()&os.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		h, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		h.Name, h.Uname, h.Gname, h.Format = name, "", "", tar.FormatPAX
		if fi.IsDir() && name != "./" {
			h.Name += "/"
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().IsRegular() && st.Nlink > 1 {
			key := [2]uint64{st.Dev, st.Ino}
			if first, ok := seen[key]; ok {
				h.Typeflag, h.Linkname, h.Size = tar.TypeLink, first, 0
			} else {
				seen[key] = name
			}
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			addXattrs(p, h)
		}
		content, override := overrides[filepath.ToSlash(rel)]
		if override && h.Typeflag == tar.TypeReg {
			h.Size = int64(len(content))
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			_, err := io.WriteString(tw, content)
			return err
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if h.Typeflag == tar.TypeReg {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range []io.Closer{tw, zw} {
		if err := c.Close(); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return out.Sync()
}

func addXattrs(p string, h *tar.Header) {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(p, buf)
	if err != nil || n <= 0 {
		return
	}
	for _, name := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		val := make([]byte, 65536)
		m, err := unix.Lgetxattr(p, name, val)
		if err != nil {
			continue
		}
		if h.PAXRecords == nil {
			h.PAXRecords = map[string]string{}
		}
		h.PAXRecords["SCHILY.xattr."+name] = string(val[:m])
	}
}

// WriteFilesTarball writes a tar.xz of regular files (name -> content),
// as a meta tarball.
func WriteFilesTarball(dst string, files map[string]string) error {
	var raw bytes.Buffer
	zw, err := xz.NewWriter(&raw)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		h := &tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), ModTime: time.Now(), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := io.WriteString(tw, files[n]); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(dst, raw.Bytes(), 0o644)
}

// plainRootfs is golxc's uncompressed copy of rootfs.tar.xz in a cache
// entry (LXC's script ignores it).
const plainRootfs = "rootfs.tar"

// decompress writes the xz file src uncompressed to dst (synced).
func decompress(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := xz.NewReader(bufio.NewReaderSize(in, 1<<20))
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err = io.Copy(out, zr); err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
