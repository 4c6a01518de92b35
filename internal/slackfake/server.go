package slackfake

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Default timings. They follow Slack's documented behaviour; tests may shorten
// them with SetAckTimeout and SetTriggerTTL.
const (
	defaultAckTimeout = 3 * time.Second
	defaultTriggerTTL = 3 * time.Second
	defaultMaxRetries = 3
	defaultWait       = 3 * time.Second
	pingInterval      = 500 * time.Millisecond
)

// Workspace is one fake Slack workspace with one installed app (Herald). It
// serves the Web API under APIURL and Socket Mode through
// apps.connections.open, and keeps every user, channel, message and modal in
// memory so tests can look at them the way a person would.
//
// A Workspace is safe for concurrent use. All of its exported fields are
// constant after New returns.
type Workspace struct {
	// AppToken is the app-level token (xapp-) that apps.connections.open accepts.
	AppToken string
	// BotToken is the bot token (xoxb-) that every other Web API method accepts.
	BotToken string
	// BotUserID is the user id of the app's bot user.
	BotUserID string
	// BotID is the bot id (B…) stamped on the bot's messages.
	BotID string
	// TeamID is the workspace id.
	TeamID string
	// AppID is the id of the installed app.
	AppID string

	tb   testing.TB
	srv  *httptest.Server
	done chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	changed chan struct{}
	seq     int
	tsSeq   int64
	now     func() time.Time
	rng     *rand.Rand

	ackTimeout time.Duration
	triggerTTL time.Duration
	maxRetries int

	users      map[string]*User
	userOrder  []string
	channels   map[string]*channel
	chanOrder  []string
	groups     map[string]*userGroup
	views      map[string]*view
	stacks     []*viewStack
	triggers   map[string]*trigger
	ephemerals []*message
	responses  map[string]*responseURL
	tickets    map[string]bool

	conns   map[*wsConn]struct{}
	envs    map[string]*Envelope
	pending []*Envelope
	timers  map[*time.Timer]struct{}
	calls   []Call
	limits  map[string]*rateLimit
	faults  map[string]*faultState
}

// New starts a fake Slack workspace on 127.0.0.1 and stops it when tb's test
// ends. Any unmodelled Web API method, and any misuse the fake can detect, is
// reported through tb.Errorf.
func New(tb testing.TB) *Workspace {
	tb.Helper()
	w := &Workspace{
		AppToken:   "xapp-1-A0HERALD-1-fake",
		BotToken:   "xoxb-0000-fake-bot",
		BotUserID:  "U0HERALD",
		BotID:      "B0HERALD",
		TeamID:     "T0HERALD",
		AppID:      "A0HERALD",
		tb:         tb,
		done:       make(chan struct{}),
		changed:    make(chan struct{}),
		now:        time.Now,
		rng:        rand.New(rand.NewPCG(1, 2)),
		ackTimeout: defaultAckTimeout,
		triggerTTL: defaultTriggerTTL,
		maxRetries: defaultMaxRetries,
		users:      map[string]*User{},
		channels:   map[string]*channel{},
		groups:     map[string]*userGroup{},
		views:      map[string]*view{},
		triggers:   map[string]*trigger{},
		responses:  map[string]*responseURL{},
		tickets:    map[string]bool{},
		conns:      map[*wsConn]struct{}{},
		envs:       map[string]*Envelope{},
		timers:     map[*time.Timer]struct{}{},
		limits:     map[string]*rateLimit{},
		faults:     map[string]*faultState{},
	}
	w.addUserLocked(&User{ID: w.BotUserID, Name: "herald", RealName: "Herald", IsBot: true})
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", w.serveAPI)
	mux.HandleFunc("/link/", w.serveSocket)
	mux.HandleFunc("/response/", w.serveResponseURL)
	mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		w.errorf("slackfake: request to unmodelled path %s %s", r.Method, r.URL.Path)
		http.NotFound(rw, r)
	})
	w.srv = httptest.NewServer(mux)
	tb.Cleanup(w.close)
	return w
}

// APIURL is the Web API base URL, ending in "/api/" as slack.OptionAPIURL requires.
func (w *Workspace) APIURL() string { return w.srv.URL + "/api/" }

// URL is the base URL of the fake server.
func (w *Workspace) URL() string { return w.srv.URL }

// SetAckTimeout changes how long an envelope may stay unacknowledged before it
// is redelivered (Slack: 3 s). Trigger ids are not affected.
func (w *Workspace) SetAckTimeout(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ackTimeout = d
}

// SetTriggerTTL changes how long a trigger_id stays exchangeable after the
// envelope that carried it was sent (Slack: 3 s).
func (w *Workspace) SetTriggerTTL(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.triggerTTL = d
}

// close stops the server, every socket and every timer, and waits for the
// fake's goroutines so that goleak stays quiet.
func (w *Workspace) close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	close(w.done)
	for t := range w.timers {
		t.Stop()
	}
	conns := make([]*wsConn, 0, len(w.conns))
	for c := range w.conns {
		conns = append(conns, c)
	}
	w.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	w.srv.CloseClientConnections()
	w.srv.Close()
	w.wg.Wait()
}

// errorf reports a problem to the test unless the test is already over.
func (w *Workspace) errorf(format string, args ...any) {
	w.mu.Lock()
	closed := w.closed
	w.mu.Unlock()
	if !closed {
		w.tb.Errorf(format, args...)
	}
}

// nextIDLocked returns a fresh id with the given prefix, such as "V0000012".
func (w *Workspace) nextIDLocked(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s%07d", prefix, w.seq)
}

// nextTSLocked returns a fresh, strictly increasing message timestamp that
// follows the workspace clock, as Slack's do, so conversations.history's
// oldest and latest filters work with real times.
func (w *Workspace) nextTSLocked() string {
	w.tsSeq = max(w.tsSeq+1, w.now().UnixMicro())
	return fmt.Sprintf("%d.%06d", w.tsSeq/1000000, w.tsSeq%1000000)
}

// notifyLocked wakes everything waiting for a change of state.
func (w *Workspace) notifyLocked() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// afterFuncLocked runs f after d unless the workspace closes first.
func (w *Workspace) afterFuncLocked(d time.Duration, f func()) *time.Timer {
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		w.mu.Lock()
		delete(w.timers, t)
		closed := w.closed
		w.mu.Unlock()
		if !closed {
			f()
		}
	})
	w.timers[t] = struct{}{}
	return t
}

// stopTimerLocked stops a timer started by afterFuncLocked.
func (w *Workspace) stopTimerLocked(t *time.Timer) {
	if t != nil {
		t.Stop()
		delete(w.timers, t)
	}
}

// waitFor polls cond on every change of state until it holds or d passes.
// cond must not hold w.mu.
func (w *Workspace) waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		w.mu.Lock()
		ch := w.changed
		w.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-w.done:
			return cond()
		case <-deadline.C:
			return cond()
		}
	}
}

// Eventually waits up to three seconds for cond to hold and fails the test if
// it does not. Bots act after they ack, so assert on their effects with
// Eventually rather than with sleeps.
func (w *Workspace) Eventually(tb testing.TB, cond func() bool, what string, args ...any) {
	tb.Helper()
	if !w.waitFor(defaultWait, cond) {
		tb.Fatalf("slackfake: gave up after %v waiting for %s", defaultWait, fmt.Sprintf(what, args...))
	}
}

// domain is the fake workspace's domain, used in permalinks and payloads.
const domain = "herald-fake"

// permalink is the URL Slack gives a message.
func permalink(channelID, ts string) string {
	return fmt.Sprintf("https://%s.slack.com/archives/%s/p%s", domain, channelID, strings.ReplaceAll(ts, ".", ""))
}

// fatalMsg carries a test failure out of code that runs under w.mu.
type fatalMsg string

// fatalf aborts the current locked section; locked turns it into tb.Fatalf
// once the mutex is released.
func fatalf(format string, args ...any) { panic(fatalMsg(fmt.Sprintf(format, args...))) }

// locked runs f while holding w.mu. A fatalf inside f fails tb after the
// mutex is released, so a failing DSL call never leaves the fake locked.
func (w *Workspace) locked(tb testing.TB, f func()) {
	tb.Helper()
	var msg string
	func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		defer func() {
			if r := recover(); r != nil {
				fm, ok := r.(fatalMsg)
				if !ok {
					panic(r)
				}
				msg = string(fm)
			}
		}()
		f()
	}()
	if msg != "" {
		tb.Fatalf("%s", msg)
	}
}
