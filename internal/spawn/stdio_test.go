package spawn

import (
	"os"
	"testing"
)

// Unset streams share one /dev/null: one open per spawn, not three.
func TestStdioFilesShareOneDevNull(t *testing.T) {
	files, closeStdio, err := stdioFiles(Request{})
	if err != nil {
		t.Fatal(err)
	}
	if files[0] != files[1] || files[1] != files[2] || files[0].Name() != os.DevNull {
		t.Errorf("stdio %v", files)
	}
	closeStdio()
	files, closeStdio, err = stdioFiles(Request{Stdout: os.Stdout})
	if err != nil {
		t.Fatal(err)
	}
	defer closeStdio()
	if files[1] != os.Stdout || files[0] != files[2] || files[0].Name() != os.DevNull {
		t.Errorf("stdio with stdout set %v", files)
	}
}
