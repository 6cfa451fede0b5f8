package monitor

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/spawn"
)

// hibernatingMonitor is a RUNNING monitor as data (no process, no cgroup
// is touched): a fake hybrid layout and an init that is never waited for.
func hibernatingMonitor(t *testing.T, configText string) (*monitor, *instance) {
	t.Helper()
	cfg := config.New()
	if err := cfg.LoadBytes("/lp/c1/config", []byte(configText)); err != nil {
		t.Fatal(err)
	}
	spec, err := cfg.Spec()
	if err != nil {
		t.Fatal(err)
	}
	layout, err := cgroup.DetectFrom(cgroup.Sources{
		Mountinfo: "30 25 0:26 / /nonexistent/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n" +
			"31 25 0:27 / /nonexistent/cgroup/unified rw - cgroup2 cgroup2 rw\n",
		SelfCgroup: "4:memory:/\n0::/\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	snap := cgroup.Snapshot{Options: cgroup.Options{Name: "c1"},
		Base:    map[string]string{"/nonexistent/cgroup/memory": "/", "/nonexistent/cgroup/unified": "/"},
		Monitor: "lxc.monitor.c1", Limit: "lxc.payload.c1", Payload: "lxc.payload.c1"}
	cg, err := cgroup.Restore(layout, snap)
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{flags: unix.CLONE_NEWPID | unix.CLONE_NEWNS, pid: 4242, kill: newKiller(),
		cg: &cgroups{layout: layout, cg: cg}}
	in.proc = &initProcess{p: spawn.Adopt(4242, -1), pid: 4242, done: make(chan struct{})}
	m := &monitor{o: Options{Name: "c1", LXCPath: "/lp", Daemonize: true}, cfg: cfg, spec: spec,
		state: cmdsock.RUNNING, run: in}
	return m, in
}

// The C loop must give exactly the answers the Go monitor gives.
func TestHibernateTableAnswersAsTheMonitor(t *testing.T) {
	m, in := hibernatingMonitor(t, "lxc.uts.name = c1\nlxc.net.0.type = empty\nlxc.rootfs.path = dir:/srv/c1\n")
	dirs := []cgroupDirFD{{Controller: "memory", FD: 70}, {Controller: "memory", Limit: true, FD: 71}}
	tab := &nsexec.HibernateTable{ConsoleFD: -1, Entries: m.hibernateTable(in, dirs)}
	b, err := tab.Encode()
	if err != nil {
		t.Fatal(err)
	}
	queries := []*cmdsock.Request{
		{Cmd: cmdsock.GetState}, {Cmd: cmdsock.GetInitPID}, {Cmd: cmdsock.GetCloneFlags},
		{Cmd: cmdsock.GetConfigItem, Data: []byte("lxc.uts.name\x00")},
		{Cmd: cmdsock.GetConfigItem, Data: []byte("lxc.rootfs.path\x00")},
		{Cmd: cmdsock.GetConfigItem, Data: []byte("lxc.idmap\x00")},
		{Cmd: cmdsock.GetConfigItem, Data: []byte("lxc.net.0.type\x00")},
		{Cmd: cmdsock.GetConfigItem, Data: []byte("lxc.net.1.type\x00")},
		{Cmd: cmdsock.GetCgroup, Data: []byte("memory\x00")},
		{Cmd: cmdsock.GetLimitCgroup},
	}
	for _, q := range queries {
		want := m.Serve(q)
		for _, batched := range []bool{false, true} {
			e, ok, err := nsexec.Lookup(b, int32(q.Cmd), 0, q.Data, batched)
			if err != nil || !ok {
				t.Fatalf("%s %q (batched %v): not in the table (%v)", q.Cmd, q.Data, batched, err)
			}
			if e.Ret != want.Ret || e.RespVal != want.Value || !bytes.Equal(e.RespData, want.Data) || e.FD != -1 {
				t.Fatalf("%s %q: table answers %d/%d/%q, the monitor %d/%d/%q", q.Cmd, q.Data,
					e.Ret, e.RespVal, e.RespData, want.Ret, want.Value, want.Data)
			}
		}
	}
	if e, ok, _ := nsexec.Lookup(b, int32(cmdsock.GetConfigItem), 0, []byte("lxc.uts.name\x00"), false); !ok || string(e.RespData) != "c1\x00" {
		t.Fatalf("lxc.uts.name answered %q", e.RespData)
	}
	// Names come from the server, not the handler.
	if e, ok, _ := nsexec.Lookup(b, int32(cmdsock.GetName), 0, nil, true); !ok || string(e.RespData) != "c1\x00" {
		t.Fatalf("GET_NAME answered %q %v", e.RespData, ok)
	}
	// LXC's cgroup_get (lxc-info's statistics): the directory the loop
	// holds, with struct cgroup_fd as the monitor fills it.
	lxcReq, _ := cmdsock.CgroupFD{FD: -9, Controller: "memory"}.Encode()
	e, ok, _ := nsexec.Lookup(b, int32(cmdsock.GetLimitCgroupFD), 0, lxcReq, false)
	if !ok || e.FD != 71 || e.Ret != 0 {
		t.Fatalf("GET_LIMIT_CGROUP_FD memory: %+v %v", e, ok)
	}
	if a, err := cmdsock.DecodeCgroupFD(e.RespData); err != nil || a.Controller != "memory" || a.Layout != 1 || a.Type != cmdsock.CgroupSuperMagic {
		t.Fatalf("GET_LIMIT_CGROUP_FD memory answers %+v (%v)", a, err)
	}
	if _, ok, _ := nsexec.Lookup(b, int32(cmdsock.GetLimitCgroupFD), 0, lxcReq, true); ok {
		t.Fatal("a descriptor reply may not be batched")
	}
	// cgroup2 on a hybrid host: refused as the monitor refuses it.
	uniReq, _ := cmdsock.CgroupFD{FD: -9, Controller: "unified"}.Encode()
	want := m.cgroupFD(&cmdsock.Request{Data: uniReq}, in, true)
	if e, ok, _ := nsexec.Lookup(b, int32(cmdsock.GetLimitCgroupFD), 0, uniReq, false); !ok || e.Ret != want.Ret || e.FD != -1 || want.Ret >= 0 {
		t.Fatalf("GET_LIMIT_CGROUP_FD unified: table %+v %v, monitor %+v", e, ok, want)
	}
	// lxc-wait -s RUNNING is answered at once; other state sets wake Go.
	var running, stopped cmdsock.StateSet
	running[cmdsock.RUNNING], stopped[cmdsock.STOPPED] = 1, 1
	if e, ok, _ := nsexec.Lookup(b, int32(cmdsock.AddStateClient), 0, cmdsock.EncodeStateSet(running), false); !ok || e.Ret != int32(cmdsock.RUNNING) {
		t.Fatalf("ADD_STATE_CLIENT RUNNING: %+v %v", e, ok)
	}
	for _, q := range []struct {
		cmd  cmdsock.Cmd
		data []byte
	}{
		{cmdsock.AddStateClient, cmdsock.EncodeStateSet(stopped)},
		{cmdsock.Stop, nil}, {cmdsock.Freeze, nil}, {cmdsock.GetTTYFD, nil},
		{cmdsock.ServeStateClients, nil}, {cmdsock.GetConfigItem, []byte("lxc.no.such.key\x00")},
	} {
		if _, ok, _ := nsexec.Lookup(b, int32(q.cmd), 0, q.data, false); ok {
			t.Fatalf("%s %q must wake the Go monitor", q.cmd, q.data)
		}
	}
}

func TestHibernateStateRoundTrip(t *testing.T) {
	text := "lxc.uts.name = c1\nlxc.rootfs.path = dir:/srv/c1\n"
	m, _ := hibernatingMonitor(t, text)
	st := &hibernateState{Options: m.o, ConfigName: "/lp/c1/config", Config: m.cfg.Text(), Comm: "lxc-start",
		Flags: unix.CLONE_NEWPID, Pid: 4242, PidFD: 20, CgroupFD: 12, ListenFD: 30,
		Console: &hibernateConsole{Master: 15, SlavePath: "/dev/pts/3", Log: 16, RingSize: 64, Ring: []byte("boot\r\n")},
		TTYs:    []hibernateTTY{{Master: 40, Held: 41}}, NS: map[string]int{"net": 22}, GuardFDs: []int{50}, LogFD: 60, LogLevel: 2, LogPrefix: "lxc-start",
		CgroupDirs: []cgroupDirFD{{Controller: "memory", Limit: true, FD: 70}}}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var got hibernateState
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, st) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, *st)
	}
	fds := got.fds()
	slices.Sort(fds)
	if want := []int{12, 15, 16, 20, 22, 30, 40, 41, 50, 60, 70}; !slices.Equal(fds, want) {
		t.Fatalf("fds kept across the exec: %v, want %v", fds, want)
	}
	cfg, _, err := loadHibernatedConfig(&got)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := cfg.Get("lxc.uts.name"); v != "c1" {
		t.Fatalf("restored config: lxc.uts.name = %q", v)
	}
}

func TestCanHibernate(t *testing.T) {
	m, _ := hibernatingMonitor(t, "lxc.net.0.type = empty\n")
	if err := m.canHibernate(); err != nil {
		t.Fatalf("empty network: %v", err)
	}
	veth, _ := hibernatingMonitor(t, "lxc.net.0.type = veth\nlxc.net.0.link = br0\n")
	if err := veth.canHibernate(); err != nil {
		t.Fatalf("veth network: %v", err)
	}
	phys, _ := hibernatingMonitor(t, "lxc.net.0.type = phys\nlxc.net.0.link = dummy0\n")
	if phys.canHibernate() == nil {
		t.Fatal("a phys device's way back cannot be handed over yet")
	}
	fg, _ := hibernatingMonitor(t, "")
	fg.o.Daemonize = false
	if fg.canHibernate() == nil {
		t.Fatal("a foreground monitor must not hibernate")
	}
	t.Setenv(envNoHibernate, "0")
	if m.canHibernate() == nil {
		t.Fatal(envNoHibernate + "=0 must keep the Go monitor")
	}
}

// A user's veth (lxc-user-nic) keeps the Go monitor, as phys does; a
// user's empty network and root's veth do not.
func TestNetBlocksHibernation(t *testing.T) {
	veth := []config.NetDev{{Index: 0, Type: "veth", Link: "lxcbr0"}}
	if err := netBlocksHibernation(0, veth); err != nil {
		t.Errorf("root's veth: %v", err)
	}
	if err := netBlocksHibernation(1001, veth); err == nil || !strings.Contains(err.Error(), "lxc.net.0 is a user's veth") {
		t.Errorf("a user's veth: %v", err)
	}
	if err := netBlocksHibernation(1001, []config.NetDev{{Index: 0, Type: "empty"}}); err != nil {
		t.Errorf("a user's empty network: %v", err)
	}
}
