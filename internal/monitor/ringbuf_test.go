package monitor

import "testing"

func TestRingBuffer(t *testing.T) {
	r := newRingBuffer(5)
	r.Write([]byte("ab"))
	if string(r.Bytes()) != "ab" {
		t.Fatalf("got %q", r.Bytes())
	}
	r.Write([]byte("cdefg"))
	if string(r.Bytes()) != "cdefg" {
		t.Fatalf("got %q", r.Bytes())
	}
	r.Write([]byte("h"))
	if string(r.Bytes()) != "defgh" {
		t.Fatalf("got %q", r.Bytes())
	}
	r.Write([]byte("0123456789"))
	if string(r.Bytes()) != "56789" {
		t.Fatalf("got %q", r.Bytes())
	}
	r.Clear()
	if len(r.Bytes()) != 0 {
		t.Fatal("not cleared")
	}
}
