package procenv

import (
	"os"
	"runtime"
	"slices"
	"testing"
)

func TestSingleP(t *testing.T) {
	got := SingleP([]string{"A=1"})
	if !slices.Equal(got, []string{"A=1", "GOMAXPROCS=1", marker + "=1"}) {
		t.Errorf("SingleP = %q", got)
	}
	user := []string{"GOMAXPROCS=4"}
	if got := SingleP(user); !slices.Equal(got, user) {
		t.Errorf("SingleP kept the user's GOMAXPROCS? %q", got)
	}
}

func TestRestore(t *testing.T) {
	t.Setenv("GOMAXPROCS", "1")
	t.Setenv(marker, "1")
	before := runtime.GOMAXPROCS(0)
	Restore()
	if _, ok := os.LookupEnv("GOMAXPROCS"); ok {
		t.Error("GOMAXPROCS still set")
	}
	if _, ok := os.LookupEnv(marker); ok {
		t.Error("marker still set")
	}
	if runtime.GOMAXPROCS(0) != before {
		t.Error("Restore changed the running GOMAXPROCS")
	}
	t.Setenv("GOMAXPROCS", "3")
	Restore()
	if os.Getenv("GOMAXPROCS") != "3" {
		t.Error("Restore removed a user's GOMAXPROCS")
	}
}
