package network

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/hooks"
)

// TestScripts: script.up/down get LXC's arguments (version 0: NAME net
// up|down TYPE LINK PEER; version 1: TYPE LINK PEER plus LXC_NET_* in
// the environment) and the usual LXC_* environment.
func TestScripts(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "s")
	os.WriteFile(script, []byte("#!/bin/sh\necho \"$* | $LXC_NAME $LXC_CONFIG_FILE $LXC_HOOK_TYPE $LXC_HOOK_SECTION $LXC_NET_TYPE $LXC_NET_PARENT $LXC_NET_PEER\" >> "+dir+"/log\n"), 0o755)
	for _, v := range []int{0, 1} {
		os.Remove(dir + "/log")
		br := testBridge(t, "")
		s := spec(t, "lxc.net.0.type = veth", "lxc.net.0.link = "+br,
			"lxc.net.0.script.up = "+script, "lxc.net.0.script.down = "+script, "lxc.net.1.type = empty",
			"lxc.net.1.script.up = "+script)
		n, err := New(Params{Name: "gxs", LXCPath: "/tmp/gxtest", Spec: s,
			Hook: hooks.Context{Name: "gxs", ConfigFile: "/tmp/gxtest/gxs/config", Version: v}})
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Setup(nsProcess(t)); err != nil {
			n.Teardown()
			t.Fatal(err)
		}
		veth, _ := n.ConfigItem("lxc.net.0.veth.pair")
		if err := n.Teardown(); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(dir + "/log")
		var want []string
		if v == 0 {
			want = []string{
				"gxs net up veth " + br + " " + veth + " | gxs /tmp/gxtest/gxs/config",
				"gxs net up empty | gxs /tmp/gxtest/gxs/config",
				"gxs net down veth " + br + " " + veth + " | gxs /tmp/gxtest/gxs/config",
			}
		} else {
			want = []string{
				"veth " + br + " " + veth + " | gxs /tmp/gxtest/gxs/config up net veth " + br + " " + veth,
				"empty | gxs /tmp/gxtest/gxs/config up net empty",
				"veth " + br + " " + veth + " | gxs /tmp/gxtest/gxs/config down net veth " + br + " " + veth,
			}
		}
		got := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		for i := range got {
			got[i] = strings.TrimRight(got[i], " ")
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("version %d:\ngot\n%s\nwant\n%s", v, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
