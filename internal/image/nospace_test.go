package image

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func TestNoSpaceNamesPlaceStepRemedy(t *testing.T) {
	full := &FetchError{"http://s/x", "s", &os.PathError{Op: "write", Path: "/c/x", Err: unix.ENOSPC}}
	got := noSpace(full, "downloading x", "the image cache /c", cacheRemedy)
	want := "the image cache /c: no space left on device while downloading x; free space there or set LXC_CACHE_PATH to a directory with room"
	if got.Error() != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	quota := fmt.Errorf("unpack: %w", unix.EDQUOT)
	if got := noSpace(quota, "unpacking", "/r", rootfsRemedy); got == quota {
		t.Errorf("a quota error is not reported as one")
	}
	other := fmt.Errorf("write: %w", unix.EIO)
	if got := noSpace(other, "s", "w", "r"); !errors.Is(got, unix.EIO) || got != other {
		t.Errorf("another error changed: %v", got)
	}
}
