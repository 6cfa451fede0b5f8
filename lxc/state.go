package lxc

// State is a container state. The numbering is go-lxc's (STOPPED = 1);
// LXC's wire numbering (STOPPED = 0) lives in internal/cmdsock.
type State int

const (
	STOPPED State = iota + 1
	STARTING
	RUNNING
	STOPPING
	ABORTING
	FREEZING
	FROZEN
	THAWED
)

// StateMap maps LXC's state names to states.
var StateMap = map[string]State{
	"STOPPED": STOPPED, "STARTING": STARTING, "RUNNING": RUNNING, "STOPPING": STOPPING,
	"ABORTING": ABORTING, "FREEZING": FREEZING, "FROZEN": FROZEN, "THAWED": THAWED,
}

func (s State) String() string {
	for k, v := range StateMap {
		if v == s {
			return k
		}
	}
	return "INVALID STATE"
}

// ParseState converts an exact, case-sensitive LXC state name.
func ParseState(name string) (State, bool) {
	s, ok := StateMap[name]
	return s, ok
}
