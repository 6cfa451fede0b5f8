package cmdsock

import (
	"errors"
	"net"
	"os"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

func batchOfFour() []*Request {
	return []*Request{
		{Cmd: GetState}, {Cmd: GetInitPID},
		{Cmd: GetConfigItem, Data: withNUL("lxc.uts.name")},
		{Cmd: GetConfigItem, Data: withNUL("lxc.net.0.type")},
	}
}

func checkFourAnswers(t *testing.T, resps []*Response) {
	t.Helper()
	if len(resps) != 4 || resps[0] == nil || resps[1] == nil || resps[2] == nil || resps[3] == nil {
		t.Fatalf("answers %v", resps)
	}
	if st := State(ptrInt(resps[0].Value)); st != RUNNING {
		t.Errorf("state %v", st)
	}
	if pid := int(ptrInt(resps[1].Value)); pid != os.Getpid() {
		t.Errorf("pid %d", pid)
	}
	if resps[2].Ret != 0 || cString(resps[2].Data) != "golxc-fake" {
		t.Errorf("lxc.uts.name: ret %d %q", resps[2].Ret, resps[2].Data)
	}
	if resps[3].Ret >= 0 {
		t.Errorf("unset lxc.net.0.type: ret %d, want < 0", resps[3].Ret)
	}
}

// A golxc monitor answers the whole batch on the probe connection: one
// connection in all.
func TestBatchOneRoundTrip(t *testing.T) {
	_, lxcpath := serveFake(t, "b1")
	c := dialFake(t, lxcpath, "b1")
	resps, err := c.Batch(batchOfFour())
	if err != nil {
		t.Fatal(err)
	}
	checkFourAnswers(t, resps)
	if c.noBatch {
		t.Fatal("a golxc server's batch was not used")
	}
}

func TestBatchRefusesWhatIsNoQuery(t *testing.T) {
	_, lxcpath := serveFake(t, "b2")
	c := dialFake(t, lxcpath, "b2")
	if _, err := c.Batch([]*Request{{Cmd: Stop}}); err == nil {
		t.Fatal("STOP was batched")
	}
	// A hand-made batch with a command that is not a query: -EINVAL for
	// it, answers for the rest.
	data := append(mustEncode(t, []*Request{{Cmd: GetState}}), mustEncodeRaw(Stop, nil)...)
	resp, err := c.Do(&Request{Cmd: Batch, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	resps, err := decodeAnswers(resp.Data, 2)
	if err != nil {
		t.Fatal(err)
	}
	if resps[0].Ret != 0 || resps[1].Ret != -int32(unix.EINVAL) {
		t.Fatalf("rets %d %d", resps[0].Ret, resps[1].Ret)
	}
}

func mustEncode(t *testing.T, reqs []*Request) []byte {
	b, err := encodeBatch(reqs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustEncodeRaw(cmd Cmd, data []byte) []byte {
	var b []byte
	b = append(b, byte(cmd), byte(cmd>>8), byte(cmd>>16), byte(cmd>>24))
	n := len(data)
	b = append(b, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	return append(b, data...)
}

// lxcLike serves the socket the way LXC 5.0.2 does for what the test
// needs: answers to GET_STATE, GET_INIT_PID and GET_CONFIG_ITEM, and
// -ENOSYS for a command it does not know (or, hangUp, no reply at all).
func lxcLike(t *testing.T, lxcpath, name string, hangUp bool) *atomic.Int32 {
	t.Helper()
	addr := &net.UnixAddr{Name: "@" + SocketName(lxcpath, name)[1:], Net: "unix"}
	ln, err := net.ListenUnix("unix", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var refused atomic.Int32
	go func() {
		for {
			c, err := ln.AcceptUnix()
			if err != nil {
				return
			}
			in, err := readHeader(c)
			if err != nil {
				c.Close()
				continue
			}
			data, _ := readPayload(c, in.hdr.datalen)
			var h header
			var reply []byte
			switch Cmd(in.hdr.first) {
			case GetState:
				h.value = int64(RUNNING)
			case GetInitPID:
				h.value = int64(os.Getpid())
			case GetConfigItem:
				if cString(data) == "lxc.uts.name" {
					reply = withNUL("golxc-fake")
				} else {
					h.first = -1
				}
			default:
				refused.Add(1)
				if hangUp {
					c.Close()
					continue
				}
				h.first = -int32(unix.ENOSYS)
			}
			h.datalen = int32(len(reply))
			_ = writeMsg(c, h, reply, nil)
			c.Close()
		}
	}()
	return &refused
}

// An LXC monitor refuses the batch (or hangs up): ErrNoBatch, once; the
// client does not send another batch, and single queries still work.
func TestBatchRefusedByLXCMonitors(t *testing.T) {
	for _, hangUp := range []bool{false, true} {
		lxcpath := t.TempDir()
		refused := lxcLike(t, lxcpath, "b3", hangUp)
		c := dialFake(t, lxcpath, "b3")
		for i := 0; i < 2; i++ {
			if _, err := c.Batch(batchOfFour()); !errors.Is(err, ErrNoBatch) {
				t.Fatalf("hang-up %v: err %v, want ErrNoBatch", hangUp, err)
			}
		}
		if n := refused.Load(); n != 1 {
			t.Fatalf("hang-up %v: the LXC-like monitor refused %d batches, want 1", hangUp, n)
		}
		if st, err := c.State(); err != nil || st != RUNNING {
			t.Fatalf("state after the refusal: %v, %v", st, err)
		}
	}
}

func TestBatchNotRunning(t *testing.T) {
	lxcpath := t.TempDir()
	lxcLike(t, lxcpath, "b4", false)
	c := dialFake(t, lxcpath, "b4")
	c.spare.Close()
	c.spare = nil
	c.addr.Name = "@" + SocketName(lxcpath, "b4-gone")[1:]
	if _, err := c.Batch(batchOfFour()); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("err %v, want ErrNotRunning", err)
	}
}
