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

// finisher calls Hooks.Finished for comms whose rows became final. Calls are
// serial and coalesced: while one runs, further rows of the same comm only
// mark it again, so a comm of 400 rows costs a handful of Finish
// transactions instead of 400, and the last mark is always followed by a call.
//
// It belongs to the Dispatcher, not to one Run: marks made while no Run is
// under way (Dispatcher.Finish) wait in dirty, and the kick left behind
// makes the next run flush them.
type finisher struct {
	d     *Dispatcher
	mu    sync.Mutex
	dirty map[string]bool
	kick  chan struct{}
}

func newFinisher(d *Dispatcher) *finisher {
	return &finisher{d: d, dirty: map[string]bool{}, kick: make(chan struct{}, 1)}
}

// mark records that commID is to be finished: a row of it became final, or
// the app asked. It never blocks.
func (f *finisher) mark(commID string) {
	f.mu.Lock()
	f.dirty[commID] = true
	f.mu.Unlock()
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// run calls the hook for marked comms until stop is closed, then flushes
// what is marked and returns.
func (f *finisher) run(ctx context.Context, stop <-chan struct{}) {
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
			f.flush(ctx)
		case <-stop:
			f.flush(ctx)
			return
		}
	}
}

func (f *finisher) flush(ctx context.Context) {
	f.mu.Lock()
	ids := make([]string, 0, len(f.dirty))
	for id := range f.dirty {
		ids = append(ids, id)
	}
	clear(f.dirty)
	f.mu.Unlock()
	if f.d.hooks.Finished == nil {
		return
	}
	for _, id := range ids {
		// Detached: the last flush runs after Run's context is done.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), hookTimeout)
		err := f.d.hooks.Finished(hctx, id)
		cancel()
		if err != nil {
			f.d.log.Error().Err(err).Str("comm_id", id).Msg("channels: finishing comm")
		}
	}
}
