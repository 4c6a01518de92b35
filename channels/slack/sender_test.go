package slack_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/channels/slack"
	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/slackfake"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func newSender(t *testing.T, w *slackfake.Workspace) *slack.Sender {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	s, err := slack.New(slack.Config{Token: w.BotToken, BaseURL: w.APIURL(), HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// message builds the Message of comm C-3 of INC-7 to a channel.
func message(channelID, name, text string) channels.Message {
	inc := comms.Incident{ID: "INC-7", Number: 7, Title: "Checkout errors", Severity: comms.SEV2, Status: comms.Identified}
	c := comms.Comm{ID: "C-3", IncidentID: inc.ID, Number: 2, Audience: comms.Internal, Message: text, Status: comms.Identified, Author: "U1"}
	d := comms.Delivery{ID: comms.DeliveryID(c.ID, comms.MediumSlack, channelID), CommID: c.ID, IncidentID: inc.ID,
		Medium: comms.MediumSlack, Target: channelID, TargetName: name, State: comms.DeliverySending, Attempts: 1, CreatedAt: time.Now()}
	return channels.Message{Delivery: d, Comm: c, Incident: inc, Rendered: comms.Render(&inc, &c, comms.Links{}, false)}
}

func TestSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(t *testing.T, w *slackfake.Workspace) (channelID, name string)
		text     string
		mutate   func(m *channels.Message)
		timeout  time.Duration
		class    channels.Class // 0 when the post succeeds
		say      string         // in the error's Message
		joins    int
		messages int
	}{
		{name: "member", messages: 1, setup: func(t *testing.T, w *slackfake.Workspace) (string, string) {
			return w.AddChannel("ops", slackfake.Public, w.BotUserID).ID(), "ops"
		}},
		{name: "not_in_channel joins a public channel", joins: 1, messages: 1, setup: func(t *testing.T, w *slackfake.Workspace) (string, string) {
			return w.AddChannel("eng", slackfake.Public, "U1").ID(), "eng"
		}},
		{name: "private channel without Herald", class: channels.Permanent, say: "invite @Herald to #secret", setup: func(t *testing.T, w *slackfake.Workspace) (string, string) {
			return w.AddChannel("secret", slackfake.Private, "U1").ID(), "secret"
		}},
		{name: "channel_not_found", class: channels.Permanent, say: "Herald cannot find #gone", setup: func(t *testing.T, w *slackfake.Workspace) (string, string) {
			return "C0NOTHERE", "gone"
		}},
		{name: "is_archived", class: channels.Permanent, say: "#old is archived", setup: func(t *testing.T, w *slackfake.Workspace) (string, string) {
			c := w.AddChannel("old", slackfake.Public, w.BotUserID)
			c.Archive()
			return c.ID(), "old"
		}},
		{name: "invalid_blocks", class: channels.Permanent, say: "shorten the message", text: strings.Repeat("x", 3100), setup: func(t *testing.T, w *slackfake.Workspace) (string, string) {
			return w.AddChannel("ops", slackfake.Public, w.BotUserID).ID(), "ops"
		}},
		{name: "msg_too_long", class: channels.Permanent, say: "shorten the message", mutate: func(m *channels.Message) {
			m.Rendered.Slack.Text = strings.Repeat("y", 40001)
		}, setup: func(t *testing.T, w *slackfake.Workspace) (string, string) {
			return w.AddChannel("ops", slackfake.Public, w.BotUserID).ID(), "ops"
		}},
		{name: "ratelimited", class: channels.Retryable, setup: func(t *testing.T, w *slackfake.Workspace) (string, string) {
			w.RateLimit("chat.postMessage", 1, time.Minute)
			c := w.AddChannel("ops", slackfake.Public, w.BotUserID)
			if _, err := newSender(t, w).Send(context.Background(), message(c.ID(), "ops", "first")); err != nil {
				t.Fatal(err)
			}
			return c.ID(), "ops"
		}, messages: 1},
		{name: "5xx is ambiguous", class: channels.Ambiguous, setup: func(t *testing.T, w *slackfake.Workspace) (string, string) {
			w.SetFault("chat.postMessage", slackfake.Fault{Status: 500})
			return w.AddChannel("ops", slackfake.Public, w.BotUserID).ID(), "ops"
		}},
		{name: "hang is ambiguous", class: channels.Ambiguous, timeout: 200 * time.Millisecond, setup: func(t *testing.T, w *slackfake.Workspace) (string, string) {
			w.SetFault("chat.postMessage", slackfake.Fault{Hang: true})
			return w.AddChannel("ops", slackfake.Public, w.BotUserID).ID(), "ops"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := slackfake.New(t)
			id, name := tt.setup(t, w)
			text := tt.text
			if text == "" {
				text = "Payments are *failing* for some customers."
			}
			m := message(id, name, text)
			if tt.mutate != nil {
				tt.mutate(&m)
			}
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			res, err := newSender(t, w).Send(ctx, m)
			if got := w.Calls("conversations.join"); got != tt.joins {
				t.Errorf("got %d conversations.join calls; want %d", got, tt.joins)
			}
			if tt.class == 0 {
				if err != nil {
					t.Fatalf("got error %v; want none", err)
				}
				c := w.Channel(id)
				posted := c.Message(res.Ref)
				if posted == nil {
					t.Fatalf("got ref %q; want the ts of a message in #%s", res.Ref, name)
				}
				if got := posted.Metadata; got == nil || got.EventType != slack.EventType || got.EventPayload["delivery_id"] != m.Delivery.ID || got.EventPayload["comm_id"] != "C-3" {
					t.Errorf("got metadata %+v; want %s with comm_id C-3 and delivery_id %s", got, slack.EventType, m.Delivery.ID)
				}
				for _, want := range []string{m.Rendered.Slack.Header, "Payments are *failing*", "SEV2"} {
					if !strings.Contains(posted.Text(), want) {
						t.Errorf("got text %q; want it to contain %q", posted.Text(), want)
					}
				}
				if got, want := posted.Fallback(), m.Rendered.Slack.Text; got != want {
					t.Errorf("got fallback %q; want %q", got, want)
				}
				if got := len(posted.Blocks()); got != 3 {
					t.Errorf("got %d blocks; want 3 (header, section, context)", got)
				}
			} else {
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
				if tt.class == channels.Retryable && e.RetryAfter < time.Second {
					t.Errorf("got RetryAfter %s; want at least 1s", e.RetryAfter)
				}
			}
			if c, ok := w.FindChannel(id); ok {
				n := 0
				for _, msg := range c.Messages() {
					if msg.UserID == w.BotUserID {
						n++
					}
				}
				if n != tt.messages {
					t.Errorf("got %d messages from Herald; want %d", n, tt.messages)
				}
			}
		})
	}
}

func TestReconcile(t *testing.T) {
	t.Parallel()
	w := slackfake.New(t)
	ops := w.AddChannel("ops", slackfake.Public, w.BotUserID)
	secret := w.AddChannel("secret", slackfake.Private, "U1")
	s := newSender(t, w)
	ctx := context.Background()

	m := message(ops.ID(), "ops", "Payments are failing.")
	ops.Post("U1", "unrelated chatter")
	res, err := s.Send(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	ops.Post("U1", "more chatter")

	tests := []struct {
		name  string
		m     channels.Message
		found bool
	}{
		{"the posted delivery", m, true},
		{"another delivery", func() channels.Message {
			o := m
			o.Delivery.ID = "C-4/slack/" + ops.ID()
			return o
		}(), false},
		{"a channel Herald cannot read", message(secret.ID(), "secret", "x"), false},
	}
	for _, tt := range tests {
		got, found, err := s.Reconcile(ctx, tt.m)
		if err != nil {
			t.Fatalf("%s: got error %v; want none", tt.name, err)
		}
		if found != tt.found {
			t.Errorf("%s: got found %v; want %v", tt.name, found, tt.found)
		}
		if found && got.Ref != res.Ref {
			t.Errorf("%s: got ref %q; want %q", tt.name, got.Ref, res.Ref)
		}
	}
}
