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
	c.waitRuns()
	for i := 2; i <= 10; i++ { // ten changes within 900 ms
		clock.Advance(100 * time.Millisecond)
		set(i)
	}
	c.waitRuns()
	mu.Lock()
	if len(runs) != 1 {
		t.Fatalf("got %d runs within the interval; want 1", len(runs))
	}
	mu.Unlock()
	clock.Advance(2 * time.Second) // the trailing run fires
	c.waitRuns()
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

func TestCoalescerCloseWritesPending(t *testing.T) {
	clock := &fakeTimers{now: time.Unix(0, 0)}
	n := 0
	var mu sync.Mutex
	c := newCoalescer(time.Hour, clock.Now, func(d time.Duration, f func()) func() bool { return func() bool { return true } }, func(string) {
		mu.Lock()
		n++
		mu.Unlock()
	})
	c.Trigger("a")
	c.waitRuns()
	c.Trigger("a") // pending behind the interval
	c.Close()
	mu.Lock()
	defer mu.Unlock()
	if n != 2 {
		t.Errorf("got %d runs after Close; want 2", n)
	}
}

func TestCoalescerRunsNothingAfterClose(t *testing.T) {
	t.Parallel()
	clock := &fakeTimers{now: time.Unix(0, 0)}
	var mu sync.Mutex
	n := 0
	c := newCoalescer(time.Hour, clock.Now, clock.After, func(string) {
		mu.Lock()
		n++
		mu.Unlock()
	})
	c.Trigger("a")
	c.Close()
	c.Trigger("a") // first trigger of a new key would run at once
	c.Trigger("b")
	c.waitRuns()
	mu.Lock()
	defer mu.Unlock()
	if n != 1 {
		t.Errorf("got %d runs; want 1: triggers after Close must not run", n)
	}
}

// TestCoalescerCloseRacesTimers closes while real timers fire and triggers
// arrive from other goroutines; run with -race. Every run must end before
// Close returns, and none may start after.
func TestCoalescerCloseRacesTimers(t *testing.T) {
	t.Parallel()
	for range 20 {
		var mu sync.Mutex
		closed := false
		var late int
		c := newCoalescer(time.Microsecond, time.Now, realAfter, func(string) {
			mu.Lock()
			if closed {
				late++
			}
			mu.Unlock()
		})
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 200 {
					c.Trigger(string(rune('a' + (g+i)%3)))
				}
			}()
		}
		c.Close()
		mu.Lock()
		closed = true
		mu.Unlock()
		wg.Wait()
		c.waitRuns()
		mu.Lock()
		if late > 0 {
			t.Fatalf("got %d runs after Close returned; want none", late)
		}
		mu.Unlock()
	}
}
