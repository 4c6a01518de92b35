package bot

import (
	"context"
	"sync"
	"time"
)

// memDeduper is the in-memory Deduper used when the app gives none. Keys are
// kept for ttl: Slack's last redelivery comes about five minutes after the
// first attempt.
type memDeduper struct {
	ttl  time.Duration
	now  func() time.Time
	mu   sync.Mutex
	seen map[string]time.Time
}

func newMemDeduper(ttl time.Duration, now func() time.Time) *memDeduper {
	return &memDeduper{ttl: ttl, now: now, seen: map[string]time.Time{}}
}

// Seen records key and reports whether it was recorded within the last ttl.
func (d *memDeduper) Seen(_ context.Context, key string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	if len(d.seen) > 10000 {
		for k, at := range d.seen {
			if now.Sub(at) > d.ttl {
				delete(d.seen, k)
			}
		}
	}
	if at, ok := d.seen[key]; ok && now.Sub(at) <= d.ttl {
		return true, nil
	}
	d.seen[key] = now
	return false, nil
}
