package channels

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/store"
)

const (
	publicURL = "https://status.example.com"
	shortlink = "https://stspg.io/checkout-errors-7"
)

// changingQueue is the store, except that the incident gains a Statuspage
// shortlink right after the dispatcher first loads it: as if the Statuspage
// row of the same comm had gone out while this row waited for its turn.
// It notes the lane's tokens at every load of the incident.
type changingQueue struct {
	*store.DB
	t *testing.T
	l *lane

	mu     sync.Mutex
	tokens []float64
}

func (q *changingQueue) Incident(ctx context.Context, id string) (comms.Incident, error) {
	inc, err := q.DB.Incident(ctx, id)
	if err != nil {
		return inc, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.tokens = append(q.tokens, q.l.lim.Tokens())
	if len(q.tokens) == 1 {
		if _, err := q.UpdateIncident(ctx, id, func(ch *comms.IncidentChange) error {
			ch.Incident.StatuspageShortlink = shortlink
			return nil
		}); err != nil {
			q.t.Error(err)
		}
	}
	return inc, nil
}

func (q *changingQueue) loads() []float64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]float64(nil), q.tokens...)
}

// recorder is a provider that keeps what it was asked to send.
type recorder struct {
	mu   sync.Mutex
	sent []Message
}

func (r *recorder) Send(_ context.Context, m Message) (Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
	return Result{Ref: "ref"}, nil
}

func (r *recorder) messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.sent...)
}

// smsThatGrows returns a comm message whose SMS fits one segment with the
// public URL and needs two with the shortlink.
func smsThatGrows(t *testing.T, inc comms.Incident) string {
	t.Helper()
	for n := 1; n < 200; n++ {
		c := comms.Comm{ID: "C-1", Audience: comms.External, Status: comms.Identified, IncludeLink: true, Message: strings.Repeat("x", n)}
		before := comms.Render(&inc, &c, comms.Links{PublicURL: publicURL}, false)
		inc2 := inc
		inc2.StatuspageShortlink = shortlink
		after := comms.Render(&inc2, &c, comms.Links{PublicURL: publicURL}, false)
		if before.SMS.Info.Segments == 1 && after.SMS.Info.Segments == 2 {
			return c.Message
		}
	}
	t.Fatal("found no message that grows from one SMS segment to two")
	return ""
}

func TestTextIsRenderedAfterTheTurn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		medium     comms.Medium
		burst      int // the lane's bucket, full at the start; it refills once an hour
		wantTokens int // taken from the bucket
		text       func(Message) string
		segments   int
	}{
		{name: "e-mail", medium: comms.MediumEmail, burst: 1, wantTokens: 1, text: func(m Message) string { return m.Rendered.Email.Text }},
		{name: "SMS that grows a segment takes its token", medium: comms.MediumSMS, burst: 2, wantTokens: 2,
			text: func(m Message) string { return m.Rendered.SMS.Text }, segments: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, row := oneRow(t, tt.medium, func(inc comms.Incident) string {
				if tt.medium == comms.MediumSMS {
					return smsThatGrows(t, inc)
				}
				return "Payments are failing."
			}, true)

			q := &changingQueue{DB: db, t: t}
			sender := &recorder{}
			cfg := Config{Links: comms.Links{PublicURL: publicURL},
				Lanes: map[comms.Medium]Lane{tt.medium: {Rate: rate.Every(time.Hour), Burst: tt.burst, Concurrency: 1, SendTimeout: time.Second}}}
			d := New(cfg, q, map[comms.Medium]Sender{tt.medium: sender}, Hooks{}, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
			q.l = d.lanes[tt.medium]
			d.lanes[tt.medium].deliver(ctx, ctx, d.fin, row)

			sent := sender.messages()
			if len(sent) != 1 {
				t.Fatalf("got %d sends; want 1", len(sent))
			}
			if got := tt.text(sent[0]); !strings.Contains(got, shortlink) {
				t.Errorf("got text %q; want it to carry the incident's link as stored after the turn, %s", got, shortlink)
			}
			if tt.segments > 0 {
				if got := sent[0].Rendered.SMS.Info.Segments; got != tt.segments {
					t.Errorf("got %d segments sent; want %d", got, tt.segments)
				}
			}
			loads := q.loads()
			if last := loads[len(loads)-1]; last > float64(tt.burst)-0.5 {
				t.Errorf("got the last load of the incident with %.2f of %d tokens left (loads: %.2f); want it after the turn was taken", last, tt.burst, loads)
			}
			if got, want := float64(tt.burst)-d.lanes[tt.medium].lim.Tokens(), float64(tt.wantTokens); got < want-0.01 || got > want+0.01 {
				t.Errorf("got %.2f tokens taken; want %d (one per segment sent)", got, tt.wantTokens)
			}
			if got, err := db.Deliveries(ctx, row.CommID); err != nil || len(got) != 1 || got[0].State != comms.DeliverySent {
				t.Errorf("got rows %v, error %v; want one, sent", got, err)
			}
		})
	}
}
