package cmdsock

import (
	"strings"
	"testing"
)

func TestActiveNamesParsing(t *testing.T) {
	procNetUnix := `Num       RefCount Protocol Flags    Type St Inode Path
0000000000000000: 00000002 00000000 00010000 0001 01 54030 @/srv/lxc/web/command
0000000000000000: 00000003 00000000 00000000 0001 03 54031 @/srv/lxc/web/command
0000000000000000: 00000002 00000000 00010000 0001 01   123 @/srv/lxc/db/command
0000000000000000: 00000002 00000000 00010000 0001 01 54032 @/srv/lxc2/other/command
0000000000000000: 00000002 00000000 00010000 0001 01 54033 @/srv/lxcfoo/command
0000000000000000: 00000002 00000000 00010000 0001 01 54034 @/srv/lxc/web/monitor-sock
0000000000000000: 00000002 00000000 00010000 0001 01 54035 /run/systemd/notify
0000000000000000: 00000002 00000000 00010000 0001 01 54036
0000000000000000: 00000002 00000000 00010000 0001 01 54037 @lxc/ed08d8bac78cd8f7/command
0000000000000000: 00000002 00000000 00010000 0001 01 54038 @lxc/0123456789abcdef/command
`
	resolve := func(hash string) (string, string, bool) {
		switch hash {
		case "ed08d8bac78cd8f7":
			return "/srv/lxc", "long-one", true
		case "0123456789abcdef":
			return "/elsewhere", "x", true
		}
		return "", "", false
	}
	names, err := activeNamesFrom(strings.NewReader(procNetUnix), "/srv/lxc", resolve)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names, ","); got != "db,long-one,web" {
		t.Fatalf("got %q", got)
	}
}

func TestActiveNamesLive(t *testing.T) {
	_, lxcpath := serveFake(t, "live1")
	names, err := ActiveNames(lxcpath)
	if err != nil || len(names) != 1 || names[0] != "live1" {
		t.Fatalf("ActiveNames = %v, %v", names, err)
	}
}
