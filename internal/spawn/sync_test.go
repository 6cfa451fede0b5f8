package spawn

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func TestSyncRoundTrip(t *testing.T) {
	a, b, err := syncPair()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	fdsBefore := countFDs(t)

	type msg struct {
		Kind string
		Blob string
	}
	big := strings.Repeat("x", 100000) // bigger than any fixed read buffer
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := SendFiles(b, msg{"pipe", big}, w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := Send(b, msg{Kind: "plain"}); err != nil {
		t.Fatal(err)
	}
	if err := SendFiles(b, msg{Kind: "dropped-fd"}, r); err != nil {
		t.Fatal(err)
	}

	var got msg
	files, err := RecvFiles(a, &got)
	if err != nil || got.Kind != "pipe" || got.Blob != big || len(files) != 1 {
		t.Fatalf("RecvFiles: %q, %d bytes, %d files, %v", got.Kind, len(got.Blob), len(files), err)
	}
	// The received fd is the pipe's write end: data written to it arrives.
	if _, err := files[0].Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	files[0].Close()
	buf := make([]byte, 2)
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "hi" {
		t.Errorf("read through passed fd: %q, %v", buf, err)
	}
	if err := Recv(a, &got); err != nil || got.Kind != "plain" {
		t.Errorf("Recv: %+v, %v", got, err)
	}
	if err := Recv(a, &got); err != nil || got.Kind != "dropped-fd" {
		t.Errorf("Recv with fd: %+v, %v", got, err)
	}
	r.Close()
	b.Close()
	if err := Recv(a, &got); !errors.Is(err, io.EOF) {
		t.Errorf("Recv after peer closed = %v, want EOF", err)
	}
	if after := countFDs(t); after != fdsBefore-1 { // b is closed now
		t.Errorf("fds: %d before, %d after (Recv must close unwanted fds)", fdsBefore, after)
	}
	if err := Send(a, make(chan int)); err == nil || !strings.HasPrefix(err.Error(), "spawn: sync send") {
		t.Errorf("Send of an unencodable value: %v", err)
	}
}

// TestSyncHugeMessage: a value far beyond the socket buffer (a config with
// 100k lines) arrives whole, with its fds, and no memfd leaks.
func TestSyncHugeMessage(t *testing.T) {
	a, b, err := syncPair()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	before := countFDs(t)
	env := make([]string, 100000)
	for i := range env {
		env[i] = strings.Repeat("v", 40)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := SendFiles(b, env, w); err != nil {
		t.Fatalf("send %d entries: %v", len(env), err)
	}
	w.Close()
	var got []string
	files, err := RecvFiles(a, &got)
	if err != nil || len(got) != len(env) || got[99999] != env[99999] || len(files) != 1 {
		t.Fatalf("RecvFiles: %d entries, %d files, %v", len(got), len(files), err)
	}
	files[0].Close()
	r.Close()
	if after := countFDs(t); after != before {
		t.Errorf("fds: %d before, %d after", before, after)
	}
}
