package channels

import (
	"context"
	"sync"
	"time"
)

// hookTimeout bounds one call of a hook.
const hookTimeout = 10 * time.Second

// finishDelay is how long the finisher collects final rows before it calls
// Hooks.Finished: short next to any lane's N/R, long enough that a burst of
// rows costs one Finish transaction.
const finishDelay = 50 * time.Millisecond

// finishConcurrency is how many Finished calls run at once. The hook makes
// Slack calls (the delivery report, the pinned summary) that take up to
// hookTimeout when Slack is slow or rate-limits; one at a time, every comm's
// report would wait behind the previous comm's.
const finishConcurrency = 4

// finisher calls Hooks.Finished for comms whose rows became final. Calls for
// different comms run concurrently (up to finishConcurrency); calls for one
// comm are serial and coalesced: while one runs, further rows of the same
// comm only mark it again, so a comm of 400 rows costs a handful of Finish
// transactions instead of 400, and the last mark is always followed by a
// call.
//
// It belongs to the Dispatcher, not to one Run: marks made while no Run is
// under way (Dispatcher.Finish) wait in dirty, and the kick left behind
// makes the next run flush them.
type finisher struct {
	d       *Dispatcher
	mu      sync.Mutex
	dirty   map[string]bool // marked since its last call started
	running map[string]bool // a call is under way
	kick    chan struct{}   // a mark, or a call ended with marks waiting
	ended   chan struct{}   // a call ended
}

func newFinisher(d *Dispatcher) *finisher {
	return &finisher{d: d, dirty: map[string]bool{}, running: map[string]bool{},
		kick: make(chan struct{}, 1), ended: make(chan struct{}, 1)}
}

// mark records that commID is to be finished: a row of it became final, or
// the app asked. It never blocks.
func (f *finisher) mark(commID string) {
	f.mu.Lock()
	f.dirty[commID] = true
	f.mu.Unlock()
	signal(f.kick)
}

// run calls the hook for marked comms until stop is closed, then calls it
// for what is still marked, waits for the calls under way, and returns.
func (f *finisher) run(ctx context.Context, stop <-chan struct{}) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-f.kick:
			// Let the rows finishing together land first.
			t := time.NewTimer(finishDelay)
			select {
			case <-t.C:
			case <-stop:
				t.Stop()
			}
			f.start(ctx, &wg)
		case <-stop:
			for !f.start(ctx, &wg) {
				<-f.ended
			}
			return
		}
	}
}

// start starts a call for each marked comm that has none under way, as far
// as free slots allow. It reports whether nothing is left marked or running.
func (f *finisher) start(ctx context.Context, wg *sync.WaitGroup) (idle bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id := range f.dirty {
		if len(f.running) >= finishConcurrency {
			break
		}
		if f.running[id] {
			continue // its call ends with a kick; the mark stays
		}
		delete(f.dirty, id)
		if f.d.hooks.Finished == nil {
			continue
		}
		f.running[id] = true
		wg.Add(1)
		go func() { defer wg.Done(); f.call(ctx, id) }()
	}
	return len(f.dirty) == 0 && len(f.running) == 0
}

// call runs the hook for one comm, then hands on what waited for it: a new
// mark of the same comm, or another comm waiting for a slot.
func (f *finisher) call(ctx context.Context, id string) {
	// Detached: the last calls run after Run's context is done.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), hookTimeout)
	err := f.d.hooks.Finished(hctx, id)
	cancel()
	if err != nil {
		f.d.log.Error().Err(err).Str("comm_id", id).Msg("channels: finishing comm")
	}
	f.mu.Lock()
	delete(f.running, id)
	waiting := len(f.dirty) > 0
	f.mu.Unlock()
	if waiting {
		signal(f.kick)
	}
	signal(f.ended)
}
