package monitor

import "sync"

// ringBuffer keeps the last size bytes written (lxc.console.buffer.size).
// Reading does not consume; Discard does (LXC's console_log reads move
// its read offset past what they returned).
type ringBuffer struct {
	mu    sync.Mutex
	buf   []byte
	size  int
	start int // oldest byte
	n     int // bytes held
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
		end := (r.start + r.n) % r.size
		c := copy(r.buf[end:], p)
		p = p[c:]
		r.n += c
		if r.n > r.size {
			// overwrote the oldest bytes
			r.start = (r.start + r.n - r.size) % r.size
			r.n = r.size
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
	out := make([]byte, 0, r.n)
	first := r.buf[r.start:min(r.start+r.n, r.size)]
	out = append(out, first...)
	return append(out, r.buf[:r.n-len(first)]...)
}

// Discard drops the n oldest bytes (all of them when n exceeds the count).
func (r *ringBuffer) Discard(n int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n = min(n, r.n)
	r.start = (r.start + n) % r.size
	r.n -= n
}

// Clear empties the buffer (CONSOLE_LOG with clear).
func (r *ringBuffer) Clear() {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.start, r.n = 0, 0
	r.mu.Unlock()
}
