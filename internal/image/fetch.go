package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// Fetcher downloads files from one server.
type Fetcher struct {
	Base     string // BaseURL of the server
	Server   string // the --server value, for messages
	Progress io.Writer
	Terminal bool // Progress is a terminal: one updating line per file
	client   *http.Client
}

// userAgent is what LXC 5.0.2's template sends.
const userAgent = "lxc/5.0.2 compat:" + CompatLevel

func NewFetcher(server string, progress io.Writer, terminal bool) *Fetcher {
	return &Fetcher{Base: BaseURL(server), Server: server, Progress: progress, Terminal: terminal,
		client: &http.Client{Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, ResponseHeaderTimeout: 30 * time.Second,
			TLSHandshakeTimeout: 30 * time.Second,
		}}}
}

// URL is the full address of a server path.
func (f *Fetcher) URL(path string) string {
	if len(path) > 0 && path[0] == '/' {
		return f.Base + path
	}
	return f.Base + "/" + path
}

// NotFoundError: the server answered 404.
type NotFoundError struct{ URL string }

func (e *NotFoundError) Error() string { return "not found: " + e.URL }

// FetchError is a download that failed; it names the URL and --server.
type FetchError struct {
	URL, Server string
	Err         error
}

func (e *FetchError) Error() string {
	return fmt.Sprintf("Failed to download %s: %v (the image server is %q: check --server, %s or %s in lxc.conf)",
		e.URL, e.Err, e.Server, EnvServer, KeyServer)
}

func (e *FetchError) Unwrap() error { return e.Err }

// Bytes downloads a small file (index, signature) into memory.
func (f *Fetcher) Bytes(path string, limit int64) ([]byte, error) {
	url := f.URL(path)
	resp, err := f.get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, &FetchError{url, f.Server, err}
	}
	if int64(len(data)) > limit {
		return nil, &FetchError{url, f.Server, fmt.Errorf("larger than %d bytes", limit)}
	}
	return data, nil
}

// ToFile downloads path into the file dst (created, synced), showing
// progress under label.
func (f *Fetcher) ToFile(path, dst, label string) error {
	url := f.URL(path)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// As wget -T 30: a server that sends nothing for that long fails
	// the download instead of hanging the create.
	idle := time.AfterFunc(IdleTimeout, cancel)
	defer idle.Stop()
	resp, err := f.getCtx(ctx, url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	p := &progress{w: f.Progress, on: f.Terminal, label: label, total: resp.ContentLength, start: time.Now(),
		onData: func() { idle.Reset(IdleTimeout) }}
	_, err = io.Copy(out, io.TeeReader(resp.Body, p))
	p.finish()
	if err == nil {
		err = out.Sync()
	} else {
		if ctx.Err() != nil {
			err = fmt.Errorf("no data for %v", IdleTimeout)
		}
		err = &FetchError{url, f.Server, err}
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && resp.ContentLength >= 0 && p.done != resp.ContentLength {
		err = &FetchError{url, f.Server, fmt.Errorf("got %d of %d bytes", p.done, resp.ContentLength)}
	}
	return err
}

// IdleTimeout is how long a download may receive nothing.
var IdleTimeout = 30 * time.Second

func (f *Fetcher) get(url string) (*http.Response, error) {
	return f.getCtx(context.Background(), url)
}

func (f *Fetcher) getCtx(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, &FetchError{url, f.Server, err}
	}
	req.Header.Set("User-Agent", userAgent)
	var resp *http.Response
	// Three tries, as LXC's wget wrapper, for transient failures only.
	for try := 0; try < 3; try++ {
		resp, err = f.client.Do(req)
		if err == nil {
			break
		}
		var ne interface{ Timeout() bool }
		if !errors.As(err, &ne) || !ne.Timeout() {
			break
		}
	}
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) && ue.Unwrap() != nil {
			err = ue.Unwrap()
		}
		return nil, &FetchError{url, f.Server, err}
	}
	if resp.StatusCode == http.StatusNotFound {
		resp.Body.Close()
		return nil, &NotFoundError{url}
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &FetchError{url, f.Server, errors.New(resp.Status)}
	}
	return resp, nil
}

// progress draws "label: 42% (1.2 MB of 2.9 MB, 3.1 MB/s)" on a terminal.
type progress struct {
	w           io.Writer
	on          bool
	label       string
	total, done int64
	start, last time.Time
	onData      func()
}

func (p *progress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if p.onData != nil {
		p.onData()
	}
	if p.on && time.Since(p.last) > 200*time.Millisecond {
		p.last = time.Now()
		p.draw()
	}
	return len(b), nil
}

func (p *progress) draw() {
	rate := float64(p.done) / time.Since(p.start).Seconds()
	if p.total > 0 {
		fmt.Fprintf(p.w, "\r%s: %d%% (%s of %s, %s/s)\033[K", p.label, p.done*100/p.total, size(p.done), size(p.total), size(int64(rate)))
	} else {
		fmt.Fprintf(p.w, "\r%s: %s (%s/s)\033[K", p.label, size(p.done), size(int64(rate)))
	}
}

func (p *progress) finish() {
	if p.on {
		p.draw()
		fmt.Fprint(p.w, "\n")
	}
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
