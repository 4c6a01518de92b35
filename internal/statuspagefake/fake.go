package statuspagefake

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/herald-comms/herald/internal/httpfault"
)

// Fake is a running fake of one Statuspage page. Its methods are safe for
// concurrent use.
type Fake struct {
	// APIKey is the key requests must send as "Authorization: OAuth <key>".
	APIKey string
	// PageID is the one page the fake serves; other pages are 404.
	PageID string

	tb   testing.TB
	srv  *httptest.Server
	mux  *http.ServeMux
	done chan struct{}

	mu         sync.Mutex
	now        func() time.Time
	incidents  []*Incident // oldest first
	components []*Component
	requests   []Request
	rate       float64
	burst      int
	buckets    map[string]*bucket
	throttled  int
	faults     httpfault.Faults
	onFault    httpfault.Provider
}

// Request is one request as the fake received it, with the status it got.
type Request struct {
	Method string
	Path   string
	Query  string
	Body   string
	Status int // 0 when the connection was reset or the request hung
	At     time.Time
}

// New starts a fake on 127.0.0.1 and stops it when tb's test ends. Requests
// still hanging at that point are released first.
func New(tb testing.TB) *Fake {
	tb.Helper()
	f := &Fake{
		APIKey:  randomID(32),
		PageID:  randomID(12),
		tb:      tb,
		done:    make(chan struct{}),
		now:     time.Now,
		rate:    DefaultRate,
		burst:   1,
		buckets: map[string]*bucket{},
	}
	f.onFault = f.faultProvider()
	f.routes()
	f.srv = httptest.NewServer(f)
	tb.Cleanup(func() {
		close(f.done)
		f.srv.Close()
	})
	return f
}

// URL returns the API base URL, ending in "/v1", standing in for
// "https://api.statuspage.io/v1".
func (f *Fake) URL() string { return f.srv.URL + "/v1" }

// SetClock replaces the clock used for timestamps and for the rate limit, so
// a test can move time instead of sleeping.
func (f *Fake) SetClock(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

// Requests returns every request received so far, oldest first.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// timestamp returns the clock's time the way Statuspage stores it: UTC,
// millisecond precision. f.mu must be held.
func (f *Fake) timestamp() time.Time {
	return f.now().UTC().Truncate(time.Millisecond)
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomID returns n random lowercase letters and digits, the shape of
// Statuspage's ids.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}
