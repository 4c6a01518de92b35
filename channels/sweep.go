package channels

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herald-comms/herald/comms"
)

// sweepMaxWait caps the sweep's wait after the queue failed it.
const sweepMaxWait = time.Minute

// sweep turns rows stuck in sending into unknown once their deadline has
// passed, until ctx is done. A row is stuck when a worker of this run could
// not write its outcome (every result write failed): without the sweep it
// would stay in sending, its comm unfinished, until the next start. As at
// start (recoverSending), the row may have reached the provider, so it is
// reconciled, never blindly resent.
//
// The sweep never touches a row a worker is still working on, however late:
// that worker writes its outcome. It sleeps until the earliest deadline of
// the stuck rows, or until a worker reports a row it left in sending.
func (d *Dispatcher) sweep(ctx context.Context) {
	fails := 0
	for ctx.Err() == nil {
		next, err := d.sweepOnce(ctx)
		var wait time.Duration
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			fails++
			wait = min(laneErrorWait<<min(fails, 6), sweepMaxWait)
			d.log.Error().Err(err).Dur("retry_in", wait).Msg("channels: sweeping rows left in sending")
		case !next.IsZero():
			fails = 0
			wait = max(next.Sub(d.cfg.Now()), 0)
		default:
			fails = 0
			wait = -1 // nothing to wait for but a worker's report
		}
		var timeout <-chan time.Time
		var t *time.Timer
		if wait >= 0 {
			t = time.NewTimer(wait)
			timeout = t.C
		}
		select {
		case <-ctx.Done():
		case <-d.stuck:
		case <-timeout:
		}
		if t != nil {
			t.Stop()
		}
	}
}

// sweepOnce turns the stuck rows past their deadline into unknown and wakes
// their lanes. next is the earliest deadline of the stuck rows left, zero
// when there is none.
func (d *Dispatcher) sweepOnce(ctx context.Context) (next time.Time, err error) {
	rows, err := d.q.Sending(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("channels: list rows in sending: %w", err)
	}
	now := d.cfg.Now()
	for _, r := range rows {
		l := d.lanes[r.Medium]
		if l == nil || l.busy(r.ID) {
			continue
		}
		if r.Deadline.After(now) {
			if next.IsZero() || r.Deadline.Before(next) {
				next = r.Deadline
			}
			continue
		}
		_, uerr := d.q.UpdateDelivery(ctx, r.ID, func(x *comms.Delivery) error {
			// Not the row listed any more (claimed again since), or a
			// worker has it now: not ours to touch.
			if x.State != comms.DeliverySending || !x.Deadline.Equal(r.Deadline) || x.Attempts != r.Attempts || l.busy(r.ID) {
				return errNotOurs
			}
			toUnknown(x, now)
			return nil
		})
		switch {
		case errors.Is(uerr, errNotOurs):
		case uerr != nil:
			err = errors.Join(err, fmt.Errorf("channels: mark %s unknown: %w", r.ID, uerr))
		default:
			logRow(d.log.Warn(), &r).Time("deadline", r.Deadline).
				Msg("channels: row stuck in sending past its deadline; reconciling it before any resend")
			l.wake()
		}
	}
	return next, err
}

// toUnknown makes a row left in sending unknown and due now, so its lane
// reconciles it before any resend.
func toUnknown(x *comms.Delivery, now time.Time) {
	x.State, x.NotBefore, x.Deadline, x.UpdatedAt = comms.DeliveryUnknown, now, time.Time{}, now
}
