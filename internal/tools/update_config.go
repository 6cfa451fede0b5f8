package tools

import (
	"fmt"
	"io"
	"os"

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
	if err := os.WriteFile(file+".backup", old, mode); err != nil {
		fmt.Fprintf(stderr, "lxc-update-config: write backup: %v\n", err)
		return 1
	}
	tmp := file + ".golxc-tmp"
	if err := os.WriteFile(tmp, config.UpdateLegacy(old), mode); err != nil {
		fmt.Fprintf(stderr, "lxc-update-config: %v\n", err)
		return 1
	}
	if err := os.Rename(tmp, file); err != nil {
		os.Remove(tmp)
		fmt.Fprintf(stderr, "lxc-update-config: %v\n", err)
		return 1
	}
	return 0
}
