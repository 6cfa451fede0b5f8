package templates

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// busyboxOpts are the options lxc-busybox accepts (getopt -o hp:n: -l
// help,rootfs:,path:,name:,mapped-uid:,mapped-gid:,busybox-path:). Values
// in ExtraArgs override the ones lxc-create passed, as getopt's last
// occurrence wins in the script.
type busyboxOpts struct {
	help    bool
	busybox string
}

var busyboxLongOpts = []string{"help", "rootfs", "path", "name", "mapped-uid", "mapped-gid", "busybox-path"}

func parseBusyboxArgs(a *Args, extra []string) (busyboxOpts, error) {
	var o busyboxOpts
	set := func(opt, val string) error {
		switch opt {
		case "rootfs":
			a.Rootfs = val
		case "path":
			a.Path = val
		case "name":
			a.Name = val
		case "busybox-path":
			o.busybox = val
		case "mapped-uid", "mapped-gid":
			n, err := strconv.Atoi(val)
			if err != nil {
				return fmt.Errorf("busybox template: --%s %q is not a number", opt, val)
			}
			if opt == "mapped-uid" {
				a.MappedUID = n
			} else {
				a.MappedGID = n
			}
		}
		return nil
	}
	for i := 0; i < len(extra); i++ {
		arg := extra[i]
		var opt, val string
		hasVal := false
		switch {
		case arg == "--":
			return o, nil
		case strings.HasPrefix(arg, "--"):
			name, v, eq := strings.Cut(arg[2:], "=")
			full, err := matchLongOpt(name)
			if err != nil {
				return o, err
			}
			opt, val, hasVal = full, v, eq
		case len(arg) >= 2 && arg[0] == '-':
			switch arg[1] {
			case 'h':
				opt = "help"
			case 'p':
				opt = "path"
			case 'n':
				opt = "name"
			default:
				return o, fmt.Errorf("busybox template: invalid option -- '%c'", arg[1])
			}
			if len(arg) > 2 {
				val, hasVal = arg[2:], true
			}
		default:
			continue // operands are ignored by lxc-busybox
		}
		if opt == "help" {
			o.help = true
			continue
		}
		if !hasVal {
			if i+1 >= len(extra) {
				return o, fmt.Errorf("busybox template: option --%s requires an argument", opt)
			}
			i++
			val = extra[i]
		}
		if err := set(opt, val); err != nil {
			return o, err
		}
	}
	return o, nil
}

// matchLongOpt accepts unambiguous abbreviations like getopt_long.
func matchLongOpt(name string) (string, error) {
	var hits []string
	for _, l := range busyboxLongOpts {
		if l == name {
			return l, nil
		}
		if strings.HasPrefix(l, name) && name != "" {
			hits = append(hits, l)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return "", fmt.Errorf("busybox template: unrecognized option '--%s'", name)
	}
	return "", fmt.Errorf("busybox template: option '--%s' is ambiguous (%s)", name, strings.Join(hits, ", "))
}

func busyboxUsage(w io.Writer) {
	fmt.Fprint(w, `golxc built-in busybox template

Builds a minimal container from the host's static busybox binary.

Options:
  -h, --help               show this help and exit
  -n, --name NAME          container name (passed by lxc-create)
  -p, --path PATH          container directory (passed by lxc-create)
      --rootfs DIR         rootfs directory (default: lxc.rootfs.path or PATH/rootfs)
      --mapped-uid UID     caller's uid inside the container (idmapped containers)
      --mapped-gid GID     caller's gid inside the container (idmapped containers)
      --busybox-path FILE  busybox binary to copy (default: a static busybox from PATH,
                           /bin/busybox or /usr/bin/busybox)
`)
}
