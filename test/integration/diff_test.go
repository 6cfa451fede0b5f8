package integration

import (
	"strings"
	"testing"
)

// The same commands through LXC 5.0.2 and golxc, on the same lxcpath:
// stdout, stderr and exit codes must match. Skipped when LXC is absent.
func TestDifferentialAgainstLXC(t *testing.T) {
	lp := threeContainers(t)
	cases := [][]string{
		{"lxc-ls", "-P", lp},
		{"lxc-ls", "-1", "-P", lp},
		{"lxc-ls", "-f", "-P", lp},
		{"lxc-ls", "-f", "-F", "NAME,STATE,PID,RAM,SWAP,AUTOSTART,GROUPS,INTERFACE,IPV4,IPV6,UNPRIVILEGED", "-P", lp},
		{"lxc-ls", "-f", "-F", "NAME,NOPE", "-P", lp},
		{"lxc-ls", "-1", "--stopped", "-P", lp},
		{"lxc-ls", "-1", "--running", "-P", lp},
		{"lxc-ls", "-1", "-g", "web", "-P", lp},
		{"lxc-ls", "-1", "-P", lp, "^d"},
		{"lxc-ls", "-P", "/nonexistent/golxc-diff"},
		{"lxc-info", "-P", lp, "-n", "a"},
		{"lxc-info", "-P", lp, "-n", "a", "-s", "-H"},
		{"lxc-info", "-P", lp, "-n", "a", "-s", "-p"},
		{"lxc-info", "-P", lp, "-n", "a", "-c", "lxc.rootfs.path", "-H"},
		{"lxc-info", "-P", lp, "-n", "a", "-c", "lxc.rootfs.path", "-c", "lxc.uts.name"},
		{"lxc-info", "-P", lp, "-n", "db", "-c", "lxc.idmap"},
		{"lxc-info", "-P", lp, "-n", "web-01", "-c", "lxc.group"},
		{"lxc-info", "-P", lp, "-n", "a", "-c", "lxc.arch"},
		{"lxc-info", "-P", lp, "-n", "nosuch"},
		{"lxc-info", "-P", lp},
		{"lxc-info", "--version"},
		{"lxc-ls", "--version"},
		{"lxc-config", "-l"},
		{"lxc-config", "lxc.lxcpath"},
		{"lxc-config", "lxc.bdev"},
		{"lxc-config", "lxc.cgroup.use"},
		{"lxc-config", "lxc.bogus"},
		{"lxc-config"},
		{"lxc-info", "--usage"},
		{"lxc-ls", "--usage"},
		{"lxc-create", "--usage"},
		{"lxc-destroy", "--usage"},
		{"lxc-start", "--usage"},
		{"lxc-stop", "--usage"},
		{"lxc-wait", "--usage"},
		{"lxc-execute", "--usage"},
	}
	for _, c := range cases {
		ref := normalise(runPath(t, nil, lxcTool(t, c[0]), c[1:]...), "/usr/bin/")
		got := normalise(run(t, nil, c[0], c[1:]...), binDir+"/")
		if ref != got {
			t.Errorf("%s\nLXC:\n%s\ngolxc:\n%s", strings.Join(c, " "), ref, got)
		}
	}
}

// normalise drops the directory of argv[0] where a tool echoes it.
func normalise(r result, dir string) result {
	r.stdout = strings.ReplaceAll(r.stdout, dir, "")
	r.stderr = strings.ReplaceAll(r.stderr, dir, "")
	return r
}
