package bot_test

import (
	"context"
	"github.com/herald-comms/herald/internal/testkit"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-comms/herald/bot"
	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/slackfake"
	"github.com/herald-comms/herald/store"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
)

// The people of the test workspace.
const (
	alice = "U0ALICE" // declares incidents and commands them
	bob   = "U0BOB"   // a configured approver
	carol = "U0CAROL" // has no phone number on her profile
	dave  = "U0DAVE"  // neither commander nor approver
)

// harness is a real bot on a real service (bbolt in a temp dir) against
// slackfake.
type harness struct {
	t        testing.TB
	w        *slackfake.Workspace
	db       *store.DB
	svc      *comms.Service
	bot      *bot.Bot
	ops      *slackfake.Channel
	notified atomic.Int32
	logs     *testkit.SyncBuffer
	stop     func() // stops the bot and waits for Run to return; Cleanup calls it too
}

// fakeStatuspage answers the Statuspage incident search.
type fakeStatuspage struct{}

func (fakeStatuspage) SearchIncidents(_ context.Context, q string) ([]bot.StatuspageIncident, error) {
	all := []bot.StatuspageIncident{{ID: "sp-api", Name: "API outage", Status: "investigating"}, {ID: "sp-web", Name: "Website slow", Status: "monitoring"}}
	var out []bot.StatuspageIncident
	for _, i := range all {
		name, q := strings.ToLower(i.Name), strings.ToLower(q)
		if strings.Contains(name, q) || strings.HasPrefix(q, name) { // slackfake queries with the option's text
			out = append(out, i)
		}
	}
	return out, nil
}

// start runs a bot against a fresh workspace. tweak may change the
// configuration before the bot starts.
func start(tb testing.TB, tweak ...func(*bot.Config, *comms.Service)) *harness {
	tb.Helper()
	w := slackfake.New(tb)
	w.AddUser(slackfake.User{ID: alice, Name: "alice", RealName: "Alice Adams", Phone: "+14155550101", Email: "alice@example.com"})
	w.AddUser(slackfake.User{ID: bob, Name: "bob", RealName: "Bob Brown", Phone: "+1 415 555 0102", Email: "bob@example.com"})
	w.AddUser(slackfake.User{ID: carol, Name: "carol", RealName: "Carol Clark"})
	w.AddUser(slackfake.User{ID: dave, Name: "dave", RealName: "Dave Diaz", Phone: "+14155550104"})
	ops := w.AddChannel("ops", slackfake.Public, alice, bob, carol, dave, w.BotUserID)

	db, err := store.Open(filepath.Join(tb.TempDir(), "herald.db"), store.Options{NoSync: true})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	media := map[comms.Medium]bool{comms.MediumSlack: true, comms.MediumEmail: true, comms.MediumSMS: true, comms.MediumStatuspage: true}
	svc := &comms.Service{
		Store: db,
		Rules: comms.Rules{
			DefaultRegion: "US", Media: media, StatuspageActive: true,
			Directory: map[string]comms.Person{"Erin Exec": {Phone: "+14155550105"}},
		},
		Policy:  comms.Policy{Approvers: []string{bob}},
		Cadence: map[comms.Severity]time.Duration{comms.SEV1: 15 * time.Minute, comms.SEV2: 30 * time.Minute, comms.SEV3: time.Hour},
	}
	h := &harness{t: tb, w: w, db: db, svc: svc, ops: ops, logs: &testkit.SyncBuffer{}}
	cfg := bot.Config{
		Media: media, DirectoryNames: []string{"Erin Exec", "Zed Ghost"},
		Statuspage: fakeStatuspage{}, PublicURL: "https://status.example.com",
		Notify:          func() { h.notified.Add(1) },
		SummaryInterval: 50 * time.Millisecond,
	}
	for _, f := range tweak {
		f(&cfg, svc)
	}
	api := slack.New(w.BotToken, slack.OptionAppLevelToken(w.AppToken), slack.OptionAPIURL(w.APIURL()))
	h.bot = bot.New(cfg, svc, api, zerolog.New(h.logs))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.bot.Run(ctx) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				tb.Errorf("Run: %v", err)
			}
		})
	}
	tb.Cleanup(h.stop)
	w.WaitConnected(tb)
	return h
}

// declare runs /incident new as alice and returns the incident and its channel.
func (h *harness) declare(title string) (comms.Incident, *slackfake.Channel) {
	h.t.Helper()
	m := h.w.SlashCommand(alice, h.ops.ID(), "/incident", "new "+title).Modal(h.t)
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		h.t.Fatalf("declare submit: got %+v; want the modal to close", res)
	}
	var inc comms.Incident
	h.w.Eventually(h.t, func() bool {
		open, err := h.svc.OpenIncidents(context.Background())
		for _, i := range open {
			if i.Title == title && i.SummaryTS != "" {
				inc = i
			}
		}
		return err == nil && inc.ID != ""
	}, "incident %q to have its summary", title)
	ch := h.w.Channel(inc.ChannelName)
	h.w.Eventually(h.t, func() bool { return len(ch.Pinned()) == 1 }, "the summary to be pinned")
	return inc, ch
}

// comms lists an incident's comms.
func (h *harness) comms(incID string) []comms.Comm {
	h.t.Helper()
	list, err := h.svc.ListComms(context.Background(), incID)
	if err != nil {
		h.t.Fatalf("ListComms: %v", err)
	}
	return list
}

// ephemeralTo waits for an ephemeral message to user containing substr.
func (h *harness) ephemeralTo(user, substr string) *slackfake.Message {
	h.t.Helper()
	var found *slackfake.Message
	h.w.Eventually(h.t, func() bool {
		for _, m := range h.w.Ephemerals(user) {
			if strings.Contains(m.Text(), substr) {
				found = m
			}
		}
		return found != nil
	}, "an ephemeral message to %s containing %q", user, substr)
	return found
}

// lockedDedup makes a test Deduper safe for concurrent use.
type lockedDedup struct {
	mu sync.Mutex
	d  bot.Deduper
}

func (l *lockedDedup) Seen(ctx context.Context, key string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.d.Seen(ctx, key)
}
