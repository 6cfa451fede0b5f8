package cmdsock

import "time"

// WaitAny waits until the container is in any of states, as lxc-wait -s
// 'A|B'; timeout < 0 waits forever. Without a monitor the container is
// STOPPED; otherwise the monitor pushes state changes (ADD_STATE_CLIENT).
// A monitor that goes away before a wanted state is asked again after a
// second, as LXC's lxc-wait does.
func WaitAny(lxcpath, name string, states []State, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	forever := timeout < 0
	want := NewStateSet(states...)
	for {
		left := time.Until(deadline)
		if forever {
			left = -1
		} else if left < 0 {
			left = 0
		}
		cl, err := Dial(lxcpath, name)
		if err != nil {
			if want.Has(STOPPED) {
				return true
			}
		} else {
			st, err := cl.WaitStates(states, left)
			cl.Close()
			if err == nil && want.Has(st) {
				return true
			}
		}
		if !forever && !time.Now().Before(deadline) {
			return false
		}
		pause := time.Second
		if !forever && time.Until(deadline) < pause {
			pause = time.Until(deadline)
		}
		time.Sleep(pause)
	}
}
