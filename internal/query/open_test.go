package query_test

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/lock"
	"github.com/golxc/golxc/internal/query"
	"github.com/golxc/golxc/lxc"
)

// Every name golxc-query handles itself is one lxc.ValidateName accepts,
// so the small binary never runs a tool for a name golxc would reject.
func TestPlainNamesAreValidNames(t *testing.T) {
	names := []string{"c1", "a.b", "x-y_z", "web@01", strings.Repeat("n", 200), strings.Repeat("n", 201),
		"", ".", "..", ".hidden", "a/b", "a b", "tab\tx", "é", "\x7f", "ok~", "a\nb"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		b := make([]byte, 1+r.IntN(8))
		for j := range b {
			b[j] = byte(r.IntN(256))
		}
		names = append(names, string(b))
	}
	plain := 0
	for _, n := range names {
		if !query.PlainName(n) {
			continue
		}
		plain++
		if err := lxc.ValidateName(n); err != nil {
			t.Errorf("plain name %q is invalid for golxc: %v", n, err)
		}
	}
	if plain < 100 {
		t.Fatalf("only %d plain names among the samples", plain)
	}
}

func TestStopFailedIsLXCText(t *testing.T) {
	if query.StopFailedText != lxc.ErrStopFailed.Error() {
		t.Fatalf("query's %q, lxc.ErrStopFailed %q", query.StopFailedText, lxc.ErrStopFailed)
	}
}

func TestLeanOpen(t *testing.T) {
	lp := t.TempDir()
	dir := filepath.Join(lp, "c1")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("lxc.log.level = DEBUG\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ct, err := query.LeanOpen("c1", lp+"//")
	if err != nil {
		t.Fatal(err)
	}
	if ct.LXCPath != lp || ct.Name != "c1" {
		t.Errorf("LeanOpen: lxcpath %q name %q, want %q c1 (as lxc.NewContainer)", ct.LXCPath, ct.Name, lp)
	}
	if v, _ := ct.Item("lxc.log.level"); v != "DEBUG" {
		t.Errorf("config item lxc.log.level = %q, want DEBUG", v)
	}
	// Missing container: no config, nothing to hand over.
	if _, err := query.LeanOpen("none", lp); err != nil {
		t.Errorf("LeanOpen of a missing container: %v", err)
	}
	// golxc decides these: a name outside the plain set, a create marker.
	if _, err := query.LeanOpen("é", lp); !errors.Is(err, query.ErrFull) {
		t.Errorf("LeanOpen of a non-plain name: %v, want ErrFull", err)
	}
	if err := os.WriteFile(filepath.Join(dir, lock.PartialName), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := query.LeanOpen("c1", lp); !errors.Is(err, query.ErrFull) {
		t.Errorf("LeanOpen with a create marker: %v, want ErrFull", err)
	}
}
