package statuspagefake

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"io"
	"net"
	"net/http"
)

// ServeHTTP answers one request the way Statuspage would; it is exported only
// so Fake satisfies http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &recorder{ResponseWriter: w}

	f.mu.Lock()
	idx := len(f.requests)
	f.requests = append(f.requests, Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body), At: f.now(),
	})
	ft := f.faults.Take()
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.requests[idx].Status = rec.status
		f.mu.Unlock()
	}()

	f.onFault.Serve(rec, r, ft)
}

// serveAuthenticated answers a request that got past the fault switches:
// auth, the rate limit, then the routes.
func (f *Fake) serveAuthenticated(w http.ResponseWriter, r *http.Request) {
	key, ok := f.authenticate(r)
	if !ok {
		writeError(w, http.StatusUnauthorized, "Could not authenticate")
		return
	}
	f.mu.Lock()
	b := f.buckets[key]
	if b == nil {
		b = &bucket{}
		f.buckets[key] = b
	}
	allowed, wait := b.take(f.now(), f.rate, f.burst)
	if !allowed {
		f.throttled++
	}
	f.mu.Unlock()
	if !allowed {
		writeTooMany(w, wait)
		return
	}
	f.mux.ServeHTTP(w, r)
}

// authenticate checks the OAuth header and returns the key it carries.
func (f *Fake) authenticate(r *http.Request) (string, bool) {
	const prefix = "OAuth "
	h := r.Header.Get("Authorization")
	if len(h) <= len(prefix) || h[:len(prefix)] != prefix {
		return "", false
	}
	key := h[len(prefix):]
	return key, subtle.ConstantTimeCompare([]byte(key), []byte(f.APIKey)) == 1
}

// recorder notes the status sent and still lets faults hijack the connection.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(r.ResponseWriter).Hijack()
}
