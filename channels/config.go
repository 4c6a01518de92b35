package channels

import (
	"time"

	"golang.org/x/time/rate"

	"github.com/herald-comms/herald/comms"
)

// Config tunes a Dispatcher. The zero value works: every lane takes
// DefaultLane and retries follow the defaults below.
type Config struct {
	// Lanes overrides the lane of a medium; zero fields keep the default.
	Lanes map[comms.Medium]Lane
	// Links and NormalizeSMS are passed to comms.Render, as for Preview.
	Links        comms.Links
	NormalizeSMS bool
	// RetryBase is the first backoff after a failure; it doubles per attempt
	// up to RetryMax, with jitter. Defaults 2 s and 2 min.
	RetryBase time.Duration
	RetryMax  time.Duration
	// ShutdownGrace is how long Run waits, once its context is done, for
	// provider calls already under way to finish and be recorded before it
	// cancels them (they then become unknown and are reconciled on the next
	// start). Default 5 s.
	ShutdownGrace time.Duration
	// BatchSize is how many due rows a lane reads at once. Default 64.
	BatchSize int
	// Now is the clock for the times written to rows; time.Now by default.
	Now func() time.Time
}

// Lane sizes one medium's lane.
type Lane struct {
	// Rate is the sustained rate of provider sends per second (for SMS, of
	// segments per second) and Burst the bucket size.
	Rate  rate.Limit
	Burst int
	// Concurrency is how many rows the lane works on at once. By Little's
	// law it must be at least Rate × the provider's latency to reach Rate.
	Concurrency int
	// MaxAttempts caps the provider calls per row (rate-limit answers do not
	// count); then the row becomes failed_perm.
	MaxAttempts int
	// SendTimeout bounds one provider call, reconciliation included.
	SendTimeout time.Duration
}

// Defaults shared by every lane.
const (
	// DefaultMaxAttempts follows limits.md §8.8 ("at most about 3 attempts
	// per delivery") and GoAlert's retry_count < 3 (limits.md §6.1).
	DefaultMaxAttempts = 3
	// DefaultSendTimeout follows GoAlert's 5 s send context and 10 s sending
	// deadline (limits.md §6.1), leaning to the deadline for slow providers.
	DefaultSendTimeout = 10 * time.Second

	defaultRetryBase     = 2 * time.Second
	defaultRetryMax      = 2 * time.Minute
	defaultShutdownGrace = 5 * time.Second
	defaultBatchSize     = 64
)

// DefaultLane returns the lane of a medium sized from the providers'
// documented limits:
//
//   - slack: 1 chat.postMessage/s with a burst of 20. limits.md §1.2: the
//     special tier "generally allows posting one message per second per
//     channel, while also maintaining a workspace-wide limit" (unpublished);
//     §7.1 reads it conservatively as R_ws ≈ 1/s with B_ws ≥ 20, and a
//     leaky bucket of "about 25 burst at 1/s" was observed (PSSlack#52). One
//     comm posts once per channel, so the per-channel 1/s does not bind.
//     Concurrency 8 drains the burst at Slack's ≈0.3 s latency.
//   - email: 14 recipients/s, burst 14, 8 connections. limits.md §4: SES
//     counts recipients, and "14/s, 50,000/day" is the documented starting
//     production quota; Google Workspace publishes no per-second rate. One
//     message per recipient (limits.md §4, §8.15).
//   - sms: 1 segment/s, burst 1, 2 in flight. limits.md §2.1: "a US long
//     code number can send one message segment per second" [doc]; Twilio's
//     REST concurrency (about 100, §2.4) is not the binding limit. A
//     Messaging Service, toll-free number (3 MPS) or short code (100+ MPS)
//     should override Rate.
//   - statuspage: 1 request/s, burst 1, 1 in flight. limits.md §3: "Each
//     API token is limited to 1 request / second as measured on a 60 second
//     rolling window"; 420 or 429 above it.
//
// Every lane takes DefaultMaxAttempts and DefaultSendTimeout; e-mail gets
// 15 s, go-mail's own default timeout (recipes.md §3), since SMTP servers
// may delay the answer to DATA.
func DefaultLane(m comms.Medium) Lane {
	l := Lane{Rate: 1, Burst: 1, Concurrency: 1, MaxAttempts: DefaultMaxAttempts, SendTimeout: DefaultSendTimeout}
	switch m {
	case comms.MediumSlack:
		l.Rate, l.Burst, l.Concurrency = 1, 20, 8
	case comms.MediumEmail:
		l.Rate, l.Burst, l.Concurrency, l.SendTimeout = 14, 14, 8, 15*time.Second
	case comms.MediumSMS:
		l.Rate, l.Burst, l.Concurrency = 1, 1, 2
	case comms.MediumStatuspage:
		l.Rate, l.Burst, l.Concurrency = 1, 1, 1
	}
	return l
}

// lane returns the effective lane of m: the override's set fields over the
// default.
func (c *Config) lane(m comms.Medium) Lane {
	l := DefaultLane(m)
	o, ok := c.Lanes[m]
	if !ok {
		return l
	}
	if o.Rate > 0 {
		l.Rate = o.Rate
	}
	if o.Burst > 0 {
		l.Burst = o.Burst
	}
	if o.Concurrency > 0 {
		l.Concurrency = o.Concurrency
	}
	if o.MaxAttempts > 0 {
		l.MaxAttempts = o.MaxAttempts
	}
	if o.SendTimeout > 0 {
		l.SendTimeout = o.SendTimeout
	}
	return l
}

func (c *Config) setDefaults() {
	if c.RetryBase <= 0 {
		c.RetryBase = defaultRetryBase
	}
	if c.RetryMax <= 0 {
		c.RetryMax = defaultRetryMax
	}
	if c.RetryMax < c.RetryBase {
		c.RetryMax = c.RetryBase
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = defaultShutdownGrace
	}
	if c.BatchSize <= 0 {
		c.BatchSize = defaultBatchSize
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}
