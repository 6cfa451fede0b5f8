package rootfs

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

// LXC 5.0.2's cgroup rules for lxc.mount.auto (cgfsng_mount), as a table.
func TestAutoCgroupMounts(t *testing.T) {
	hybrid := []cgroupHierarchy{{"memory", "cgroup", "memory"}, {"unified", "cgroup2", ""}}
	type want struct {
		mounts   string // "fstype@rel[ro]" joined by spaces
		remount  bool
		errorHas string
	}
	desc := func(ms []cgroupMount) string {
		var out []string
		for _, m := range ms {
			s := m.fstype + "@" + m.rel
			if m.flags&unix.MS_RDONLY != 0 {
				s += "[ro]"
			}
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		name string
		cg   config.CgroupMount
		env  cgroupEnv
		want want
	}{
		{"no cgroup token", config.CgroupMount{}, cgroupEnv{inCgroupNS: true, hier: hybrid}, want{}},
		{"keeps CAP_SYS_ADMIN in a cgroup ns: its init mounts them", config.CgroupMount{Mode: "mixed"},
			cgroupEnv{keepsSysAdmin: true, inCgroupNS: true, hier: hybrid}, want{}},
		{":force mounts them anyway", config.CgroupMount{Mode: "mixed", Force: true},
			cgroupEnv{keepsSysAdmin: true, inCgroupNS: true, hier: hybrid},
			want{mounts: "tmpfs@sys/fs/cgroup cgroup@sys/fs/cgroup/memory cgroup2@sys/fs/cgroup/unified", remount: true}},
		{"CAP_SYS_ADMIN dropped: mounted", config.CgroupMount{Mode: "ro"},
			cgroupEnv{inCgroupNS: true, hier: hybrid},
			want{mounts: "tmpfs@sys/fs/cgroup cgroup@sys/fs/cgroup/memory[ro] cgroup2@sys/fs/cgroup/unified[ro]", remount: true}},
		{"no cgroup ns: mixed is read-only", config.CgroupMount{Mode: "mixed"},
			cgroupEnv{keepsSysAdmin: true, hier: hybrid},
			want{mounts: "tmpfs@sys/fs/cgroup cgroup@sys/fs/cgroup/memory[ro] cgroup2@sys/fs/cgroup/unified[ro]", remount: true}},
		{"rw without cgroup ns stays rw (asked for)", config.CgroupMount{Mode: "rw"},
			cgroupEnv{hier: hybrid},
			want{mounts: "tmpfs@sys/fs/cgroup cgroup@sys/fs/cgroup/memory cgroup2@sys/fs/cgroup/unified"}},
		{"cgroup2-only host: one cgroup2 even with CAP_SYS_ADMIN", config.CgroupMount{Mode: "mixed"},
			cgroupEnv{keepsSysAdmin: true, inCgroupNS: true, pureUnified: true},
			want{mounts: "cgroup2@sys/fs/cgroup"}},
		{"cgroup2:ro", config.CgroupMount{Mode: "ro", V2: true},
			cgroupEnv{inCgroupNS: true, hier: hybrid}, want{mounts: "cgroup2@sys/fs/cgroup[ro]"}},
		{"cgroup2 without a cgroup ns: refused", config.CgroupMount{Mode: "rw", V2: true},
			cgroupEnv{hier: hybrid}, want{errorHas: "without a cgroup namespace"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ms, ro, err := autoCgroupMounts(c.cg, c.env)
			if c.want.errorHas != "" {
				if err == nil || !strings.Contains(err.Error(), c.want.errorHas) {
					t.Fatalf("error %v, want one with %q", err, c.want.errorHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := desc(ms); got != c.want.mounts || ro != c.want.remount {
				t.Errorf("mounts %q remount %v, want %q %v", got, ro, c.want.mounts, c.want.remount)
			}
		})
	}
}
