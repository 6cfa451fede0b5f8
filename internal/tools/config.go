package tools

import (
	"fmt"
	"io"
	"strings"

	"github.com/golxc/golxc/internal/config"
)

func init() { register("lxc-config", runConfig) }

// runConfig is lxc-config: not getopt based; only argv[1] is examined and
// items match by prefix, as in LXC.
func runConfig(argv []string, _ io.Reader, stdout, _ io.Writer) int {
	usage := fmt.Sprintf("Usage: %s -l: list all available configuration items\n       %s item: print configuration item\n", argv[0], argv[0])
	if len(argv) < 2 {
		fmt.Fprint(stdout, usage)
		return 0
	}
	arg := argv[1]
	if strings.HasPrefix("-h", arg) || strings.HasPrefix("--help", arg) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	keys := config.GlobalKeys()
	if strings.HasPrefix("-l", arg) {
		for _, k := range keys {
			fmt.Fprintln(stdout, k)
		}
		return 0
	}
	for _, k := range keys {
		if strings.HasPrefix(k, arg) {
			if v, ok := config.GlobalItem(k); ok && v != "" {
				fmt.Fprintln(stdout, v)
			} else {
				fmt.Fprintf(stdout, "%s is not set.\n", arg)
			}
			return 0
		}
	}
	fmt.Fprintf(stdout, "Unknown configuration item: %s\n", arg)
	return 1
}
