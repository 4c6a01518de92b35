package channels

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/herald-comms/herald/comms"
)

// laneErrorWait is how long a lane waits after the queue itself failed.
const laneErrorWait = time.Second

// lane drains one medium's rows: it reads due rows, hands each to a worker
// (at most Lane.Concurrency at once), and sleeps until Notify, a worker
// finishing, or the next due time, whichever comes first.
type lane struct {
	d      *Dispatcher
	medium comms.Medium
	sender Sender
	cfg    Lane
	lim    *rate.Limiter
	batch  int

	sem    chan struct{} // one token per row being worked on
	notify chan struct{} // Dispatcher.Notify
	kick   chan struct{} // a worker finished

	mu         sync.Mutex
	inflight   map[string]bool // rows handed to a worker, claimed or not yet; the sweep leaves them alone
	pauseUntil time.Time       // a rate-limit answer pauses the whole lane
}

func newLane(d *Dispatcher, m comms.Medium, s Sender, cfg Lane) *lane {
	return &lane{
		d: d, medium: m, sender: s, cfg: cfg,
		lim:      rate.NewLimiter(cfg.Rate, cfg.Burst),
		batch:    max(d.cfg.BatchSize, 2*cfg.Concurrency),
		sem:      make(chan struct{}, cfg.Concurrency),
		notify:   make(chan struct{}, 1),
		kick:     make(chan struct{}, 1),
		inflight: map[string]bool{},
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (l *lane) wake() { signal(l.notify) }

// run drains the lane until ctx is done, then waits for its workers.
// Workers make provider calls and write results under hard, which outlives
// ctx by the shutdown grace.
func (l *lane) run(ctx, hard context.Context, fin *finisher) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		started, err := l.startDue(ctx, hard, fin, &wg)
		if err != nil {
			if ctx.Err() == nil {
				l.d.log.Error().Err(err).Str("medium", string(l.medium)).Msg("channels: reading due rows")
				l.sleep(ctx, laneErrorWait)
			}
			continue
		}
		if started == 0 {
			l.waitForWork(ctx)
		}
	}
}

// startDue hands the due rows no worker has yet to new workers.
func (l *lane) startDue(ctx, hard context.Context, fin *finisher, wg *sync.WaitGroup) (int, error) {
	rows, err := l.d.q.Due(ctx, l.medium, l.d.cfg.Now(), l.batch)
	if err != nil {
		return 0, err
	}
	started := 0
	for _, r := range rows {
		if l.busy(r.ID) {
			continue
		}
		select {
		case l.sem <- struct{}{}:
		case <-ctx.Done():
			return started, nil
		}
		l.setBusy(r.ID, true)
		started++
		wg.Add(1)
		go func() {
			defer wg.Done()
			stuck := l.deliver(ctx, hard, fin, r)
			l.setBusy(r.ID, false)
			if stuck {
				// Only now, with the row no longer ours, may the sweep take it.
				signal(l.d.stuck)
			}
			<-l.sem
			signal(l.kick)
		}()
	}
	return started, nil
}

// waitForWork sleeps until Notify, a worker finishing, or the next due row.
func (l *lane) waitForWork(ctx context.Context) {
	next, ok, err := l.d.q.NextDue(ctx, l.medium)
	if err != nil {
		if ctx.Err() == nil {
			l.d.log.Error().Err(err).Str("medium", string(l.medium)).Msg("channels: reading next due time")
		}
		l.sleep(ctx, laneErrorWait)
		return
	}
	var timeout <-chan time.Time
	if ok {
		wait := next.Sub(l.d.cfg.Now())
		if wait <= 0 {
			// Every due row is with a worker that has not claimed it yet;
			// its end kicks us. The floor only guards against a queue whose
			// Due and NextDue disagree.
			wait = 50 * time.Millisecond
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ctx.Done():
	case <-l.notify:
	case <-l.kick:
	case <-timeout:
	}
}

func (l *lane) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-l.notify:
	case <-t.C:
	}
}

func (l *lane) busy(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inflight[id]
}

func (l *lane) setBusy(id string, b bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b {
		l.inflight[id] = true
	} else {
		delete(l.inflight, id)
	}
}

// pause stops the lane's sends for d (a provider's Retry-After) and empties
// the token bucket, so the lane does not answer a 429 with a burst.
func (l *lane) pause(d time.Duration) {
	now := time.Now()
	l.mu.Lock()
	if until := now.Add(d); until.After(l.pauseUntil) {
		l.pauseUntil = until
	}
	l.mu.Unlock()
	if n := int(l.lim.TokensAt(now)); n > 0 {
		l.lim.AllowN(now, n)
	}
}

func (l *lane) pausedFor() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Until(l.pauseUntil)
}

// turn is the lane's permission for one send: the limiter's tokens, taken
// before the row is claimed (see deliver) and given back if unused.
type turn struct {
	bits   []grant
	tokens int // what bits add up to
}

// grant is one reservation of a turn and the time it was for.
type grant struct {
	r  *rate.Reservation
	at time.Time
}

// takeTurn waits until the lane is not paused and the limiter grants cost
// tokens (segments for SMS, one for the other media), in bites of at most
// the burst, so a long SMS costs its full share of the rate. On error
// (ctx done) nothing is held.
func (l *lane) takeTurn(ctx context.Context, cost int) (*turn, error) {
	t := &turn{}
	for left := max(cost, 1); left > 0; {
		n := min(left, max(l.lim.Burst(), 1))
		g, err := l.wait(ctx, n)
		if err != nil {
			t.giveBack()
			return nil, err
		}
		t.bits = append(t.bits, g)
		t.tokens += n
		left -= n
	}
	return t, nil
}

// giveBack returns the tokens of a turn that sent nothing (the claim
// failed, or reconciliation found the earlier attempt), as far as the
// limiter can: rate.Reservation.CancelAt at the granted time restores what
// no later reservation has been counted against. A nil turn is a no-op.
func (t *turn) giveBack() {
	if t == nil {
		return
	}
	for i := len(t.bits) - 1; i >= 0; i-- {
		t.bits[i].r.CancelAt(t.bits[i].at)
	}
	t.bits, t.tokens = nil, 0
}

// add moves the tokens of more into t.
func (t *turn) add(more *turn) {
	t.bits = append(t.bits, more.bits...)
	t.tokens += more.tokens
	more.bits, more.tokens = nil, 0
}

// wait waits out a pause, then for n tokens, and again if a pause began
// meanwhile (the tokens taken before the pause are spent: after a
// rate-limit answer, sending less is right).
func (l *lane) wait(ctx context.Context, n int) (grant, error) {
	for {
		if err := sleepCtx(ctx, l.pausedFor()); err != nil {
			return grant{}, err
		}
		now := time.Now()
		r := l.lim.ReserveN(now, n)
		if !r.OK() {
			return grant{}, fmt.Errorf("channels: %s lane: %d tokens exceed the limiter's burst of %d", l.medium, n, l.lim.Burst())
		}
		d := r.DelayFrom(now)
		g := grant{r: r, at: now.Add(d)}
		if err := sleepCtx(ctx, d); err != nil {
			g.r.CancelAt(g.at)
			return grant{}, err
		}
		if l.pausedFor() <= 0 {
			return g, nil
		}
	}
}

// sleepCtx waits for d (nothing when d ≤ 0) or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
