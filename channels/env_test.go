package channels_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/channels/email"
	"github.com/herald-comms/herald/channels/slack"
	"github.com/herald-comms/herald/channels/sms"
	"github.com/herald-comms/herald/channels/statuspage"
	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/slackfake"
	"github.com/herald-comms/herald/internal/smtptest"
	"github.com/herald-comms/herald/internal/statuspagefake"
	"github.com/herald-comms/herald/internal/twiliofake"
	"github.com/herald-comms/herald/store"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const smsFrom = "+15005550006"

// env is the real store plus every provider fake, with a sender for each.
type env struct {
	db      *store.DB
	svc     *comms.Service
	slack   *slackfake.Workspace
	twilio  *twiliofake.Fake
	sp      *statuspagefake.Fake
	smtp    *smtptest.Server
	senders map[comms.Medium]channels.Sender
	inc     comms.Incident
	hc      *http.Client

	mu       sync.Mutex
	finished map[string]int // Hooks.Finished calls per comm
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "herald.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	e := &env{db: db, svc: &comms.Service{Store: db}, slack: slackfake.New(t), twilio: twiliofake.New(t),
		sp: statuspagefake.New(t), smtp: newSMTP(t), finished: map[string]int{}}
	e.sp.SetRate(0, 1)

	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	t.Cleanup(hc.CloseIdleConnections)
	ss, err := slack.New(slack.Config{Token: e.slack.BotToken, BaseURL: e.slack.APIURL(), HTTPClient: hc})
	must(t, err)
	es, err := email.New(email.Config{Host: e.smtp.Host(), Port: e.smtp.Port(), TLS: email.NoTLS, From: "Herald <incidents@example.com>"})
	must(t, err)
	t.Cleanup(func() { _ = es.Close() })
	ts, err := sms.New(sms.Config{AccountSID: e.twilio.AccountSID, AuthToken: e.twilio.AuthToken, From: smsFrom, BaseURL: e.twilio.URL(), HTTPClient: hc})
	must(t, err)
	e.hc = hc
	ps, err := statuspage.New(statuspage.Config{APIKey: e.sp.APIKey, PageID: e.sp.PageID, BaseURL: e.sp.URL(), HTTPClient: hc,
		Limiter: rate.NewLimiter(rate.Inf, 1)})
	must(t, err)
	e.senders = map[comms.Medium]channels.Sender{comms.MediumSlack: ss, comms.MediumEmail: es, comms.MediumSMS: ts, comms.MediumStatuspage: ps}

	e.inc, err = db.CreateIncident(context.Background(), func(ch *comms.IncidentChange) error {
		i := ch.Incident
		i.Title, i.Severity, i.Status, i.Commander, i.DeclaredBy, i.DeclaredAt = "Checkout errors", comms.SEV1, comms.Investigating, "U1", "U1", time.Now()
		return nil
	})
	must(t, err)
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newStatuspageSender returns a Statuspage sender with its default pacing.
func newStatuspageSender(e *env) (*statuspage.Sender, error) {
	return statuspage.New(statuspage.Config{APIKey: e.sp.APIKey, PageID: e.sp.PageID, BaseURL: e.sp.URL(), HTTPClient: e.hc})
}

// targets is what one comm goes to.
type targets struct {
	channels, emails, sms int
	statuspage            bool
	member                func(i int) bool // whether Herald is in channel i; all when nil
}

// recipients creates the channels and returns the comm's recipients.
func (e *env) recipients(tg targets) comms.Recipients {
	var r comms.Recipients
	for i := range tg.channels {
		name := fmt.Sprintf("team-%02d", i)
		c, ok := e.slack.FindChannel(name)
		if !ok {
			members := []string{"U1"}
			if tg.member == nil || tg.member(i) {
				members = append(members, e.slack.BotUserID)
			}
			c = e.slack.AddChannel(name, slackfake.Public, members...)
		}
		r.Channels = append(r.Channels, c.ID())
	}
	for i := range tg.emails {
		r.Emails = append(r.Emails, fmt.Sprintf("person%03d@example.com", i))
	}
	for i := range tg.sms {
		r.SMS = append(r.SMS, comms.Person{Name: fmt.Sprintf("Person %d", i), Phone: fmt.Sprintf("+1415555%04d", i)})
	}
	if tg.statuspage {
		r.Statuspage = &comms.StatuspageTarget{CreateTitle: "Checkout is degraded", Notify: true}
	}
	return r
}

// queue stores an external comm to tg as sending, with its delivery rows
// due at once and given up on at giveUp — as comms.Service.Send does, in one
// transaction. Slack reconciliation reads history from the row's creation
// on, and slackfake's timestamps follow the wall clock as Slack's do.
func (e *env) queue(t testing.TB, tg targets, giveUp time.Time) comms.Comm {
	t.Helper()
	created := time.Now().Add(-time.Second) // due before any "now" a test takes after queueing
	r := e.recipients(tg)
	c, err := e.db.CreateComm(context.Background(), e.inc.ID, func(ch *comms.CommChange) error {
		ch.Incident.CommCount++
		c := ch.Comm
		c.Number, c.Author, c.Audience, c.Status, c.Recipients = ch.Incident.CommCount, "U1", comms.External, comms.Identified, r
		c.Message = fmt.Sprintf("Update %d: payments are *failing* for some customers.", c.Number)
		c.State, c.Version, c.CreatedAt, c.SentAt = comms.StateSending, 1, created, created
		ch.NewDeliveries = comms.Deliveries(c, created, created, giveUp)
		return nil
	})
	must(t, err)
	return c
}

// hooks wires Hooks to the comms.Service, as the app does.
func (e *env) hooks() channels.Hooks {
	return channels.Hooks{
		Finished: func(ctx context.Context, commID string) error {
			e.mu.Lock()
			e.finished[commID]++
			e.mu.Unlock()
			_, _, _, err := e.svc.Finish(ctx, commID)
			return err
		},
		StatuspageIncident: func(ctx context.Context, incidentID, id, shortlink string) error {
			_, err := e.svc.AttachStatuspage(ctx, incidentID, id, shortlink)
			return err
		},
	}
}

// fastLanes are lanes far faster than the providers' real limits, so tests
// run in little time.
func fastLanes() map[comms.Medium]channels.Lane {
	return map[comms.Medium]channels.Lane{
		comms.MediumSlack:      {Rate: 500, Burst: 20, Concurrency: 8, SendTimeout: 2 * time.Second},
		comms.MediumEmail:      {Rate: 2000, Burst: 50, Concurrency: 8, SendTimeout: 2 * time.Second},
		comms.MediumSMS:        {Rate: 2000, Burst: 50, Concurrency: 8, SendTimeout: 2 * time.Second},
		comms.MediumStatuspage: {Rate: 100, Burst: 1, Concurrency: 1, SendTimeout: 2 * time.Second},
	}
}

func testConfig() channels.Config {
	return channels.Config{Lanes: fastLanes(), RetryBase: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond, ShutdownGrace: 200 * time.Millisecond}
}

// start runs a dispatcher with every sender until the returned stop is
// called (or the test ends); stop waits for Run to return.
func (e *env) start(t testing.TB, cfg channels.Config) (d *channels.Dispatcher, stop func()) {
	t.Helper()
	d = e.dispatcher(t, cfg, e.senders)
	return d, e.run(t, d)
}

// dispatcher returns a dispatcher with the given senders, not running.
func (e *env) dispatcher(t testing.TB, cfg channels.Config, senders map[comms.Medium]channels.Sender) *channels.Dispatcher {
	return channels.New(cfg, e.db, senders, e.hooks(), testLogger(t))
}

// testLogger logs warnings and errors to the test's output.
func testLogger(t testing.TB) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
}

// run runs d until the returned stop is called (or the test ends); stop
// waits for Run to return.
func (e *env) run(t testing.TB, d *channels.Dispatcher) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// finishedCalls returns how often Hooks.Finished was called for a comm.
func (e *env) finishedCalls(commID string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.finished[commID]
}

// waitComm waits until the comm is no longer sending and returns it.
func (e *env) waitComm(t testing.TB, id string, within time.Duration) comms.Comm {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c, err := e.db.Comm(context.Background(), id)
		must(t, err)
		if c.State != comms.StateSending {
			return c
		}
		if time.Now().After(deadline) {
			rows, _ := e.db.Deliveries(context.Background(), id)
			t.Fatalf("comm %s still sending after %s: %s", id, within, comms.FormatCounts(comms.CountDeliveries(rows)))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rows returns a comm's delivery rows by id.
func (e *env) rows(t testing.TB, commID string) map[string]comms.Delivery {
	t.Helper()
	ds, err := e.db.Deliveries(context.Background(), commID)
	must(t, err)
	out := map[string]comms.Delivery{}
	for _, d := range ds {
		out[d.ID] = d
	}
	return out
}

// heraldPosts counts Herald's messages per channel id, and the comm ids
// their metadata names.
func (e *env) heraldPosts(channelID string) (n int, commIDs []string) {
	c, ok := e.slack.FindChannel(channelID)
	if !ok {
		return 0, nil
	}
	for _, m := range c.Messages() {
		if m.UserID == e.slack.BotUserID {
			n++
			if m.Metadata != nil {
				commIDs = append(commIDs, fmt.Sprint(m.Metadata.EventPayload["comm_id"]))
			}
		}
	}
	return n, commIDs
}

// checkOnce fails the test unless every target of r got exactly one
// message, and returns a description of the counts.
func (e *env) checkOnce(t testing.TB, r comms.Recipients) {
	t.Helper()
	bad := 0
	report := func(format string, args ...any) {
		if bad < 10 {
			t.Errorf(format, args...)
		}
		bad++
	}
	for _, ch := range r.Channels {
		if n, _ := e.heraldPosts(ch); n != 1 {
			report("channel %s: got %d posts; want 1", ch, n)
		}
	}
	for _, a := range r.Emails {
		if n := len(e.smtp.Inbox(a)); n != 1 {
			report("%s: got %d e-mails; want 1", a, n)
		}
	}
	for _, p := range r.SMS {
		if n := len(e.twilio.Inbox(p.Phone)); n != 1 {
			report("%s: got %d SMS; want 1", p.Phone, n)
		}
	}
	if r.Statuspage != nil {
		if n := len(e.sp.Incidents()); n != 1 {
			report("statuspage: got %d incidents; want 1", n)
		}
	}
	if bad > 0 {
		t.Errorf("%d targets did not get exactly one message", bad)
	}
}

// newSMTP starts an SMTP server and waits for its greeting: smtptest's
// cleanup hangs if the server is closed before its Serve goroutine ran.
func newSMTP(t testing.TB) *smtptest.Server {
	t.Helper()
	srv := smtptest.New(t)
	conn, err := net.Dial("tcp", srv.Addr())
	must(t, err)
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	greeting, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(greeting, "220") {
		t.Fatalf("got greeting %q, error %v; want 220", greeting, err)
	}
	_, _ = conn.Write([]byte("QUIT\r\n"))
	return srv
}
