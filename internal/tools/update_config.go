package tools

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/golxc/golxc/internal/config"
)

func init() { register("lxc-update-config", runUpdateConfig) }

// runUpdateConfig converts LXC 1.x/2.x keys of a config file in place,
// keeping FILE.backup, like LXC's script (and it also converts lxc.limit.*).
func runUpdateConfig(argv []string, _ io.Reader, stdout, stderr io.Writer) int {
	usage := func() int {
		fmt.Fprintf(stdout, "%s -h|--help [-c|--config]\nconfig: the container configuration to update\n", argv[0])
		return 0
	}
	var file string
	args := argv[1:]
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-h", "--help":
			return usage()
		case "-c", "--config":
			if i+1 >= len(args) {
				fmt.Fprintln(stderr, "lxc-update-config: -c needs the path of a container config file")
				return 1
			}
			file = args[i+1]
			i++
		default:
			fmt.Fprintf(stderr, "lxc-update-config: unknown argument %q; usage: lxc-update-config -c FILE\n", args[i])
			return 1
		}
	}
	if file == "" {
		return usage()
	}
	old, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "lxc-update-config: %v\n", err)
		return 1
	}
	st, _ := os.Stat(file)
	mode := os.FileMode(0o640)
	if st != nil {
		mode = st.Mode().Perm()
	}
	// Both files go through a temporary file and a rename: a full disk
	// leaves the config and any earlier backup as they were, and no
	// temporary file behind.
	if err := replaceFile(file+".backup", old, mode, st); err != nil {
		fmt.Fprintf(stderr, "lxc-update-config: write backup: %v; %s is unchanged\n", err, file)
		return 1
	}
	if err := replaceFile(file, config.UpdateLegacy(old), mode, st); err != nil {
		fmt.Fprintf(stderr, "lxc-update-config: %v; %s is unchanged\n", err, file)
		return 1
	}
	return 0
}

// replaceFile writes data to path through a temporary file in the same
// directory, synced and renamed over path, with the mode (and, as root, the
// owner) of like; the temporary file is removed on any failure.
func replaceFile(path string, data []byte, mode os.FileMode, like os.FileInfo) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".golxc-tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if st, ok := statOf(like); ok && err == nil && os.Geteuid() == 0 {
		err = f.Chown(int(st.Uid), int(st.Gid))
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, unwrapPath(err))
	}
	return nil
}

func statOf(fi os.FileInfo) (*syscall.Stat_t, bool) {
	if fi == nil {
		return nil, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return st, ok
}

// unwrapPath drops Go's "write /tmp/x:" prefix: the message names the file.
func unwrapPath(err error) error {
	var pe *os.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}
