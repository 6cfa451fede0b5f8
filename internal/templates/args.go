package templates

import (
	"path/filepath"
	"strconv"
)

// Args is what lxc-create hands a template.
type Args struct {
	Path       string   // LXCPATH/NAME
	Name       string   // container name
	Rootfs     string   // plain rootfs directory (no "dir:" prefix)
	ExtraArgs  []string // user arguments after "--", verbatim
	MappedUID  int      // container uid of the caller when idmapped, else -1
	MappedGID  int      // container gid of the caller when idmapped, else -1
	ConfigFile string   // config to append to; "" means Path/config
}

func (a Args) configFile() string {
	if a.ConfigFile != "" {
		return a.ConfigFile
	}
	return filepath.Join(a.Path, "config")
}

// Argv is the exact argv LXC execs a template with: argv[0] is the
// template's basename, then --path --name --rootfs, the user arguments
// verbatim and, for idmapped containers, --mapped-uid/--mapped-gid last.
// Callers wrapping the template in lxc-usernsexec append this after "--"
// (with argv[0] replaced by the full path).
func Argv(templatePath string, a Args) []string {
	argv := []string{
		filepath.Base(templatePath),
		"--path=" + a.Path,
		"--name=" + a.Name,
		"--rootfs=" + a.Rootfs,
	}
	argv = append(argv, a.ExtraArgs...)
	if a.MappedUID >= 0 {
		argv = append(argv, "--mapped-uid", strconv.Itoa(a.MappedUID))
	}
	if a.MappedGID >= 0 {
		argv = append(argv, "--mapped-gid", strconv.Itoa(a.MappedGID))
	}
	return argv
}
