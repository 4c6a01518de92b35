package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/herald-comms/herald/comms"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// messagePayload is a slash command's ack payload: an ephemeral message.
type messagePayload struct {
	ResponseType string        `json:"response_type,omitempty"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

// reply shows the user who sent r a message only they can see: in the ack of
// a slash command when it is still unacked, else through response_url (which
// works even where Herald cannot see the channel), else chat.postEphemeral.
func (b *Bot) reply(ctx context.Context, r *request, text string, blocks ...slack.Block) {
	text = comms.Truncate(text, maxMessageText)
	if r.kind == socketmode.EventTypeSlashCommand && !r.acked.Load() {
		if r.ack(messagePayload{ResponseType: "ephemeral", Text: text, Blocks: blocks}) {
			return
		}
	}
	if r.responseURL != "" {
		msg := &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: text}
		if len(blocks) > 0 {
			msg.Blocks = &slack.Blocks{BlockSet: blocks}
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		err := slack.PostWebhookCustomHTTPContext(cctx, r.responseURL, b.cfg.HTTPClient, msg)
		if err == nil {
			return
		}
		r.log.Warn().Err(err).Msg("response_url post failed; trying chat.postEphemeral")
	}
	if r.channel != "" && r.user != "" {
		if err := b.ephemeral(ctx, r.channel, r.user, text, blocks...); err == nil {
			return
		} else {
			r.log.Warn().Err(err).Msg("could not show the user a message")
		}
	}
}

// replyErr shows the user the safe message of err and logs anything that is
// not the user's doing.
func (b *Bot) replyErr(ctx context.Context, r *request, what string, err error) {
	if code := comms.ErrorCode(err); code == comms.EINTERNAL {
		r.log.Error().Err(err).Msg(what)
	} else {
		r.log.Info().Err(err).Msg(what)
	}
	b.reply(ctx, r, ":warning: "+comms.ErrorMessage(err))
}

// ephemeral posts a message only userID sees in channel.
func (b *Bot) ephemeral(ctx context.Context, channel, userID, text string, blocks ...slack.Block) error {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	opts := []slack.MsgOption{slack.MsgOptionText(comms.Truncate(text, maxMessageText), false)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	_, err := b.api.PostEphemeralContext(cctx, channel, userID, opts...)
	return err
}

// openView opens v with r's trigger (views.open). Slack lets a trigger be
// used for three seconds, so the call gets five at most.
func (b *Bot) openView(ctx context.Context, r *request, v slack.ModalViewRequest) (*slack.ViewResponse, error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return b.api.OpenViewContext(cctx, r.trigger, v)
}

// ackOrTell answers a view submission with payload. When Slack no longer
// waits for that answer (the router's watchdog acked empty for a slow
// handler, so the modal closed), it tells the person text instead, in
// channel or else in a direct message.
func (b *Bot) ackOrTell(ctx context.Context, r *request, channel string, payload any, text string) {
	if r.ack(payload) {
		return
	}
	r.log.Warn().Msg("the submission was already acked; telling the user instead")
	if err := b.tell(ctx, channel, r.user, text, section("", text)); err != nil {
		r.log.Warn().Err(err).Msg("could not tell the user what happened to the submission")
	}
}

// apologize tells the user a handler failed, in whatever way r still allows.
func (b *Bot) apologize(ctx context.Context, r *request) {
	// The handler may have stored something before it failed, so the
	// apology sends people to look rather than promising nothing changed.
	text := fmt.Sprintf(":warning: Sorry, Herald hit a bug while handling that. Something went wrong partway, so part of it may have been saved: "+
		"check `/incident comms` (or `/incident list`) before you try again. If it keeps happening, give the operator this reference: %s.", r.envelope)
	if !r.acked.Load() && r.kind == socketmode.EventTypeInteractive && r.cb.Type == slack.InteractionTypeViewSubmission {
		v := slack.ModalViewRequest{
			Type: slack.VTModal, CallbackID: cbApology,
			Title: plainText("Something went wrong", maxModalTitle), Close: plainText("Back", maxModalTitle),
			Blocks: slack.Blocks{BlockSet: []slack.Block{section("", text)}},
		}
		if r.ack(slack.NewPushViewSubmissionResponse(&v)) {
			return
		}
	}
	b.reply(ctx, r, text)
}

// loadIncident loads incident id for a handler; when it cannot, it tells the
// user why and reports false.
func (b *Bot) loadIncident(ctx context.Context, r *request, id string) (comms.Incident, bool) {
	inc, err := b.svc.Incident(ctx, id)
	if err != nil {
		b.replyErr(ctx, r, "load incident", err)
		return comms.Incident{}, false
	}
	return inc, true
}

// loadComm loads comm id for a handler; when it cannot, it tells the user
// why and reports false.
func (b *Bot) loadComm(ctx context.Context, r *request, id string) (comms.Comm, bool) {
	c, err := b.svc.Comm(ctx, id)
	if err != nil {
		b.replyErr(ctx, r, "load comm", err)
		return comms.Comm{}, false
	}
	return c, true
}

// loadCommIncident loads comm id, typically from a button's value, and its
// incident; when it cannot, it tells the user why and reports false.
func (b *Bot) loadCommIncident(ctx context.Context, r *request, id string) (comms.Comm, comms.Incident, bool) {
	c, ok := b.loadComm(ctx, r, id)
	if !ok {
		return comms.Comm{}, comms.Incident{}, false
	}
	inc, ok := b.loadIncident(ctx, r, c.IncidentID)
	if !ok {
		return comms.Comm{}, comms.Incident{}, false
	}
	return c, inc, true
}
