package cmdsock

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Batch is golxc's own command: several queries in one round trip, for
// tools like lxc-info that ask a handful of questions and exit. LXC
// 5.0.2's monitors answer it -ENOSYS (any cmd >= LXC_CMD_MAX; older golxc
// monitors do the same) and Client.Batch reports ErrNoBatch; a hang-up is
// taken the same way. The number is far above LXC's range and
// positive: LXC checks only the upper bound.
//
// Request payload: per query {int32 cmd; int32 datalen; data}. Reply: Ret
// 0, Value the number of answers, payload per answer {int32 ret; int32
// datalen; int64 value; data}, in request order. Only queries that carry
// no descriptor and hold no connection may be batched; any other query
// in a batch is answered -EINVAL. A reply that would exceed dataMax is
// not sent (hang-up), which the client also answers by asking one by one.
const Batch Cmd = 0x474c5842 // "BXLG"

// maxBatch bounds the queries in one batch.
const maxBatch = 32

// batchable: plain queries, no descriptors, no kept connection.
func (c Cmd) batchable() bool {
	switch c {
	case GetState, GetInitPID, GetCloneFlags, GetCgroup, GetConfigItem, GetName, GetLXCPath,
		GetLimitCgroup, GetSystemdScope:
		return true
	}
	return false
}

func encodeBatch(reqs []*Request) ([]byte, error) {
	var b []byte
	for _, r := range reqs {
		if !r.Cmd.batchable() {
			return nil, fmt.Errorf("%s cannot be batched", r.Cmd)
		}
		b = binary.NativeEndian.AppendUint32(b, uint32(r.Cmd))
		b = binary.NativeEndian.AppendUint32(b, uint32(len(r.Data)))
		b = append(b, r.Data...)
	}
	return b, nil
}

func decodeBatch(b []byte) ([]*Request, error) {
	var reqs []*Request
	for len(b) > 0 {
		if len(b) < 8 || len(reqs) == maxBatch {
			return nil, errors.New("malformed batch")
		}
		cmd := Cmd(int32(binary.NativeEndian.Uint32(b)))
		n := binary.NativeEndian.Uint32(b[4:])
		if uint64(n) > uint64(len(b)-8) {
			return nil, errors.New("malformed batch")
		}
		reqs = append(reqs, &Request{Cmd: cmd, Data: b[8 : 8+n]})
		b = b[8+n:]
	}
	return reqs, nil
}

const batchAnswerHeader = 16

func encodeAnswers(resps []*Response) []byte {
	var b []byte
	for _, r := range resps {
		b = binary.NativeEndian.AppendUint32(b, uint32(r.Ret))
		b = binary.NativeEndian.AppendUint32(b, uint32(len(r.Data)))
		b = binary.NativeEndian.AppendUint64(b, uint64(r.Value))
		b = append(b, r.Data...)
	}
	return b
}

func decodeAnswers(b []byte, want int) ([]*Response, error) {
	resps := make([]*Response, 0, want)
	for len(b) > 0 {
		if len(b) < batchAnswerHeader {
			return nil, errors.New("malformed batch reply")
		}
		n := binary.NativeEndian.Uint32(b[4:])
		if uint64(n) > uint64(len(b)-batchAnswerHeader) {
			return nil, errors.New("malformed batch reply")
		}
		resps = append(resps, &Response{
			Ret:   int32(binary.NativeEndian.Uint32(b)),
			Value: int64(binary.NativeEndian.Uint64(b[8:])),
			Data:  b[batchAnswerHeader : batchAnswerHeader+n],
		})
		b = b[batchAnswerHeader+n:]
	}
	if len(resps) != want {
		return nil, fmt.Errorf("batch reply has %d answers for %d queries", len(resps), want)
	}
	return resps, nil
}

// batch answers a Batch request query by query, as if each had come on
// its own connection from the same peer. nil (hang-up) when malformed or
// when the answers do not fit one reply.
func (s *Server) batch(req *Request) *Response {
	subs, err := decodeBatch(req.Data)
	if err != nil {
		return nil
	}
	resps := make([]*Response, len(subs))
	for i, sub := range subs {
		sub.Cred, sub.conn = req.Cred, req.conn
		var r *Response
		if sub.Cmd.batchable() {
			r = s.dispatch(sub)
		}
		if r == nil {
			r = &Response{Ret: -int32(unix.EINVAL)}
		}
		if r.CloseFds {
			closeFds(r.Fds)
		}
		resps[i] = r
	}
	data := encodeAnswers(resps)
	if len(data) > dataMax {
		return nil
	}
	return &Response{Value: int64(len(resps)), Data: data}
}

// ErrNoBatch: the monitor does not know Batch (LXC's, an older golxc's).
var ErrNoBatch = errors.New("monitor does not answer batches")

// Batch asks all of reqs (queries only) in one round trip and returns
// their answers in order. A monitor that does not know Batch refuses it
// or hangs up: ErrNoBatch, and this client does not try again. The caller
// then asks what it needs one query at a time, which lets it skip the
// queries an earlier answer makes pointless.
func (c *Client) Batch(reqs []*Request) ([]*Response, error) {
	if c.noBatch {
		return nil, fmt.Errorf("%s: %w", Batch, ErrNoBatch)
	}
	data, err := encodeBatch(reqs)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(&Request{Cmd: Batch, Data: data})
	if err == nil && resp.Ret == 0 {
		return decodeAnswers(resp.Data, len(reqs))
	}
	if err != nil && !errors.Is(err, ErrNoReply) {
		return nil, err
	}
	c.noBatch = true
	return nil, fmt.Errorf("%s: %w", Batch, ErrNoBatch)
}
