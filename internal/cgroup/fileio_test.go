package cgroup

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRawFileIO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	big := bytes.Repeat([]byte("0123456789\n"), 300) // beyond the first buffer
	if err := os.WriteFile(p, big, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := readFile(p); err != nil || !bytes.Equal(got, big) {
		t.Errorf("readFile: %d bytes, %v; want %d bytes", len(got), err, len(big))
	}
	if err := writeFile(p, "42"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.HasPrefix(got, []byte("42234")) || len(got) != len(big) {
		t.Errorf("writeFile must neither truncate nor append: %q...", got[:8])
	}
	missing := filepath.Join(t.TempDir(), "nope")
	if err := writeFile(missing, "1"); !errors.Is(err, os.ErrNotExist) || err.Error() != "open "+missing+": no such file or directory" {
		t.Errorf("writeFile(missing) = %v", err)
	}
	if _, err := readFile(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("readFile(missing) = %v", err)
	}
}
