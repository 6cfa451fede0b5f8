package idmap

import (
	"errors"
	"testing"

	"github.com/golxc/golxc/internal/config"
)

func m(typ byte, ns, host, n uint32) config.IDMap {
	return config.IDMap{Type: typ, NSID: ns, HostID: host, Range: n}
}

var alice = Caller{Name: "alice", UID: 1000, GID: 1000}

func TestCheckAllowed(t *testing.T) {
	sub := []Range{{100000, 65536}}
	// Seed 003's GUI map: uid/gid 1000 passed through as the caller's own.
	gui := []config.IDMap{
		m('u', 0, 100000, 1000), m('g', 0, 100000, 1000),
		m('u', 1000, 1000, 1), m('g', 1000, 1000, 1),
		m('u', 1001, 101001, 64535), m('g', 1001, 101001, 64535),
	}
	u, g := Split(gui)
	if err := Check(u, g, alice, sub, sub); err != nil {
		t.Errorf("GUI map refused: %v", err)
	}
	// The caller's own id may land anywhere inside, as newuidmap allows.
	if err := Check([]config.IDMap{m('u', 0, 1000, 1)}, []config.IDMap{m('g', 5, 1000, 1)}, alice, nil, nil); err != nil {
		t.Errorf("own ids refused: %v", err)
	}
}

func TestCheckMissing(t *testing.T) {
	sub := []Range{{100000, 65536}}
	u := []config.IDMap{m('u', 0, 100000, 65536)}
	g := []config.IDMap{m('g', 0, 200000, 65536)}
	err := Check(u, g, alice, sub, sub)
	var mr *MissingRangeError
	if !errors.As(err, &mr) {
		t.Fatalf("err = %v", err)
	}
	const want = "lxc.idmap = g 0 200000 65536: host gids 200000-265535 are not delegated to alice in /etc/subgid: as root run: usermod --add-subgids 200000-265535 alice"
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	// Nothing delegated: the line names the uid range first and grants both.
	err = Check(u, []config.IDMap{m('g', 0, 100000, 65536)}, alice, nil, nil)
	const both = "lxc.idmap = u 0 100000 65536: host uids 100000-165535 are not delegated to alice in /etc/subuid: as root run: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 alice"
	if err == nil || err.Error() != both {
		t.Errorf("got  %v\nwant %s", err, both)
	}
	// Someone else's uid is not "own": uid 1001 for alice is refused.
	if Check([]config.IDMap{m('u', 0, 1001, 1)}, []config.IDMap{m('g', 0, 1000, 1)}, alice, nil, nil) == nil {
		t.Error("another user's uid allowed")
	}
	// Two of one's own ids are not one's own.
	if Check([]config.IDMap{m('u', 0, 1000, 2)}, []config.IDMap{m('g', 0, 1000, 1)}, alice, nil, nil) == nil {
		t.Error("range starting at own uid allowed")
	}
}
