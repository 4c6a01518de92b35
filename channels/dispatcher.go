package channels

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/herald-comms/herald/comms"
)

// Dispatcher drains the outbox: one lane per medium, all running
// concurrently.
type Dispatcher struct {
	cfg   Config
	q     Queue
	hooks Hooks
	log   zerolog.Logger

	lanes   map[comms.Medium]*lane
	fin     *finisher
	stuck   chan struct{} // a worker left a row in sending (see sweep)
	running atomic.Bool
}

// New returns a Dispatcher that sends each medium's rows through its Sender.
// A medium without a Sender (not configured on this Herald) still has a
// lane: it fails its due rows with a message that says so, since they
// would never leave and their comm never finish.
func New(cfg Config, q Queue, senders map[comms.Medium]Sender, hooks Hooks, log zerolog.Logger) *Dispatcher {
	cfg.setDefaults()
	d := &Dispatcher{cfg: cfg, q: q, hooks: hooks, log: log, lanes: map[comms.Medium]*lane{}, stuck: make(chan struct{}, 1)}
	d.fin = newFinisher(d)
	for _, m := range comms.Media {
		d.lanes[m] = newLane(d, m, senders[m], cfg.lane(m))
	}
	return d
}

// Finish asks for Hooks.Finished to be called for commID through the same
// coalescing finisher as the rows' own outcomes, and returns at once. The
// app uses it for comms it cannot finish itself right now, such as those
// whose rows a newer comm superseded, found inside a Slack handler that must
// ack first. Before Run, or after Run returned, the request waits for the
// next Run.
func (d *Dispatcher) Finish(commID string) {
	d.fin.mark(commID)
}

// Notify wakes every lane to look for due rows. The app calls it right after
// it queued a comm; it never blocks.
func (d *Dispatcher) Notify() {
	for _, l := range d.lanes {
		l.wake()
	}
}

// Run drains the outbox until ctx is done, then waits for the provider calls
// under way (at most Config.ShutdownGrace before cancelling them), for
// their results to be written and for the Finished hooks under way, and
// returns. First it turns rows a previous run left in sending into unknown,
// so they are reconciled before any resend; while it runs, it does the same
// with rows whose outcome it could not write, once their deadline passed.
// Run returns an error only if that first step fails or Run is already
// running.
func (d *Dispatcher) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return errors.New("channels: dispatcher already running")
	}
	defer d.running.Store(false)
	if err := d.recoverSending(ctx); err != nil {
		return err
	}

	// hard outlives ctx by the grace period: provider calls and result
	// writes run under it, so a shutdown does not cut a send in half.
	hard, cancelHard := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHard()
	fin := d.fin
	finStop, finDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(finDone); fin.run(hard, finStop) }()

	sweepDone := make(chan struct{})
	go func() { defer close(sweepDone); d.sweep(ctx) }()

	var wg sync.WaitGroup
	for _, l := range d.lanes {
		wg.Add(1)
		go func() { defer wg.Done(); l.run(ctx, hard, fin) }()
	}
	lanesDone := make(chan struct{})
	go func() { wg.Wait(); close(lanesDone) }()

	<-ctx.Done()
	grace := time.NewTimer(d.cfg.ShutdownGrace)
	defer grace.Stop()
	select {
	case <-lanesDone:
	case <-grace.C:
		d.log.Warn().Dur("grace", d.cfg.ShutdownGrace).Msg("channels: cancelling provider calls still under way at shutdown")
		cancelHard()
		<-lanesDone
	}
	<-sweepDone
	close(finStop)
	<-finDone
	return nil
}

// recoverSending marks every row left in sending as unknown and due now.
func (d *Dispatcher) recoverSending(ctx context.Context) error {
	rows, err := d.q.Sending(ctx)
	if err != nil {
		return fmt.Errorf("channels: list rows left in sending: %w", err)
	}
	now := d.cfg.Now()
	for _, r := range rows {
		_, err := d.q.UpdateDelivery(ctx, r.ID, func(x *comms.Delivery) error {
			if x.State != comms.DeliverySending {
				return errNotOurs
			}
			toUnknown(x, now)
			return nil
		})
		if err != nil && !errors.Is(err, errNotOurs) {
			return fmt.Errorf("channels: mark %s unknown: %w", r.ID, err)
		}
		logRow(d.log.Info(), &r).Msg("channels: row left in sending by the previous run; reconciling it before any resend")
	}
	return nil
}

// errNotOurs aborts an update of a row that is no longer in the state this
// dispatcher left it in.
var errNotOurs = errors.New("channels: row changed under the dispatcher")

// logRow adds the row's fields to a log event.
func logRow(e *zerolog.Event, r *comms.Delivery) *zerolog.Event {
	return e.Str("incident_id", r.IncidentID).Str("comm_id", r.CommID).
		Str("medium", string(r.Medium)).Str("delivery_id", r.ID)
}
