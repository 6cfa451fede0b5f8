package lock

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPartialLifecycle(t *testing.T) {
	dir := t.TempDir()
	if s, err := CheckPartial(dir); s != PartialNone || err != nil {
		t.Fatalf("empty dir: %v, %v", s, err)
	}
	p, err := CreatePartial(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "partial"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0 {
		t.Fatalf("partial mode %v, want 0000", st.Mode())
	}
	// The holder is this very process, but a different open file, so the
	// check sees it as held.
	if s, err := CheckPartial(dir); s != PartialOngoing || err != nil {
		t.Fatalf("during create: %v, %v", s, err)
	}
	if _, err := CreatePartial(dir); err == nil {
		t.Fatal("second CreatePartial succeeded; want O_EXCL failure")
	}
	if err := p.Done(); err != nil {
		t.Fatal(err)
	}
	if s, err := CheckPartial(dir); s != PartialNone || err != nil {
		t.Fatalf("after Done: %v, %v", s, err)
	}
	if err := p.Done(); err == nil {
		t.Fatal("Done twice succeeded")
	}
}

func TestPartialOngoingInOtherProcessThenDone(t *testing.T) {
	dir := t.TempDir()
	h := startHolder(t, "partial", dir)
	if s, err := CheckPartial(dir); s != PartialOngoing || err != nil {
		t.Fatalf("while helper creates: %v, %v", s, err)
	}
	h.release(t)
	if s, err := CheckPartial(dir); s != PartialNone || err != nil {
		t.Fatalf("after helper Done: %v, %v", s, err)
	}
}

func TestPartialStaleAfterCreatorKilled(t *testing.T) {
	dir := t.TempDir()
	h := startHolder(t, "partial", dir)
	h.kill(t)
	if s, err := CheckPartial(dir); s != PartialStale || err != nil {
		t.Fatalf("after creator killed: %v, %v; want stale", s, err)
	}
	// Checking must not have taken the lock: still stale on a second look.
	if s, _ := CheckPartial(dir); s != PartialStale {
		t.Fatalf("second check: %v", s)
	}
}

func TestPartialStateString(t *testing.T) {
	if PartialOngoing.String() != "ongoing" || PartialStale.String() != "stale" || PartialNone.String() != "none" {
		t.Fatal("String mismatch")
	}
}
