package tools

import (
	"io"

	"github.com/golxc/golxc/internal/query"
)

func init() { register("lxc-wait", runWait) }

// runWait is lxc-wait (internal/query, which cmd/golxc-query runs too).
func runWait(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return query.Wait(lxcEnv, argv, stdin, stdout, stderr)
}
