package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/slack-go/slack"

	"github.com/herald-comms/herald/channels"
)

// DefaultAPIURL is Slack's Web API base.
const DefaultAPIURL = "https://slack.com/api/"

// EventType is the message metadata event type of every comm Herald posts.
const EventType = "herald_comm"

// Config is what the Slack sender needs.
type Config struct {
	// Token is the bot token (xoxb-).
	Token string
	// BaseURL is the Web API base, DefaultAPIURL when empty; a missing
	// trailing slash is added, since slack-go appends method names to it.
	BaseURL string
	// HTTPClient is the client for Web API calls; http.DefaultClient's
	// settings when nil. Per-call timeouts come from the context.
	HTTPClient *http.Client
	// BotHandle is how people mention the bot when inviting it, "@Herald"
	// when empty.
	BotHandle string
}

// Sender posts comms to Slack channels.
type Sender struct {
	api *slack.Client
	bot string
}

var (
	_ channels.Sender     = (*Sender)(nil)
	_ channels.Reconciler = (*Sender)(nil)
)

// New returns a Sender for cfg.
func New(cfg Config) (*Sender, error) {
	if cfg.Token == "" {
		return nil, errors.New("slack: a bot token is required")
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultAPIURL
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	bot := cfg.BotHandle
	if bot == "" {
		bot = "@Herald"
	}
	// No slack.OptionRetry: slack-go would retry 429s itself, hiding them
	// from the lane that must pause; the dispatcher retries instead.
	return &Sender{api: slack.New(cfg.Token, slack.OptionAPIURL(base), slack.OptionHTTPClient(hc)), bot: bot}, nil
}

// Send posts the comm to the delivery's channel. A post refused with
// not_in_channel joins the channel (public channels only) and posts once
// more.
func (s *Sender) Send(ctx context.Context, m channels.Message) (channels.Result, error) {
	ts, err := s.post(ctx, m)
	if slackCode(err) == "not_in_channel" {
		if jerr := s.join(ctx, m); jerr != nil {
			return channels.Result{}, jerr
		}
		ts, err = s.post(ctx, m)
	}
	if err != nil {
		return channels.Result{}, s.classify(err, m)
	}
	return channels.Result{Ref: ts}, nil
}

func (s *Sender) post(ctx context.Context, m channels.Message) (string, error) {
	r := m.Rendered.Slack
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, r.Header, true, false)),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, r.Body, false, false), nil, nil),
	}
	if r.Context != "" {
		blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, r.Context, false, false)))
	}
	_, ts, err := s.api.PostMessageContext(ctx, m.Delivery.Target,
		slack.MsgOptionText(r.Text, false),
		slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: EventType, EventPayload: map[string]any{
			"comm_id": m.Delivery.CommID, "delivery_id": m.Delivery.ID,
		}}),
	)
	return ts, err
}

// join joins a public channel the bot is not in. Slack refuses to let a
// bot join a private channel; someone must invite it.
func (s *Sender) join(ctx context.Context, m channels.Message) error {
	_, _, _, err := s.api.JoinConversationContext(ctx, m.Delivery.Target)
	if err == nil {
		return nil
	}
	switch slackCode(err) {
	case "method_not_supported_for_channel_type":
		name := channelName(m)
		return &channels.Error{Class: channels.Permanent, Err: err,
			Message: fmt.Sprintf("%s is private and Herald is not in it: invite %s to %s.", name, s.bot, name)}
	}
	return s.classify(err, m)
}
