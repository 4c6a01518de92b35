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
type coalescer struct {
	interval time.Duration
	now      func() time.Time
	after    afterFunc
	run      func(key string)

	mu       sync.Mutex
	slots    map[string]*slot
	flushing bool
	wg       sync.WaitGroup
}

type slot struct {
	last    time.Time
	dirty   bool
	running bool
	stop    func() bool // the pending trailing run, if any
}

func newCoalescer(interval time.Duration, now func() time.Time, after afterFunc, run func(string)) *coalescer {
	return &coalescer{interval: interval, now: now, after: after, run: run, slots: map[string]*slot{}}
}

// Trigger asks for run(key) to happen soon.
func (c *coalescer) Trigger(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
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
	if s.last.IsZero() || wait <= 0 || c.flushing {
		c.startLocked(key, s)
		return
	}
	s.stop = c.after(wait, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		s.stop = nil
		if s.dirty && !s.running {
			c.startLocked(key, s)
		}
	})
}

func (c *coalescer) startLocked(key string, s *slot) {
	s.dirty, s.running, s.last = false, true, c.now()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer func() {
			c.mu.Lock()
			s.running = false
			c.scheduleLocked(key, s)
			c.mu.Unlock()
		}()
		c.run(key)
	}()
}

// Flush runs every pending trailing run now and waits for all runs, so that
// the final state is written before the bot stops.
func (c *coalescer) Flush() {
	c.mu.Lock()
	c.flushing = true
	for key, s := range c.slots {
		if s.stop != nil && s.stop() {
			s.stop = nil
			c.scheduleLocked(key, s)
		}
	}
	c.mu.Unlock()
	c.wg.Wait()
	c.mu.Lock()
	c.flushing = false
	c.mu.Unlock()
}
