package bot

import (
	"context"
	"time"
)

// memDeduper is the in-memory Deduper used when the app gives none. Keys are
// kept for ttl: Slack's last redelivery comes about five minutes after the
// first attempt. Expired keys are swept only past 10,000, as envelopes are
// many and small.
type memDeduper struct {
	seen *ttlMap[string, struct{}]
}

func newMemDeduper(ttl time.Duration, now func() time.Time) *memDeduper {
	return &memDeduper{seen: newTTLMap[string, struct{}](ttl, 10000, now)}
}

// Seen records key and reports whether it was recorded within the last ttl.
func (d *memDeduper) Seen(_ context.Context, key string) (bool, error) {
	return !d.seen.add(key, struct{}{}), nil
}
