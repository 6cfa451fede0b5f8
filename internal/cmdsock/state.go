package cmdsock

import "fmt"

// State is a container state (lxc_state_t); the numbers travel on the wire.
type State int32

const (
	STOPPED State = iota
	STARTING
	RUNNING
	STOPPING
	ABORTING
	FREEZING
	FROZEN
	THAWED
	// MaxState is one past the last state; ADD_STATE_CLIENT answers it
	// when the client was registered and must wait for a message.
	MaxState
)

var stateNames = [MaxState]string{
	"STOPPED", "STARTING", "RUNNING", "STOPPING", "ABORTING", "FREEZING", "FROZEN", "THAWED",
}

func (s State) String() string {
	if s >= 0 && s < MaxState {
		return stateNames[s]
	}
	return "INVALID STATE"
}

// Valid reports whether s is one of the eight states.
func (s State) Valid() bool { return s >= 0 && s < MaxState }

// ParseState maps an exact, case-sensitive state name to its State.
func ParseState(name string) (State, error) {
	for i, n := range stateNames {
		if n == name {
			return State(i), nil
		}
	}
	return -1, fmt.Errorf("invalid state '%s'", name)
}

// StateNames returns the eight state names in numeric order
// (lxc_get_wait_states).
func StateNames() []string {
	out := make([]string, MaxState)
	copy(out, stateNames[:])
	return out
}

// StateSet is the ADD_STATE_CLIENT payload: one int per state, 1 meaning
// "tell me about this state" (LXC's lxc_state_t states[MAX_STATE]).
type StateSet [MaxState]int32

// NewStateSet marks each given state.
func NewStateSet(states ...State) StateSet {
	var set StateSet
	for _, s := range states {
		if s.Valid() {
			set[s] = 1
		}
	}
	return set
}

// Has reports whether s is marked (any non-zero value, as LXC's notifier tests).
func (set StateSet) Has(s State) bool { return s.Valid() && set[s] != 0 }
