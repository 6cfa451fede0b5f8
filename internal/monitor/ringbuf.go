package monitor

import "sync"

// ringBuffer keeps the last size bytes written (lxc.console.buffer.size).
type ringBuffer struct {
	mu   sync.Mutex
	buf  []byte
	size int
	full bool
	pos  int
}

func newRingBuffer(size int) *ringBuffer {
	return &ringBuffer{buf: make([]byte, size), size: size}
}

func (r *ringBuffer) Write(p []byte) (int, error) {
	if r == nil || r.size == 0 {
		return len(p), nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(p)
	if len(p) > r.size {
		p = p[len(p)-r.size:]
	}
	for len(p) > 0 {
		c := copy(r.buf[r.pos:], p)
		p = p[c:]
		r.pos += c
		if r.pos == r.size {
			r.pos = 0
			r.full = true
		}
	}
	return n, nil
}

// Bytes returns the buffered bytes, oldest first.
func (r *ringBuffer) Bytes() []byte {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full {
		return append([]byte(nil), r.buf[:r.pos]...)
	}
	return append(append([]byte(nil), r.buf[r.pos:]...), r.buf[:r.pos]...)
}

// Clear empties the buffer (CONSOLE_LOG with clear).
func (r *ringBuffer) Clear() {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.pos, r.full = 0, false
	r.mu.Unlock()
}
