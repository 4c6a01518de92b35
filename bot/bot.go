package bot

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/herald-comms/herald/comms"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Deduper remembers which envelopes were already handled, so that Slack's
// redelivery of an envelope (retry_attempt > 0) is handled once. Seen records
// key and reports whether it had been recorded before. The app adapts its
// store; Config.Dedup may be nil, in which case the bot keeps ten minutes of
// keys in memory.
type Deduper interface {
	Seen(ctx context.Context, key string) (bool, error)
}

// StatuspageIncident is one incident of the configured Statuspage page, as
// the comm modal's Statuspage incident picker offers it.
type StatuspageIncident struct {
	ID     string
	Name   string
	Status string
}

// StatuspageSearch finds incidents on the configured Statuspage page whose
// name matches query; an empty query lists the recent unresolved ones.
type StatuspageSearch interface {
	SearchIncidents(ctx context.Context, query string) ([]StatuspageIncident, error)
}

// Config is everything the bot needs besides the service and the Slack client.
type Config struct {
	// Media are the configured media. Fields of a medium that is not
	// configured are not shown. Slack counts as configured unless it is
	// present and false.
	Media map[comms.Medium]bool
	// Audiences are the configured audience names, offered in the comm modal.
	Audiences []string
	// DirectoryNames are the names of the configured directory, offered as
	// SMS recipients who are not (or not only) Slack users.
	DirectoryNames []string
	// Cadence is how often an update is due per severity; the summary shows it.
	Cadence map[comms.Severity]time.Duration
	// PublicURL is the public status URL, shown in help and previews.
	PublicURL string
	// BotUserID is the bot's own user id (auth.test); Run looks it up when empty.
	BotUserID string
	// Statuspage searches the Statuspage page; nil when Statuspage is not configured.
	Statuspage StatuspageSearch
	// Dedup de-duplicates redelivered envelopes; nil keeps keys in memory.
	Dedup Deduper
	// Notify is called after a comm is queued for delivery, to wake the dispatcher.
	Notify func()
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SummaryInterval is the least time between two edits of one incident's
	// pinned summary; 0 means two seconds.
	SummaryInterval time.Duration
	// PinCheckInterval is how often a summary edit also checks, with
	// pins.list, that the summary is still pinned; 0 means ten minutes.
	PinCheckInterval time.Duration
	// HTTPClient posts to response_url addresses; nil means http.DefaultClient.
	HTTPClient *http.Client
	// SocketOptions are passed to socketmode.New, e.g. a ping interval.
	SocketOptions []socketmode.Option
}

// Bot is Herald's Slack surface. Create it with New and start it with Run.
type Bot struct {
	cfg    Config
	svc    *comms.Service
	api    *slack.Client
	log    zerolog.Logger
	now    func() time.Time
	dedup  Deduper
	router *router
	forms  formCache
	phones *ttlMap[string, comms.Person] // Slack users looked up with a phone

	summaries *coalescer
	cardLocks sync.Map // comm id → *sync.Mutex, so approval-card redraws of one comm do not interleave

	mu       sync.Mutex
	idle     sync.Cond       // broadcast when inFlight drops to zero
	inFlight int             // calls from outside Run under way (CommFinished)
	stopped  bool            // Run has returned: no Slack or service call may start
	base     context.Context // lives as long as Run; background work hangs off it
	botUser  string

	pinChecked map[string]time.Time // incident id → last time the summary was seen pinned
	creating   map[string]bool      // incident ids whose channel is being created
}

// New returns a bot that serves cfg through svc and api. api must carry the
// app-level token (slack.OptionAppLevelToken) for Run to open Socket Mode.
func New(cfg Config, svc *comms.Service, api *slack.Client, log zerolog.Logger) *Bot {
	b := &Bot{cfg: cfg, svc: svc, api: api, log: log, now: cfg.Now, dedup: cfg.Dedup, base: context.Background()}
	b.idle.L = &b.mu
	if b.now == nil {
		b.now = time.Now
	}
	if b.dedup == nil {
		b.dedup = newMemDeduper(10*time.Minute, b.now)
	}
	if b.cfg.HTTPClient == nil {
		b.cfg.HTTPClient = http.DefaultClient
	}
	b.botUser = cfg.BotUserID
	b.forms = newFormCache(time.Hour, b.now)
	b.phones = newTTLMap[string, comms.Person](5*time.Minute, 0, b.now)
	interval := cfg.SummaryInterval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	b.summaries = newCoalescer(interval, b.now, realAfter, b.writeSummaryKey)
	b.router = b.routes()
	return b
}

// Run connects to Slack over Socket Mode and serves envelopes until ctx is
// done. It keeps draining the client's events so that acks and pings never
// stall, and waits for handlers in flight before it returns.
func (b *Bot) Run(ctx context.Context) error {
	if b.botUserID() == "" {
		resp, err := b.api.AuthTestContext(ctx)
		if err != nil {
			return fmt.Errorf("bot: auth.test: %w", err)
		}
		b.mu.Lock()
		b.botUser = resp.UserID
		b.mu.Unlock()
	}
	b.mu.Lock()
	b.base = ctx
	b.mu.Unlock()

	opts := append([]socketmode.Option{socketmode.OptionLog(log.New(b.log.With().Str("component", "socketmode").Logger(), "", 0))}, b.cfg.SocketOptions...)
	smc := socketmode.New(b.api, opts...)
	runErr := make(chan error, 1)
	go func() { runErr <- smc.RunContext(ctx) }()

	var handlers sync.WaitGroup
	var err error
loop:
	for {
		select {
		case evt := <-smc.Events:
			b.handleEvent(ctx, smc, evt, &handlers)
		case err = <-runErr:
			break loop
		}
	}
	handlers.Wait()
	b.stop()
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return nil
	}
	var rejected slack.SlackErrorResponse
	if errors.As(err, &rejected) || (err != nil && strings.Contains(err.Error(), "invalid_auth")) {
		return fmt.Errorf("bot: Slack refused the app-level token for Socket Mode (%w); it must be an xapp- token with the connections:write scope", err)
	}
	return err
}

// handleEvent starts a handler for each envelope and logs the client's own
// connection events.
func (b *Bot) handleEvent(ctx context.Context, smc *socketmode.Client, evt socketmode.Event, handlers *sync.WaitGroup) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
		if evt.Request == nil {
			return
		}
		handlers.Add(1)
		go func() {
			defer handlers.Done()
			b.serve(ctx, evt, func(payload any) error {
				if payload == nil {
					return smc.Ack(*evt.Request)
				}
				return smc.Ack(*evt.Request, payload)
			})
		}()
	case socketmode.EventTypeConnected:
		b.log.Info().Msg("connected to Slack over Socket Mode")
	case socketmode.EventTypeInvalidAuth:
		b.log.Error().Msg("Slack refused the app-level token")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed, socketmode.EventTypeErrorBadMessage:
		b.log.Warn().Str("event", string(evt.Type)).Interface("data", evt.Data).Msg("socket mode trouble")
	case socketmode.EventTypeDisconnect:
		b.log.Debug().Msg("Slack asked to reconnect")
	}
}

// stop refuses calls from outside Run from now on, waits for those under
// way, and then writes the pending summaries: after it returns nothing
// starts a Slack or service call, as the database may be closed next.
func (b *Bot) stop() {
	b.mu.Lock()
	b.stopped = true
	for b.inFlight > 0 {
		b.idle.Wait()
	}
	b.mu.Unlock()
	b.summaries.Close()
}

// enter admits a call from outside Run, such as the dispatcher's
// CommFinished; it reports false once the bot has stopped. Each admitted
// call ends with leave.
func (b *Bot) enter() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return false
	}
	b.inFlight++
	return true
}

func (b *Bot) leave() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inFlight--
	if b.inFlight == 0 {
		b.idle.Broadcast()
	}
}

func (b *Bot) botUserID() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.botUser
}

// background returns the context for work that runs after an ack: it keeps
// Run's values but not its cancellation, so that work in flight when Herald
// stops still finishes (each Slack call carries its own timeout).
func (b *Bot) background() context.Context {
	b.mu.Lock()
	defer b.mu.Unlock()
	return context.WithoutCancel(b.base)
}

// mediumOn reports whether a medium is configured.
func (b *Bot) mediumOn(m comms.Medium) bool {
	on, ok := b.cfg.Media[m]
	if m == comms.MediumSlack && !ok {
		return true
	}
	return on
}

// statuspageOn reports whether Statuspage fields are shown.
func (b *Bot) statuspageOn() bool {
	return b.cfg.Statuspage != nil && b.mediumOn(comms.MediumStatuspage)
}

// notify wakes the dispatcher.
func (b *Bot) notify() {
	if b.cfg.Notify != nil {
		b.cfg.Notify()
	}
}
