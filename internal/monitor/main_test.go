package monitor

import (
	"os"
	"testing"

	"github.com/golxc/golxc/internal/selfexe"
	"github.com/golxc/golxc/internal/spawn"
)

// The test binary doubles as the container init stage and as the daemonized
// monitor, exactly like the golxc binary.
func TestMain(m *testing.M) {
	selfexe.MarkMain() // the test binary serves the monitor and the stages
	spawn.RunStageIfRequested()
	ResumeIfRequested()
	RunDaemonIfRequested()
	os.Exit(m.Run())
}
