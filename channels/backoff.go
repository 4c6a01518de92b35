package channels

import (
	"math/rand/v2"
	"time"
)

// backoff returns the wait before retrying after the given number of
// attempts: RetryBase doubled per attempt, capped at RetryMax, with "equal
// jitter" (a random point in the upper half) so rows that failed together do
// not come back together. A provider's Retry-After wins when it is longer.
func (c *Config) backoff(attempts int, retryAfter time.Duration) time.Duration {
	d := c.RetryBase
	for i := 1; i < attempts && d < c.RetryMax; i++ {
		d *= 2
	}
	d = min(d, c.RetryMax)
	d = d/2 + rand.N(d/2+1)
	return max(d, retryAfter)
}
