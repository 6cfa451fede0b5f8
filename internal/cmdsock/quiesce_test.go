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
		st, err := c.State()
		if err != nil {
			st = -1
		}
		c.Close()
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
	// Quiesce again once the server has seen the client go (it reports
	// busy until then), and Close while parked must not hang.
	deadline := time.Now().Add(5 * time.Second)
	for !srv.Quiesce() {
		srv.Unquiesce() // as the monitor does after a busy answer
		if time.Now().After(deadline) {
			t.Fatal("the server still reports busy 5 s after its only client left")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
