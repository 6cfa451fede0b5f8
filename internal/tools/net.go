package tools

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/golxc/golxc/internal/lxcnet"
	"github.com/golxc/golxc/internal/network"
)

func init() { register("lxc-net", runNet) }

const netUsage = "Usage: %s {start|stop|restart|reload|force-reload|status|cleanup}\n"

// runNet is LXC's lxc-net service script (`golxc net ACTION`): the lxcbr0
// bridge with NAT and DHCP, configured by /etc/default/lxc-net. status and
// cleanup (undo what killed container monitors left) are golxc's own.
func runNet(argv []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(argv) < 2 {
		fmt.Fprintf(stderr, netUsage, argv[0])
		return 2
	}
	s, err := lxcnet.LoadSettings()
	if err != nil {
		fmt.Fprintf(stderr, "lxc-net: %v\n", err)
		return 1
	}
	fail := func(err error) int {
		if errors.Is(err, lxcnet.ErrAlreadyRunning) || errors.Is(err, lxcnet.ErrNotRunning) {
			fmt.Fprintln(stdout, err)
		} else {
			fmt.Fprintf(stderr, "lxc-net: %v\n", err)
		}
		return 1
	}
	start := func() int {
		created, err := lxcnet.Start(s)
		if err != nil {
			return fail(err)
		}
		if !created && s.UseBridge {
			fmt.Fprintf(stderr, "lxc-net: bridge %s already exists; using it unchanged\n", s.Bridge)
		}
		return 0
	}
	switch argv[1] {
	case "start":
		return start()
	case "stop":
		if err := lxcnet.Stop(s, len(argv) > 2 && argv[2] == "force"); err != nil {
			return fail(err)
		}
		return 0
	case "restart", "reload", "force-reload":
		if err := lxcnet.Stop(s, false); err != nil && !errors.Is(err, lxcnet.ErrNotRunning) {
			return fail(err)
		}
		return start()
	case "status":
		printNetStatus(stdout, lxcnet.GetStatus(s))
		return 0
	case "cleanup":
		code := 0
		for _, e := range network.Sweep() {
			fmt.Fprintf(stderr, "lxc-net: cleanup: %v\n", e)
			code = 1
		}
		return code
	}
	fmt.Fprintf(stderr, netUsage, argv[0])
	return 2
}

func printNetStatus(w io.Writer, st lxcnet.Status) {
	yes := map[bool]string{true: "yes", false: "no"}
	state := "stopped"
	switch {
	case !st.Enabled:
		state = "disabled (USE_LXC_BRIDGE is not true)"
	case st.Running:
		state = "running"
	case st.Addrs != nil || st.BridgeUp:
		state = "bridge present (not started by lxc-net)"
	}
	fmt.Fprintf(w, "%-10s %s\n", "State:", state)
	fmt.Fprintf(w, "%-10s %s (up: %s)\n", "Bridge:", st.Bridge, yes[st.BridgeUp])
	if len(st.Addrs) > 0 {
		fmt.Fprintf(w, "%-10s %s\n", "Address:", strings.Join(st.Addrs, " "))
	}
	dns := "not running"
	if st.DnsmasqPID > 0 {
		dns = fmt.Sprintf("running (pid %d)", st.DnsmasqPID)
	}
	fmt.Fprintf(w, "%-10s %s\n", "dnsmasq:", dns)
	fmt.Fprintf(w, "%-10s %s\n", "NAT:", yes[st.NAT])
	fmt.Fprintf(w, "%-10s %s\n", "Leases:", st.Leases)
}
