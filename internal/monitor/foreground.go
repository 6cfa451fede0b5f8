package monitor

import (
	"io"
	"os"

	"github.com/golxc/golxc/internal/terminal"
)

// attachTerminal proxies our terminal to the container console in raw mode
// (lxc-start -F on a tty); every key, Ctrl-C included, goes to the
// container. The returned function restores the terminal.
func attachTerminal(con *console) func() {
	con.setPeer(os.Stdout)
	restore, err := terminal.Raw(0)
	go func() { _, _ = io.Copy(con.pty.master, os.Stdin) }()
	return func() {
		if err == nil {
			restore()
		}
	}
}
