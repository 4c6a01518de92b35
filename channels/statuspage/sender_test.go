package statuspage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/channels/statuspage"
	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/statuspagefake"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newSender returns a sender for f; unlimited unpaces both sides.
func newSender(t *testing.T, f *statuspagefake.Fake, unlimited bool, mod func(*statuspage.Config)) *statuspage.Sender {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	cfg := statuspage.Config{APIKey: f.APIKey, PageID: f.PageID, BaseURL: f.URL(), HTTPClient: hc}
	if unlimited {
		f.SetRate(0, 1)
		cfg.Limiter = rate.NewLimiter(rate.Inf, 1)
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := statuspage.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// message builds the Message of an external comm of INC-7 to Statuspage
// that updates spIncident, or when it is "" the incident attached to INC-7
// (attached), creating one named after INC-7 when none is.
func message(commID, spIncident, attached string) channels.Message {
	return build(commID, comms.StatuspageTarget{IncidentID: spIncident, Notify: true}, attached)
}

// creating builds the Message of a comm that asks for a new Statuspage
// incident called title, INC-7 having attached.
func creating(commID, title, attached string) channels.Message {
	return build(commID, comms.StatuspageTarget{CreateTitle: title, Notify: true}, attached)
}

func build(commID string, t comms.StatuspageTarget, attached string) channels.Message {
	inc := comms.Incident{ID: "INC-7", Number: 7, Title: "Checkout errors", Severity: comms.SEV2, Status: comms.Identified,
		StatuspageIncidentID: attached}
	c := comms.Comm{ID: commID, IncidentID: inc.ID, Number: 2, Audience: comms.External, Message: "We are fixing *checkout*.", Status: comms.Identified,
		Recipients: comms.Recipients{Statuspage: &t}}
	d := comms.Delivery{ID: comms.DeliveryID(c.ID, comms.MediumStatuspage, comms.StatuspageTargetKey), CommID: c.ID, IncidentID: inc.ID,
		Medium: comms.MediumStatuspage, Target: comms.StatuspageTargetKey, State: comms.DeliverySending, Attempts: 1}
	return channels.Message{Delivery: d, Comm: c, Incident: inc, Rendered: comms.Render(&inc, &c, comms.Links{}, false)}
}

type meta struct {
	Herald struct{ Incident, Comm string } `json:"herald"`
}

func heraldMeta(t *testing.T, in statuspagefake.Incident) meta {
	t.Helper()
	var m meta
	if err := json.Unmarshal(in.Metadata, &m); err != nil {
		t.Fatalf("metadata %s: %v", in.Metadata, err)
	}
	return m
}

func TestCreateThenUpdate(t *testing.T) {
	t.Parallel()
	f := statuspagefake.New(t)
	s := newSender(t, f, true, nil)
	ctx := context.Background()

	created, err := s.Send(ctx, creating("C-2", "Checkout is degraded", ""))
	if err != nil {
		t.Fatal(err)
	}
	all := f.Incidents()
	if len(all) != 1 {
		t.Fatalf("got %d incidents; want 1", len(all))
	}
	in := all[0]
	if created.StatuspageIncidentID != in.ID || created.Shortlink != in.Shortlink || created.Ref != in.IncidentUpdates[0].ID {
		t.Errorf("got result %+v; want id %s, shortlink %s, ref %s", created, in.ID, in.Shortlink, in.IncidentUpdates[0].ID)
	}
	if in.Name != "Checkout is degraded" || in.Status != "identified" || in.IncidentUpdates[0].Body != "We are fixing checkout." || !in.IncidentUpdates[0].DeliverNotifications {
		t.Errorf("got incident %q %s %q notify=%v; want the rendered comm", in.Name, in.Status, in.IncidentUpdates[0].Body, in.IncidentUpdates[0].DeliverNotifications)
	}
	if m := heraldMeta(t, in); m.Herald.Incident != "INC-7" || m.Herald.Comm != "C-2" {
		t.Errorf("got metadata %s; want herald incident INC-7, comm C-2", in.Metadata)
	}

	tests := []struct {
		name string
		m    channels.Message
	}{
		{"the comm names the Statuspage incident", message("C-3", in.ID, "")},
		{"the Herald incident has it attached", message("C-4", "", in.ID)},
	}
	for i, tt := range tests {
		res, err := s.Send(ctx, tt.m)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, _ := f.Incident(in.ID)
		if n := len(f.Incidents()); n != 1 {
			t.Errorf("%s: got %d incidents; want still 1", tt.name, n)
		}
		if len(got.IncidentUpdates) != i+2 || res.Ref != got.IncidentUpdates[0].ID || res.StatuspageIncidentID != in.ID {
			t.Errorf("%s: got %d updates, result %+v; want %d and the newest update's id", tt.name, len(got.IncidentUpdates), res, i+2)
		}
		if m := heraldMeta(t, got); m.Herald.Comm != tt.m.Comm.ID {
			t.Errorf("%s: got metadata comm %q; want %q", tt.name, m.Herald.Comm, tt.m.Comm.ID)
		}
	}
}

// TestTarget checks which Statuspage incident each kind of comm creates or
// updates, including a retry after a create whose answer was lost.
func TestTarget(t *testing.T) {
	t.Parallel()
	const attached = "attached" // stands for the id of the incident C-2 created
	tests := []struct {
		name  string
		sends []channels.Message // after C-2 created the Herald incident's first one, named after it
		names []string           // the page's incidents afterwards, newest first
		comms []string           // the comm each one's metadata names
		posts int                // creates, C-2's included
	}{
		{name: "a comm with neither target nor title updates the attached incident",
			sends: []channels.Message{message("C-3", "", attached)},
			names: []string{"Checkout errors"}, comms: []string{"C-3"}, posts: 1},
		{name: "nothing attached: found by its metadata",
			sends: []channels.Message{message("C-3", "", "")},
			names: []string{"Checkout errors"}, comms: []string{"C-3"}, posts: 1},
		{name: "create asked while one is attached",
			sends: []channels.Message{creating("C-3", "Payments are down", attached)},
			names: []string{"Payments are down", "Checkout errors"}, comms: []string{"C-3", "C-2"}, posts: 2},
		{name: "create retried after its answer was lost",
			sends: []channels.Message{creating("C-3", "Payments are down", attached), creating("C-3", "Payments are down", attached)},
			names: []string{"Payments are down", "Checkout errors"}, comms: []string{"C-3", "C-2"}, posts: 2},
		{name: "another comm's create is not this one's",
			sends: []channels.Message{creating("C-3", "Payments are down", attached), creating("C-4", "Payments are down", attached)},
			names: []string{"Payments are down", "Payments are down", "Checkout errors"}, comms: []string{"C-4", "C-3", "C-2"}, posts: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := statuspagefake.New(t)
			s := newSender(t, f, true, nil)
			ctx := context.Background()
			first, err := s.Send(ctx, message("C-2", "", ""))
			if err != nil {
				t.Fatal(err)
			}
			var results []channels.Result
			for _, m := range tt.sends {
				if m.Incident.StatuspageIncidentID == attached {
					m.Incident.StatuspageIncidentID = first.StatuspageIncidentID
				}
				res, err := s.Send(ctx, m)
				if err != nil {
					t.Fatalf("send %s: %v", m.Comm.ID, err)
				}
				results = append(results, res)
			}
			var names, ids []string
			for _, in := range f.Incidents() {
				names, ids = append(names, in.Name), append(ids, heraldMeta(t, in).Herald.Comm)
			}
			if !slices.Equal(names, tt.names) || !slices.Equal(ids, tt.comms) {
				t.Errorf("got incidents %q of comms %q; want %q of %q", names, ids, tt.names, tt.comms)
			}
			posts := 0
			for _, r := range f.Requests() {
				if r.Method == http.MethodPost {
					posts++
				}
			}
			if posts != tt.posts {
				t.Errorf("got %d creates; want %d", posts, tt.posts)
			}
			if len(results) == 2 && results[0].Ref != results[1].Ref && tt.sends[0].Comm.ID == tt.sends[1].Comm.ID {
				t.Errorf("got retry result %+v; want the first one, %+v", results[1], results[0])
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		m       channels.Message
		fault   func(f *statuspagefake.Fake)
		cfg     func(c *statuspage.Config)
		timeout time.Duration
		class   channels.Class
		say     string
		wait    time.Duration
	}{
		{name: "429 with Retry-After", m: message("C-2", "", ""), class: channels.Retryable, wait: 2 * time.Second,
			fault: func(f *statuspagefake.Fake) { f.Force429(1, 2*time.Second) }},
		{name: "422 name too long", m: func() channels.Message {
			m := message("C-2", "", "")
			m.Rendered.Statuspage.Name = strings.Repeat("n", 256)
			return m
		}(), class: channels.Permanent, say: "Statuspage refused the update: Name is too long"},
		{name: "401 bad key", m: message("C-2", "", ""), class: channels.Permanent, say: "refused Herald's API key",
			cfg: func(c *statuspage.Config) { c.APIKey = "wrong" }},
		{name: "404 unknown incident", m: message("C-2", "nosuchincident", ""), class: channels.Permanent, say: "nosuchincident was not found"},
		{name: "500 is ambiguous", m: message("C-2", "", ""), class: channels.Ambiguous,
			fault: func(f *statuspagefake.Fake) { f.FailNext(1) }},
		{name: "hang is ambiguous", m: message("C-2", "", ""), class: channels.Ambiguous, timeout: 200 * time.Millisecond,
			fault: func(f *statuspagefake.Fake) { f.HangNext(1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := statuspagefake.New(t)
			s := newSender(t, f, true, tt.cfg)
			if tt.fault != nil {
				tt.fault(f)
			}
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err := s.Send(ctx, tt.m)
			e := channels.AsError(err)
			if e == nil {
				t.Fatalf("got error %v (%T); want a *channels.Error", err, err)
			}
			if e.Class != tt.class {
				t.Errorf("got class %s (%v); want %s", e.Class, err, tt.class)
			}
			if !strings.Contains(e.Message, tt.say) {
				t.Errorf("got message %q; want it to contain %q", e.Message, tt.say)
			}
			if e.RetryAfter < tt.wait {
				t.Errorf("got RetryAfter %s; want at least %s", e.RetryAfter, tt.wait)
			}
			if n := len(f.Incidents()); n != 0 {
				t.Errorf("got %d incidents; want none", n)
			}
		})
	}
}

func TestReconcile(t *testing.T) {
	t.Parallel()
	f := statuspagefake.New(t)
	s := newSender(t, f, true, nil)
	ctx := context.Background()

	if _, _, err := s.Reconcile(ctx, message("C-2", "", "")); err != nil {
		t.Fatal(err)
	}
	f.FailNext(1)
	if _, err := s.Send(ctx, message("C-2", "", "")); channels.AsError(err) == nil || channels.AsError(err).Class != channels.Ambiguous {
		t.Fatalf("got %v; want an ambiguous error", err)
	}
	if _, found, err := s.Reconcile(ctx, message("C-2", "", "")); err != nil || found {
		t.Fatalf("after a failed create: got found %v, error %v; want not found", found, err)
	}
	created, err := s.Send(ctx, message("C-2", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		m     channels.Message
		found bool
	}{
		{"the comm that created it", message("C-2", "", ""), true},
		{"the same comm, incident attached", message("C-2", "", created.StatuspageIncidentID), true},
		{"a later comm not yet sent", message("C-3", "", created.StatuspageIncidentID), false},
		{"a later comm, searched", message("C-3", "", ""), false},
	}
	for _, tt := range tests {
		res, found, err := s.Reconcile(ctx, tt.m)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if found != tt.found {
			t.Errorf("%s: got found %v; want %v", tt.name, found, tt.found)
		}
		if found && res != created {
			t.Errorf("%s: got %+v; want %+v", tt.name, res, created)
		}
	}
}

func TestCreatePacesItsTwoRequests(t *testing.T) {
	t.Parallel()
	f := statuspagefake.New(t) // Statuspage's 1 request/s, burst 1
	s := newSender(t, f, false, nil)
	start := time.Now()
	if _, err := s.Send(context.Background(), message("C-2", "", "")); err != nil {
		t.Fatalf("got %v; want the search and the create paced under the limit", err)
	}
	if got := f.Throttled(); got != 0 {
		t.Errorf("got %d 429s; want none", got)
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Errorf("got search and create in %s; want them a second apart", el)
	}
}

// TestReconcileNewerComm checks that an unknown update is not sent again
// once a newer comm of the same Herald incident is on the Statuspage
// incident: that would publish the older status last.
func TestReconcileNewerComm(t *testing.T) {
	t.Parallel()
	const attached = "attached" // stands for the id of the incident C-2 created
	other := message("C-9", attached, "")
	other.Incident.ID = "INC-8"
	tests := []struct {
		name  string
		later channels.Message // what updated the incident after C-2 created it
		m     channels.Message // the unknown row's message
		found bool
	}{
		{"a newer comm updated the attached incident", message("C-4", "", attached), message("C-3", "", attached), true},
		{"a newer comm updated the chosen incident", message("C-4", attached, ""), message("C-3", attached, ""), true},
		{"a newer comm updated it, nothing attached", message("C-4", "", attached), message("C-3", "", ""), true},
		{"a newer comm updated the attached one, this comm creates", message("C-4", "", attached), creating("C-3", "Payments are down", attached), true},
		{"an older comm updated it", message("C-2", "", attached), message("C-3", "", attached), false},
		{"a newer comm of another Herald incident updated it", other, message("C-3", "", attached), false},
		{"C-10 is newer than C-9", message("C-10", "", attached), message("C-9", "", attached), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := statuspagefake.New(t)
			s := newSender(t, f, true, nil)
			ctx := context.Background()
			first, err := s.Send(ctx, message("C-2", "", ""))
			if err != nil {
				t.Fatal(err)
			}
			fix := func(m channels.Message) channels.Message {
				if m.Incident.StatuspageIncidentID == attached {
					m.Incident.StatuspageIncidentID = first.StatuspageIncidentID
				}
				if t := m.Comm.Recipients.Statuspage; t.IncidentID == attached {
					c := *t
					c.IncidentID = first.StatuspageIncidentID
					m.Comm.Recipients.Statuspage = &c
				}
				return m
			}
			if _, err := s.Send(ctx, fix(tt.later)); err != nil {
				t.Fatal(err)
			}
			res, found, err := s.Reconcile(ctx, fix(tt.m))
			if err != nil {
				t.Fatal(err)
			}
			if found != tt.found {
				t.Fatalf("got found %v; want %v", found, tt.found)
			}
			in, _ := f.Incident(first.StatuspageIncidentID)
			if want := (channels.Result{Ref: in.IncidentUpdates[0].ID}); found && res != want {
				t.Errorf("got %+v; want %+v: the newest update, and no incident to attach", res, want)
			}
		})
	}
}

// TestSearchGivesUpWithItsContext checks that a search sharing the key's
// limiter with deliveries that used the bucket up does not wait for a turn
// its context leaves no time for, and sends nothing.
func TestSearchGivesUpWithItsContext(t *testing.T) {
	t.Parallel()
	lim := rate.NewLimiter(rate.Every(time.Hour), 1)
	f := statuspagefake.New(t)
	f.SetRate(0, 1)
	s := newSender(t, f, false, func(c *statuspage.Config) { c.Limiter = lim })
	if !lim.Allow() { // a delivery's request took the only token
		t.Fatal("got no token from a fresh limiter; want one")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := s.Search(ctx, "checkout")
	if e := channels.AsError(err); e == nil || e.Class != channels.Retryable {
		t.Errorf("got %v, %v; want a retryable error: the turn is an hour away", got, err)
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("got %d requests; want none", n)
	}
}
