package image

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Server serves an image directory in the layout LXC's download template
// reads. The indexes are made from the directory at each request, so
// images added or removed (or expired) show at once; they are signed
// with Signer when there is one.
type Server struct {
	Dir    string
	Signer *Signer
	Log    io.Writer

	mu       sync.Mutex
	lastIdx  string
	lastSign []byte
	expiries expiryCache
}

func (s *Server) logf(format string, a ...any) {
	if s.Log != nil {
		fmt.Fprintf(s.Log, format+"\n", a...)
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := path.Clean("/" + r.URL.Path)
	s.logf("%s %s %s", r.RemoteAddr, r.Method, p)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if p == "/pks/lookup" {
		s.serveKey(w, r)
		return
	}
	if rest, ok := strings.CutPrefix(p, "/"+IndexDir+"/"); ok {
		s.serveIndex(w, r, rest)
		return
	}
	if !strings.HasPrefix(p, "/"+ImagesDir+"/") || strings.Contains(p, "/.") {
		http.NotFound(w, r)
		return
	}
	f := filepath.Join(s.Dir, filepath.FromSlash(p))
	st, err := os.Stat(f)
	if err != nil || !st.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	http.ServeFile(w, r, f) // ranges included: an interrupted client may resume
}

// serveIndex answers index-system, index-user and their .asc; index-*.7
// is not served, so clients fall back to the plain index as with LXC's
// server for this compat level.
func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request, name string) {
	base, sig := strings.CutSuffix(name, SigSuffix)
	if base != "index-system" && base != "index-user" {
		http.NotFound(w, r)
		return
	}
	idx, err := scanIndex(s.Dir, time.Now(), s.expiries.expiry)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if !sig {
		io.WriteString(w, idx)
		return
	}
	asc, err := s.indexSignature(idx, base)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if asc == nil {
		http.NotFound(w, r)
		return
	}
	w.Write(asc)
}

// indexSignature signs idx with the server's key, or, without one, uses
// the signature `golxc image sign` left if it is for this very index.
func (s *Server) indexSignature(idx, base string) ([]byte, error) {
	if s.Signer == nil {
		static := filepath.Join(s.Dir, IndexDir, base)
		if data, err := os.ReadFile(static); err == nil && string(data) == idx {
			if asc, err := os.ReadFile(static + SigSuffix); err == nil {
				return asc, nil
			}
		}
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastSign != nil && s.lastIdx == idx {
		return s.lastSign, nil
	}
	asc, err := s.Signer.Sign(bytes.NewReader([]byte(idx)))
	if err != nil {
		return nil, err
	}
	s.lastIdx, s.lastSign = idx, asc
	return asc, nil
}

// Listen starts serving on addr (HTTP, or HTTPS with cert). It returns
// the bound address (addr may use port 0).
func (s *Server) Listen(addr string, cert *tls.Certificate) (net.Addr, func() error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: s}
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
		go srv.ServeTLS(ln, "", "")
	} else {
		go srv.Serve(ln)
	}
	return ln.Addr(), srv.Close, nil
}

// serveKey answers an HKP key lookup (op=get) for the signing key, so
// clients can take it with --keyserver URL --keyid ID.
func (s *Server) serveKey(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := normKeyID(q.Get("search"))
	if s.Signer == nil || q.Get("op") != "get" || len(id) < 8 || !strings.HasSuffix(s.Signer.KeyID(), id) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/pgp-keys")
	s.Signer.ExportPublic(w)
}
