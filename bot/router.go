package bot

import (
	"context"
	"encoding/json"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// ackBudget is how long a handler may take before the router acks for it.
// Slack allows three seconds; the rest is margin for the socket.
const ackBudget = 2500 * time.Millisecond

// handlerTimeout bounds everything one envelope may cause, after its ack too.
const handlerTimeout = 60 * time.Second

// handlerFunc serves one envelope. It must ack (r.ack) before any slow work;
// the router acks empty for handlers that return without acking.
type handlerFunc func(ctx context.Context, r *request)

// router dispatches envelopes: slash commands by subcommand, block actions by
// action_id, view submissions and closes by callback_id, suggestions by
// action_id, and Events API events by inner event type.
type router struct {
	commands    map[string]handlerFunc
	actions     map[string]handlerFunc
	views       map[string]handlerFunc
	closed      map[string]handlerFunc
	suggestions map[string]handlerFunc
	events      map[string]handlerFunc
	usage       handlerFunc
}

// routes wires every handler; ids.go names every key.
func (b *Bot) routes() *router {
	return &router{
		commands: map[string]handlerFunc{
			subNew:       b.cmdNew,
			subComm:      b.cmdComm,
			subComms:     b.cmdComms,
			subTimeline:  b.cmdTimeline,
			subStatus:    b.cmdStatus,
			subList:      b.cmdList,
			subResolve:   b.cmdResolve,
			subSeverity:  b.cmdSeverity,
			subCommander: b.cmdCommander,
			subNote:      b.cmdNote,
			subHelp:      b.cmdHelp,
		},
		actions: map[string]handlerFunc{
			actTabDraft:      b.actTab,
			actTabPreview:    b.actTab,
			actAudience:      b.actRerender,
			actAction:        b.actRerender,
			actSPCreate:      b.actRerender,
			actApprove:       b.actApprove,
			actReject:        b.actReject,
			actEdit:          b.actEdit,
			actSend:          b.actSend,
			actCancel:        b.actCancel,
			actCreateChannel: b.actCreateChannel,
			actRetry:         b.actRetry,
			actPostUpdate:    b.actPostUpdate,
			actTimeline:      b.actTimeline,
			actOpenComm:      b.actEdit,
			actPreviewComm:   b.actPreviewComm,
			actNoop:          func(context.Context, *request) {},
		},
		views: map[string]handlerFunc{
			cbDeclare:      b.submitDeclare,
			cbComm:         b.submitComm,
			cbPickIncident: b.submitPick,
			cbReject:       b.submitReject,
		},
		closed: map[string]handlerFunc{
			cbComm: b.closedComm,
		},
		suggestions: map[string]handlerFunc{
			actSPIncident: b.suggestStatuspage,
		},
		events: map[string]handlerFunc{
			eventPinRemoved: b.onPinRemoved,
		},
		usage: b.cmdUsage,
	}
}

// request is one envelope being served.
type request struct {
	kind        socketmode.EventType
	envelope    string
	retry       int
	cmd         slack.SlashCommand
	args        string // slash command text after the subcommand
	cb          slack.InteractionCallback
	event       slackevents.EventsAPIEvent
	user        string
	channel     string
	trigger     string
	responseURL string
	log         zerolog.Logger

	ackFn func(payload any) error
	once  sync.Once
	acked atomic.Bool
}

func newRequest(evt socketmode.Event, ackFn func(any) error, log zerolog.Logger) *request {
	r := &request{kind: evt.Type, envelope: evt.Request.EnvelopeID, retry: evt.Request.RetryAttempt, ackFn: ackFn}
	switch d := evt.Data.(type) {
	case slack.SlashCommand:
		r.cmd, r.user, r.channel, r.trigger, r.responseURL = d, d.UserID, d.ChannelID, d.TriggerID, d.ResponseURL
	case slack.InteractionCallback:
		r.cb, r.user, r.channel, r.trigger, r.responseURL = d, d.User.ID, d.Channel.ID, d.TriggerID, d.ResponseURL
		if r.channel == "" {
			r.channel = d.Container.ChannelID
		}
		if r.channel == "" && d.View.PrivateMetadata != "" {
			var md struct {
				Channel string `json:"ch"`
			}
			if json.Unmarshal([]byte(d.View.PrivateMetadata), &md) == nil {
				r.channel = md.Channel
			}
		}
	case slackevents.EventsAPIEvent:
		r.event = d
	}
	r.log = log.With().Str("envelope_id", r.envelope).Str("envelope_type", string(r.kind)).Logger()
	return r
}

// ack acknowledges the envelope once, with payload (nil for an empty ack),
// and reports whether this call was the one that acked.
func (r *request) ack(payload any) bool {
	did := false
	r.once.Do(func() {
		did = true
		r.acked.Store(true)
		if err := r.ackFn(payload); err != nil {
			r.log.Warn().Err(err).Msg("ack failed")
		}
	})
	return did
}

// dedupKey identifies the envelope across redeliveries.
func (r *request) dedupKey() string {
	if cb, ok := r.event.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
		return "event:" + cb.EventID
	}
	if r.trigger != "" {
		return "trigger:" + r.trigger
	}
	return "envelope:" + r.envelope
}

// serve handles one envelope: it drops redeliveries already handled, routes
// the envelope, acks within the budget whatever the handler does, and turns
// a panic into a log line and an apology.
func (b *Bot) serve(ctx context.Context, evt socketmode.Event, ackFn func(any) error) {
	r := newRequest(evt, ackFn, b.log)
	watchdog := time.AfterFunc(ackBudget, func() {
		if r.ack(nil) {
			r.log.Warn().Msg("handler did not ack in time; acked empty")
		}
	})
	defer watchdog.Stop()
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handlerTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			r.log.Error().Interface("panic", p).Str("stack", string(debug.Stack())).Msg("handler panicked")
			b.apologize(hctx, r)
		}
		r.ack(nil)
	}()
	seen, err := b.dedup.Seen(hctx, r.dedupKey())
	if err != nil {
		r.log.Warn().Err(err).Msg("dedup check failed; handling the envelope")
	}
	if seen {
		r.log.Info().Int("retry_attempt", r.retry).Msg("redelivered envelope already handled")
		r.ack(nil)
		return
	}
	b.router.route(hctx, r)
}

// route finds the handler for r.
func (rt *router) route(ctx context.Context, r *request) {
	var h handlerFunc
	switch r.kind {
	case socketmode.EventTypeSlashCommand:
		if r.cmd.Command != slashCommand {
			h = rt.usage
			break
		}
		sub, args, _ := strings.Cut(strings.TrimSpace(r.cmd.Text), " ")
		// The manifest asks Slack to escape the text (should_escape), so
		// mentions arrive as <@U…|name>; &, < and > arrive as entities.
		r.args = unescapeSlack(strings.TrimSpace(args))
		if sub == "" {
			sub = subHelp // a bare /incident asks what Herald can do
		}
		h = rt.commands[strings.ToLower(sub)]
		if h == nil {
			h = rt.usage
		}
	case socketmode.EventTypeInteractive:
		switch r.cb.Type {
		case slack.InteractionTypeBlockActions:
			if acts := r.cb.ActionCallback.BlockActions; len(acts) > 0 {
				h = rt.actions[acts[0].ActionID]
			}
		case slack.InteractionTypeViewSubmission:
			h = rt.views[r.cb.View.CallbackID]
		case slack.InteractionTypeViewClosed:
			h = rt.closed[r.cb.View.CallbackID]
		case slack.InteractionTypeBlockSuggestion:
			h = rt.suggestions[r.cb.ActionID]
		}
	case socketmode.EventTypeEventsAPI:
		h = rt.events[r.event.InnerEvent.Type]
	}
	if h == nil {
		r.log.Debug().Msg("no handler; acked empty")
		r.ack(nil)
		return
	}
	h(ctx, r)
}

// action returns the block action that triggered a block_actions envelope.
func (r *request) action() slack.BlockAction {
	if acts := r.cb.ActionCallback.BlockActions; len(acts) > 0 && acts[0] != nil {
		return *acts[0]
	}
	return slack.BlockAction{}
}

// unescapeSlack turns the three entities Slack escapes in message and
// command text back into characters. Mentions (<@U…>) stay as they are.
func unescapeSlack(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
