package monitor

import (
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
)

// The monitor's log follows LXC: -o wins over lxc.log.* entirely; without
// it lxc.log.file and lxc.log.level apply, -l only filling the gaps.
func TestLogChoice(t *testing.T) {
	cfg := config.LogSpec{File: "/cfg.log", Level: "INFO"}
	for _, c := range []struct {
		what      string
		o         Options
		spec      config.LogSpec
		wantFile  string
		wantLevel log.Level
	}{
		{"nothing", Options{}, config.LogSpec{}, "", log.ERROR},
		{"-o -l", Options{LogFile: "/o.log", LogLevel: "TRACE"}, cfg, "/o.log", log.TRACE},
		{"-o alone", Options{LogFile: "/o.log"}, cfg, "/o.log", log.ERROR},
		{"-o -l WARNING", Options{LogFile: "/o.log", LogLevel: "WARNING"}, cfg, "/o.log", log.ERROR},
		{"config", Options{}, cfg, "/cfg.log", log.INFO},
		{"config level numeric", Options{}, config.LogSpec{File: "/cfg.log", Level: "1"}, "/cfg.log", log.DEBUG},
		{"-l with config", Options{LogLevel: "TRACE"}, cfg, "/cfg.log", log.INFO},
		{"-l with config file only", Options{LogLevel: "TRACE"}, config.LogSpec{File: "/cfg.log"}, "/cfg.log", log.TRACE},
		{"-l default file", Options{LogLevel: "DEBUG", LXCPath: "/tmp/lp", Name: "c1"}, config.LogSpec{}, "/tmp/lp/c1/c1.log", log.DEBUG},
	} {
		ch := logChoice(c.o, c.spec)
		if f, l := ch.File, ch.Level; f != c.wantFile || l != c.wantLevel {
			t.Errorf("%s: got %q %v, want %q %v", c.what, f, l, c.wantFile, c.wantLevel)
		}
	}
}

// A -o file the monitor cannot open fails the start (LXC's lxc-start
// exits 1) instead of being dropped for stderr.
func TestSetupLoggingUnopenableLogFile(t *testing.T) {
	defer log.Close()
	bad := "/proc/self/golxc-no-such-dir/m.log"
	m := &monitor{o: Options{Name: "c1", LogFile: bad, LogLevel: "DEBUG", Quiet: true}, spec: &config.Spec{}}
	err := m.setupLogging()
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("setupLogging with -o %s: %v, want an error naming it", bad, err)
	}
	// The default file (-l alone) is still dropped silently, as LXC.
	m.o = Options{Name: "c1", LXCPath: "/proc/self/golxc-no-such-dir", LogLevel: "DEBUG", Quiet: true}
	if err := m.setupLogging(); err != nil {
		t.Errorf("unopenable default file: %v, want it ignored", err)
	}
}
