package execinit

import (
	"os"
	"reflect"
	"testing"
)

func TestReexecArgs(t *testing.T) {
	if got, want := ReexecArgs(-1, []string{"sleep", "1"}), []string{Argv0, "--", "sleep", "1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("without a ready fd: %q, want %q", got, want)
	}
	got := ReexecArgs(5, []string{"sleep", "1"})
	if want := []string{Argv0, ReadyFlag, "5", "--", "sleep", "1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("with ready fd 5: %q, want %q", got, want)
	}
	defer func(a []string) { os.Args = a }(os.Args)
	for _, args := range [][]string{got, ReexecArgs(-1, []string{"x"})} {
		os.Args = args
		if !Requested() {
			t.Errorf("Requested() false for %q", args)
		}
	}
	os.Args = []string{Argv0, "x"}
	if Requested() {
		t.Error("Requested() true without -- or the ready flag")
	}
}
