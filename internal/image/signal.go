package image

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

var (
	sigMu      sync.Mutex
	sigCleanup func()
	sigOnce    sync.Once
)

// stopOnSignal makes SIGINT, SIGTERM and SIGHUP run cleanup and exit 1
// (nil: back to nothing to clean). SIGKILL cannot be caught: the next
// run removes what it left (removeStalePartials).
func stopOnSignal(cleanup func()) {
	sigMu.Lock()
	sigCleanup = cleanup
	sigMu.Unlock()
	sigOnce.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
		go func() {
			<-ch
			sigMu.Lock()
			if sigCleanup != nil {
				sigCleanup()
			}
			os.Exit(1)
		}()
	})
}
