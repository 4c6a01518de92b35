package channels_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/testkit"
	"github.com/herald-comms/herald/store"
)

// heldSender is a provider whose sends wait until the test releases their
// target, and whose Reconcile, like the e-mail sender's, answers found.
type heldSender struct {
	mu         sync.Mutex
	started    map[string]chan struct{}
	release    map[string]chan struct{}
	sends      map[string]int
	reconciles map[string]int
}

func newHeldSender(targets ...string) *heldSender {
	s := &heldSender{started: map[string]chan struct{}{}, release: map[string]chan struct{}{}, sends: map[string]int{}, reconciles: map[string]int{}}
	for _, to := range targets {
		s.started[to], s.release[to] = make(chan struct{}), make(chan struct{})
	}
	return s
}

func (s *heldSender) Send(_ context.Context, m channels.Message) (channels.Result, error) {
	to := m.Delivery.Target
	s.mu.Lock()
	s.sends[to]++
	first := s.sends[to] == 1
	s.mu.Unlock()
	if first {
		close(s.started[to])
	}
	<-s.release[to] // deaf to ctx: a provider call that outlives its deadline
	return channels.Result{Ref: "sent:" + to}, nil
}

func (s *heldSender) Reconcile(_ context.Context, m channels.Message) (channels.Result, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reconciles[m.Delivery.Target]++
	return channels.Result{Ref: "found:" + m.Delivery.Target}, true, nil
}

// let releases to's send; once is enough.
func (s *heldSender) let(to string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.release[to]:
	default:
		close(s.release[to])
	}
}

// letAll releases every send, so that a failed test's Run can return.
func (s *heldSender) letAll() {
	for to := range s.release {
		s.let(to)
	}
}

func (s *heldSender) calls(to string) (sends, reconciles int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sends[to], s.reconciles[to]
}

// failingWrites is the store, except that the first n writes to row id
// fail: the worker's result writes, all of them.
type failingWrites struct {
	*store.DB
	id string

	mu   sync.Mutex
	left int
}

func (q *failingWrites) UpdateDelivery(ctx context.Context, id string, fn func(*comms.Delivery) error) (comms.Delivery, error) {
	q.mu.Lock()
	fail := id == q.id && q.left > 0
	if fail {
		q.left--
	}
	q.mu.Unlock()
	if fail {
		return comms.Delivery{}, errors.New("disk full")
	}
	return q.DB.UpdateDelivery(ctx, id, fn)
}

// waitRow waits until the row is in state.
func (e *env) waitRow(t *testing.T, commID, id string, state comms.DeliveryState, within time.Duration) comms.Delivery {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r := e.rows(t, commID)[id]
		if r.State == state {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("row %s: got %s after %s; want %s", id, r.State, within, state)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRowStuckInSendingIsReconciled(t *testing.T) {
	t.Parallel()
	const stuck, slow = "person000@example.com", "person001@example.com"
	tests := []struct {
		name        string
		fake        bool          // the dispatcher's clock is a testkit.Clock, moved past both deadlines
		sendTimeout time.Duration // the rows' deadline is twice this after the claim
	}{
		{name: "deadline passed when the write failed", fake: true, sendTimeout: 2 * time.Second},
		{name: "deadline still ahead when the write failed", sendTimeout: 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			c := e.queue(t, targets{emails: 2}, time.Now().Add(time.Hour))
			ids := map[string]string{}
			for id, r := range e.rows(t, c.ID) {
				ids[r.Target] = id
			}
			q := &failingWrites{DB: e.db, id: ids[stuck], left: 3} // every result write of the first claim
			sender := newHeldSender(stuck, slow)

			cfg := testConfig()
			lane := cfg.Lanes[comms.MediumEmail]
			lane.SendTimeout = tt.sendTimeout
			cfg.Lanes[comms.MediumEmail] = lane
			clock := testkit.NewClock(time.Now())
			if tt.fake {
				cfg.Now = clock.Now
			}
			d := channels.New(cfg, q, map[comms.Medium]channels.Sender{comms.MediumEmail: sender}, e.hooks(), testLogger(t))
			e.run(t, d)
			t.Cleanup(sender.letAll) // before Run stops: a worker may still wait
			d.Notify()
			<-sender.started[stuck]
			<-sender.started[slow]
			if tt.fake {
				clock.Advance(10 * time.Minute) // both rows are past their deadline
			}

			// The stuck row's result cannot be written; once its deadline
			// has passed it is reconciled (found: never sent twice).
			sender.let(stuck)
			e.waitRow(t, c.ID, ids[stuck], comms.DeliverySent, 20*time.Second)
			if sends, reconciles := sender.calls(stuck); sends != 1 || reconciles != 1 {
				t.Errorf("stuck row: got %d sends, %d reconciliations; want 1 and 1", sends, reconciles)
			}
			// The slow row, still with its worker past its deadline, is
			// left alone: its worker writes its outcome.
			if got := e.rows(t, c.ID)[ids[slow]]; got.State != comms.DeliverySending {
				t.Errorf("slow row while its worker is on it: got %s; want sending", got.State)
			}
			sender.let(slow)
			if got := e.waitComm(t, c.ID, 20*time.Second); got.State != comms.StateSent {
				t.Errorf("got comm %s; want sent", got.State)
			}
			if got := e.rows(t, c.ID)[ids[slow]]; got.State != comms.DeliverySent || got.ProviderRef != "sent:"+slow {
				t.Errorf("slow row: got %s with ref %q; want sent with ref %q", got.State, got.ProviderRef, "sent:"+slow)
			}
			if sends, reconciles := sender.calls(slow); sends != 1 || reconciles != 0 {
				t.Errorf("slow row: got %d sends, %d reconciliations; want 1 and 0", sends, reconciles)
			}
		})
	}
}
