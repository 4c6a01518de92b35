package bot

import (
	"sync"
	"time"
)

// afterFunc runs f after d and returns a func that cancels it (reporting
// whether it stopped f from running). Tests inject a fake.
type afterFunc func(d time.Duration, f func()) (stop func() bool)

func realAfter(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// coalescer runs run(key) at most once per interval per key, however often
// Trigger is called: the first trigger runs at once, later ones within the
// interval collapse into one trailing run, which reads the state as it is
// then, so the final state is always written.
//
// Work in flight (runs under way and trailing runs waiting for their timer)
// is counted under mu rather than in a sync.WaitGroup: timers and triggers
// start work at any moment, also while Close waits, and a WaitGroup may not
// grow from zero while someone waits on it.
type coalescer struct {
	interval time.Duration
	now      func() time.Time
	after    afterFunc
	run      func(key string)

	mu      sync.Mutex
	idle    sync.Cond // broadcast when runs or timers drop to zero
	slots   map[string]*slot
	runs    int  // runs under way
	timers  int  // trailing runs waiting for their timer
	closing bool // Close has begun: trailing runs start at once
	closed  bool // Close has returned: Trigger does nothing
}

type slot struct {
	last    time.Time
	dirty   bool
	running bool
	stop    func() bool // the pending trailing run, if any
}

func newCoalescer(interval time.Duration, now func() time.Time, after afterFunc, run func(string)) *coalescer {
	c := &coalescer{interval: interval, now: now, after: after, run: run, slots: map[string]*slot{}}
	c.idle.L = &c.mu
	return c
}

// Trigger asks for run(key) to happen soon. Once Close has returned it does
// nothing: whatever run touches (Slack, the database) may be gone.
func (c *coalescer) Trigger(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	s := c.slots[key]
	if s == nil {
		s = &slot{}
		c.slots[key] = s
	}
	s.dirty = true
	c.scheduleLocked(key, s)
}

func (c *coalescer) scheduleLocked(key string, s *slot) {
	if !s.dirty || s.running || s.stop != nil {
		return
	}
	wait := s.last.Add(c.interval).Sub(c.now())
	if s.last.IsZero() || wait <= 0 || c.closing {
		c.startLocked(key, s)
		return
	}
	c.timers++ // counted until it fires or is stopped, so that Close waits for it
	s.stop = c.after(wait, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		s.stop = nil
		if s.dirty && !s.running {
			c.startLocked(key, s)
		}
		c.timerDoneLocked()
	})
}

func (c *coalescer) startLocked(key string, s *slot) {
	s.dirty, s.running, s.last = false, true, c.now()
	c.runs++
	go func() {
		defer func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			s.running = false
			c.scheduleLocked(key, s) // counted before this run's count goes
			c.runs--
			c.idle.Broadcast()
		}()
		c.run(key)
	}()
}

func (c *coalescer) timerDoneLocked() {
	c.timers--
	c.idle.Broadcast()
}

// waitRuns blocks until no run is under way; trailing runs may still be
// waiting for their timers.
func (c *coalescer) waitRuns() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.runs > 0 {
		c.idle.Wait()
	}
}

// Close runs every pending trailing run now, waits for all runs, and then
// makes Trigger a no-op, so that the final state is written before the bot
// stops and nothing starts after it has.
func (c *coalescer) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closing = true
	for key, s := range c.slots {
		if s.stop != nil && s.stop() {
			s.stop = nil
			c.timers--
			c.scheduleLocked(key, s)
		}
	}
	for c.runs > 0 || c.timers > 0 {
		c.idle.Wait()
	}
	c.closed = true
}
