package twiliofake

import (
	"crypto/rand"
	"encoding/hex"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/herald-comms/herald/internal/httpfault"
)

// DefaultMaxConcurrent is the number of REST requests the fake serves at once
// before it answers 429 with code 20429, Twilio's default per account.
const DefaultMaxConcurrent = 100

// DefaultQueueWindow is how much queued sending time a sender may hold before a
// create with From fails with 21611: Twilio keeps up to 10 hours per sender.
const DefaultQueueWindow = 10 * time.Hour

// Fake is a running fake of Twilio's Messages API. Its methods are safe for
// concurrent use.
type Fake struct {
	// AccountSID is the account the fake serves ("AC" and 32 hex digits).
	AccountSID string
	// AuthToken is the password Basic auth must carry (32 hex digits).
	AuthToken string

	tb   testing.TB
	srv  *httptest.Server
	done chan struct{}

	mu          sync.Mutex
	now         func() time.Time
	messages    []*record
	rejects     map[string]int
	rates       map[string]float64
	nextFree    map[string]time.Time
	queueWindow time.Duration
	maxInFlight int
	inFlight    int
	requests    int
	creates     int
	throttled   int
	faults      httpfault.Faults
	onFault     httpfault.Provider
}

// New starts a fake on 127.0.0.1 and stops it when tb's test ends. Requests
// still hanging at that point are released first.
func New(tb testing.TB) *Fake {
	tb.Helper()
	f := &Fake{
		AccountSID:  "AC" + randomHex(16),
		AuthToken:   randomHex(16),
		tb:          tb,
		done:        make(chan struct{}),
		now:         time.Now,
		rejects:     map[string]int{},
		rates:       map[string]float64{},
		nextFree:    map[string]time.Time{},
		queueWindow: DefaultQueueWindow,
		maxInFlight: DefaultMaxConcurrent,
	}
	f.onFault = f.faultProvider()
	f.srv = httptest.NewServer(f)
	tb.Cleanup(func() {
		close(f.done)
		f.srv.Close()
	})
	return f
}

// URL returns the fake's base URL, such as "http://127.0.0.1:41234", standing
// in for "https://api.twilio.com".
func (f *Fake) URL() string { return f.srv.URL }

// SetClock replaces the clock used for timestamps and for the send queue, so a
// test can move time instead of sleeping.
func (f *Fake) SetClock(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

// RejectTo makes every later create to number fail with Twilio error code:
// 21211 (invalid number), 21610 (unsubscribed), 21614 (not a mobile number),
// 21408 (region not enabled) or 21635 (landline). Code 0 clears the switch.
func (f *Fake) RejectTo(number string, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if code == 0 {
		delete(f.rejects, number)
		return
	}
	if _, ok := numberErrors[code]; !ok {
		f.tb.Fatalf("twiliofake: RejectTo(%q, %d): code not modelled", number, code)
	}
	f.rejects[number] = code
}

// SetMaxConcurrent sets how many requests may be in flight at once; one more
// is answered 429 with code 20429 and never processed, as on Twilio.
func (f *Fake) SetMaxConcurrent(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.maxInFlight = n
}

// InFlight reports how many requests the fake is serving right now.
func (f *Fake) InFlight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inFlight
}

// Requests reports how many HTTP requests reached the fake.
func (f *Fake) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// Creates reports how many create requests (POST Messages.json) reached the
// fake, whatever their answer: the texts a sender tried, as against the
// lookups it made.
func (f *Fake) Creates() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.creates
}

// Throttled reports how many 429 answers the fake has sent.
func (f *Fake) Throttled() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.throttled
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
