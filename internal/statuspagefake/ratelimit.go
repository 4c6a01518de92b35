package statuspagefake

import "time"

// DefaultRate is Statuspage's documented limit: 1 request per second per key.
const DefaultRate = 1.0

// bucket is one API key's token bucket; the Fake's mutex guards it.
type bucket struct {
	tokens float64
	last   time.Time
}

// take spends a token if one is left and otherwise reports how long until
// there is one. rate ≤ 0 means unlimited.
func (b *bucket) take(now time.Time, rate float64, burst int) (bool, time.Duration) {
	if rate <= 0 {
		return true, 0
	}
	if b.last.IsZero() {
		b.tokens = float64(burst)
	} else {
		b.tokens += now.Sub(b.last).Seconds() * rate
		if b.tokens > float64(burst) {
			b.tokens = float64(burst)
		}
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

// SetRate sets the per-key limit to perSecond requests with bursts of up to
// burst; perSecond ≤ 0 turns rate limiting off. The default is 1/s, burst 1.
func (f *Fake) SetRate(perSecond float64, burst int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if burst < 1 {
		burst = 1
	}
	f.rate, f.burst = perSecond, burst
	f.buckets = map[string]*bucket{}
}

// Throttled reports how many 429 answers the fake has sent.
func (f *Fake) Throttled() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.throttled
}
