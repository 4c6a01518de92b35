package bot

import (
	"sync"
	"testing"
	"time"
)

// fakeTimers is an injected clock with timers that fire when told to.
type fakeTimers struct {
	mu      sync.Mutex
	now     time.Time
	pending []fakeTimer
}

type fakeTimer struct {
	at time.Time
	f  func()
}

func (c *fakeTimers) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeTimers) After(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = append(c.pending, fakeTimer{at: c.now.Add(d), f: f})
	return func() bool { return false }
}

// Advance moves the clock and fires the timers that are due.
func (c *fakeTimers) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	keep := c.pending[:0]
	for _, t := range c.pending {
		if !t.at.After(c.now) {
			due = append(due, t.f)
		} else {
			keep = append(keep, t)
		}
	}
	c.pending = keep
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

func TestCoalescerWritesAtMostOncePerIntervalAndAlwaysTheLast(t *testing.T) {
	clock := &fakeTimers{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	var runs []time.Time
	state, written := 0, 0
	c := newCoalescer(2*time.Second, clock.Now, clock.After, func(string) {
		mu.Lock()
		defer mu.Unlock()
		runs = append(runs, clock.Now())
		written = state
	})
	set := func(v int) {
		mu.Lock()
		state = v
		mu.Unlock()
		c.Trigger("INC-1")
	}
	set(1) // leading edge: runs at once
	c.wg.Wait()
	for i := 2; i <= 10; i++ { // ten changes within 900 ms
		clock.Advance(100 * time.Millisecond)
		set(i)
	}
	c.wg.Wait()
	mu.Lock()
	if len(runs) != 1 {
		t.Fatalf("got %d runs within the interval; want 1", len(runs))
	}
	mu.Unlock()
	clock.Advance(2 * time.Second) // the trailing run fires
	c.wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(runs) != 2 {
		t.Fatalf("got %d runs; want 2 (leading and trailing)", len(runs))
	}
	if written != 10 {
		t.Errorf("the last run wrote state %d; want the final state 10", written)
	}
	if gap := runs[1].Sub(runs[0]); gap < 2*time.Second {
		t.Errorf("runs %v apart; want at least the interval", gap)
	}
}

func TestCoalescerFlushWritesPending(t *testing.T) {
	clock := &fakeTimers{now: time.Unix(0, 0)}
	n := 0
	var mu sync.Mutex
	c := newCoalescer(time.Hour, clock.Now, func(d time.Duration, f func()) func() bool { return func() bool { return true } }, func(string) {
		mu.Lock()
		n++
		mu.Unlock()
	})
	c.Trigger("a")
	c.wg.Wait()
	c.Trigger("a") // pending behind the interval
	c.Flush()
	mu.Lock()
	defer mu.Unlock()
	if n != 2 {
		t.Errorf("got %d runs after Flush; want 2", n)
	}
}
