package channels

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/store"
)

// These tests drive one lane's worker directly, to see what a row looks like
// while the worker waits for the lane's limiter: what a crash at that moment
// would leave behind.

// atMostOnce is a provider that, like the e-mail sender, cannot look: its
// Reconcile answers "found" for any row.
type atMostOnce struct {
	mu         sync.Mutex
	sends      int
	reconciles int
}

func (s *atMostOnce) Send(context.Context, Message) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sends++
	return Result{Ref: "sent"}, nil
}

func (s *atMostOnce) Reconcile(context.Context, Message) (Result, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reconciles++
	return Result{Ref: "found"}, true, nil
}

func (s *atMostOnce) calls() (sends, reconciles int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sends, s.reconciles
}

// turnEnv is a store holding one comm with one row of medium, a dispatcher
// whose lane for medium grants one send an hour, and that lane.
type turnEnv struct {
	db     *store.DB
	d      *Dispatcher
	l      *lane
	sender *atMostOnce
	row    comms.Delivery
}

// oneRow stores an incident and a sending external comm with one row of
// medium to one target, due a second ago, and returns the store and the row.
// message makes the comm's text from the stored incident.
func oneRow(t *testing.T, medium comms.Medium, message func(comms.Incident) string, includeLink bool) (*store.DB, comms.Delivery) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "herald.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	inc, err := db.CreateIncident(ctx, func(ch *comms.IncidentChange) error {
		i := ch.Incident
		i.Title, i.Severity, i.Status, i.Commander, i.DeclaredBy, i.DeclaredAt = "Checkout errors", comms.SEV1, comms.Investigating, "U1", "U1", time.Now()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	created := time.Now().Add(-time.Second)
	var r comms.Recipients
	switch medium {
	case comms.MediumEmail:
		r.Emails = []string{"person@example.com"}
	case comms.MediumSMS:
		r.SMS = []comms.Person{{Name: "Dana", Phone: "+14155550100"}}
	}
	text := message(inc)
	c, err := db.CreateComm(ctx, inc.ID, func(ch *comms.CommChange) error {
		ch.Incident.CommCount++
		c := ch.Comm
		c.Number, c.Author, c.Audience, c.Status, c.Recipients, c.Message, c.IncludeLink = ch.Incident.CommCount, "U1", comms.External, comms.Identified, r, text, includeLink
		c.State, c.Version, c.CreatedAt, c.SentAt = comms.StateSending, 1, created, created
		ch.NewDeliveries = comms.Deliveries(c, created, created, created.Add(time.Hour))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Deliveries(ctx, c.ID)
	if err != nil || len(rows) != 1 {
		t.Fatalf("got rows %v, error %v; want one", rows, err)
	}
	return db, rows[0]
}

func newTurnEnv(t *testing.T, medium comms.Medium, message string) *turnEnv {
	t.Helper()
	db, row := oneRow(t, medium, func(comms.Incident) string { return message }, false)
	e := &turnEnv{db: db, sender: &atMostOnce{}, row: row}
	cfg := Config{Lanes: map[comms.Medium]Lane{medium: {Rate: rate.Every(time.Hour), Burst: 1, Concurrency: 1, SendTimeout: time.Second}}}
	e.d = New(cfg, db, map[comms.Medium]Sender{medium: e.sender}, Hooks{}, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
	e.l = e.d.lanes[medium]
	return e
}

// setState puts the row in state, as an earlier claim would have left it.
func (e *turnEnv) setState(t *testing.T, state comms.DeliveryState) {
	t.Helper()
	if state == comms.DeliveryPending {
		return
	}
	ctx := context.Background()
	if _, ok, err := e.db.Claim(ctx, e.row.ID, time.Now(), time.Now().Add(time.Minute)); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	row, err := e.db.UpdateDelivery(ctx, e.row.ID, func(x *comms.Delivery) error {
		x.State, x.NotBefore, x.Deadline = state, time.Now().Add(-time.Second), time.Time{}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.row = row
}

func (e *turnEnv) stored(t *testing.T) comms.Delivery {
	t.Helper()
	rows, err := e.db.Deliveries(context.Background(), e.row.CommID)
	if err != nil || len(rows) != 1 {
		t.Fatalf("got rows %v, error %v; want one", rows, err)
	}
	return rows[0]
}

func TestRowIsClaimedOnlyOnItsTurn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		medium  comms.Medium
		state   comms.DeliveryState
		message string
	}{
		{"pending e-mail", comms.MediumEmail, comms.DeliveryPending, "Payments are failing."},
		{"e-mail to retry", comms.MediumEmail, comms.DeliveryFailedTemp, "Payments are failing."},
		{"SMS of several segments", comms.MediumSMS, comms.DeliveryPending, strings.Repeat("Payments are failing. ", 20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTurnEnv(t, tt.medium, tt.message)
			e.setState(t, tt.state)
			if !e.l.lim.Allow() { // the hour's only send is taken
				t.Fatal("got no token from a fresh limiter; want one")
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan struct{})
			go func() { defer close(done); e.l.deliver(ctx, ctx, e.d.fin, e.row) }()

			// The worker has reserved its turn once the bucket is below zero.
			for deadline := time.Now().Add(10 * time.Second); e.l.lim.Tokens() > -0.5; {
				if time.Now().After(deadline) {
					t.Fatal("the worker never waited for the lane's limiter")
				}
				time.Sleep(time.Millisecond)
			}
			// A crash now leaves the row as it is: it must not be in
			// sending, which a restart would reconcile as sent.
			if got := e.stored(t); got.State != tt.state || got.Attempts != e.row.Attempts {
				t.Errorf("while waiting for the lane's turn: got %s after %d attempts; want %s after %d", got.State, got.Attempts, tt.state, e.row.Attempts)
			}
			cancel()
			<-done
			if got := e.stored(t); got.State != tt.state || got.Attempts != e.row.Attempts {
				t.Errorf("after shutdown: got %s after %d attempts; want %s after %d", got.State, got.Attempts, tt.state, e.row.Attempts)
			}
			if sends, reconciles := e.sender.calls(); sends != 0 || reconciles != 0 {
				t.Errorf("got %d sends, %d reconciliations; want none", sends, reconciles)
			}
		})
	}
}

func TestUnusedTurnIsGivenBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		state     comms.DeliveryState // the stored row's, when the worker gets it as pending
		want      comms.DeliveryState
		reconcile int
	}{
		{"the claim fails: superseded meanwhile", comms.DeliverySuperseded, comms.DeliverySuperseded, 0},
		{"reconciliation finds the earlier attempt", comms.DeliveryUnknown, comms.DeliverySent, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTurnEnv(t, comms.MediumEmail, "Payments are failing.")
			due := e.row
			e.setState(t, tt.state)
			if tt.state == comms.DeliveryUnknown {
				due = e.row
			}
			e.l.deliver(context.Background(), context.Background(), e.d.fin, due)
			if got := e.stored(t); got.State != tt.want {
				t.Errorf("got row %s; want %s", got.State, tt.want)
			}
			if sends, reconciles := e.sender.calls(); sends != 0 || reconciles != tt.reconcile {
				t.Errorf("got %d sends, %d reconciliations; want 0, %d", sends, reconciles, tt.reconcile)
			}
			if got := e.l.lim.Tokens(); got < 0.99 {
				t.Errorf("got %.2f tokens left; want the one taken given back", got)
			}
		})
	}
}

func TestNotConfiguredNamesEveryMedium(t *testing.T) {
	t.Parallel()
	for _, m := range comms.Media {
		if got := notConfigured[m]; !strings.Contains(got, "not configured") {
			t.Errorf("medium %s: got %q; want a message that it is not configured", m, got)
		}
	}
}
