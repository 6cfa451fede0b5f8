package cmdsock

import (
	"testing"
	"time"
)

// A quiesced server answers nothing until Unquiesce: a monitor about to
// exec into its hibernating loop must not leave a request half answered.
func TestQuiesceHoldsNewConnections(t *testing.T) {
	lp := t.TempDir()
	srv, err := Listen(lp, "q1", HandlerFunc(func(*Request) *Response { return &Response{Value: int64(RUNNING)} }))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !srv.Quiesce() {
		t.Fatal("an idle server reported busy")
	}
	got := make(chan State, 1)
	go func() {
		c, err := Dial(lp, "q1")
		if err != nil {
			got <- -1
			return
		}
		defer c.Close()
		st, err := c.State()
		if err != nil {
			st = -1
		}
		got <- st
	}()
	select {
	case st := <-got:
		t.Fatalf("answered %v while quiesced", st)
	case <-time.After(300 * time.Millisecond):
	}
	if srv.Requests() != 0 {
		t.Fatalf("%d requests read while quiesced", srv.Requests())
	}
	srv.Unquiesce()
	if st := <-got; st != RUNNING {
		t.Fatalf("after Unquiesce: %v", st)
	}
	// Quiesce again, and Close while parked must not hang.
	if !srv.Quiesce() {
		t.Fatal("idle server reported busy")
	}
}
