package cmdsock

import (
	"fmt"
	"net"
)

// Watchers: a golxc extension of ADD_STATE_CLIENT for lxc-monitor, which
// wants every transition of a container, not one.
//
// LXC 5.0.2 monitors register a state client when its slot for the current
// state is not exactly 1, notify it when the slot of a new state is non-zero,
// and then hang it up. A set with every slot WatchSlot (or WatchReplaySlot)
// is therefore an ordinary "tell me" to them. A golxc monitor instead keeps
// such a client registered, also sends it the init's exit status (a
// MsgExitCode record before STOPPING, as LXC's monitor FIFO carries it), and
// for WatchReplaySlot first replays the transitions of the current boot, so a
// watcher that found the container just after it started still sees
// STARTING. Only a set marked in every slot is a watcher: liblxc's reboot2
// sends 2 in the RUNNING slot alone ("tell me when it runs again") and must
// get exactly that one message.
const (
	WatchSlot       int32 = 2
	WatchReplaySlot int32 = 3
)

// watchSet marks every state with slot.
func watchSet(slot int32) StateSet {
	var set StateSet
	for i := range set {
		set[i] = slot
	}
	return set
}

// isWatch reports whether a state client asked to be a watcher (every
// slot WatchSlot or every slot WatchReplaySlot), and to have the boot
// replayed.
func (set StateSet) isWatch() (watch, replay bool) {
	for _, v := range set {
		if v != set[0] {
			return false, false
		}
	}
	switch set[0] {
	case WatchSlot:
		return true, false
	case WatchReplaySlot:
		return true, true
	}
	return false, false
}

// record keeps the history of the current boot for replays: a STARTING
// begins a new one. Called with s.mu held.
func (s *Server) record(msg []byte, st State, isState bool) {
	if isState && st == STARTING {
		s.history = s.history[:0]
	}
	if len(s.history) < 64 {
		s.history = append(s.history, msg)
	}
}

// NotifyExit sends the init's raw wait status to the watchers (LXC's
// lxc-monitor prints WEXITSTATUS of it). Plain state clients never get it:
// liblxc would read the record as a state.
func (s *Server) NotifyExit(waitStatus int) {
	msg, err := Msg{Type: MsgExitCode, Name: s.name, Value: int32(waitStatus)}.Encode()
	if err != nil {
		return
	}
	s.mu.Lock()
	s.record(msg, 0, false)
	var targets []*serverConn
	for c, set := range s.stateClients {
		if w, _ := set.isWatch(); w {
			targets = append(targets, c)
		}
	}
	s.mu.Unlock()
	for _, c := range targets {
		c.sendRaw(msg)
	}
}

// Watch is a watcher subscription (see WatchSlot). Against an LXC monitor
// it only ever gets one message per subscription; Next re-subscribes and
// fills a gap with the state GET_STATE reports.
type Watch struct {
	c      *Client
	conn   *net.UnixConn
	last   State
	queued []Msg
	name   string
}

// Watch subscribes to every transition. replay asks a golxc monitor for
// the current boot's transitions so far.
func (c *Client) Watch(replay bool) (*Watch, error) {
	w := &Watch{c: c, last: -1}
	slot := WatchSlot
	if replay {
		slot = WatchReplaySlot
	}
	if err := w.subscribe(slot); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Watch) subscribe(slot int32) error {
	resp, conn, err := w.c.exchange(&Request{Cmd: AddStateClient, Data: EncodeStateSet(watchSet(slot))})
	if err != nil {
		return err
	}
	if st := State(ptrInt(resp.Value)); st != MaxState {
		conn.Close()
		return fmt.Errorf("%s: monitor answered state %d to a watcher", AddStateClient, st)
	}
	w.conn = conn
	return nil
}

// Next blocks until the next message. When the container's monitor is
// gone it returns a final STOPPED (unless that was the last state seen),
// then ErrNotRunning.
func (w *Watch) Next() (Msg, error) {
	for {
		if len(w.queued) > 0 {
			m := w.queued[0]
			w.queued = w.queued[1:]
			if m.Type == MsgState {
				w.last = State(m.Value)
			}
			return m, nil
		}
		if w.conn == nil {
			return Msg{}, ErrNotRunning
		}
		buf := make([]byte, msgSize)
		_, err := readFull(w.conn, buf)
		if err == nil {
			m, _ := DecodeMsg(buf)
			if w.name == "" {
				w.name = m.Name
			}
			w.queued = append(w.queued, m)
			continue
		}
		w.conn.Close()
		w.conn = nil
		if !isConnGone(err) {
			return Msg{}, fmt.Errorf("watching state changes: %w", err)
		}
		w.resubscribe()
	}
}

// resubscribe follows an LXC monitor that hung up after one message. The
// state is read first and queued if it moved since the last message: it
// precedes anything the new subscription delivers, so order is kept (a
// transition inside the two round trips can still be missed). A monitor
// that is gone means STOPPED.
func (w *Watch) resubscribe() {
	resp, err := w.c.Do(&Request{Cmd: GetState})
	if err == nil {
		if st := State(ptrInt(resp.Value)); st.Valid() && st != w.last {
			w.queue(st)
		}
		err = w.subscribe(WatchSlot)
	}
	if err != nil && w.latest() != STOPPED {
		w.queue(STOPPED)
	}
}

func (w *Watch) queue(st State) {
	w.queued = append(w.queued, Msg{Type: MsgState, Name: w.name, Value: int32(st)})
}

// latest is the last state queued or delivered.
func (w *Watch) latest() State {
	for i := len(w.queued) - 1; i >= 0; i-- {
		if w.queued[i].Type == MsgState {
			return State(w.queued[i].Value)
		}
	}
	return w.last
}

// SetName names the container for synthesised messages (LXC monitors put
// the name in every record, but a gap may come before the first one).
func (w *Watch) SetName(name string) { w.name = name }

// Close ends the subscription.
func (w *Watch) Close() error {
	if w.conn == nil {
		return nil
	}
	err := w.conn.Close()
	w.conn = nil
	return err
}
