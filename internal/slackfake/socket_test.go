package slackfake

import (
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func TestSocketModeDeliversSlashCommandAndAck(t *testing.T) {
	t.Parallel()
	w := New(t)
	w.AddUser(User{ID: "U1", Name: "alice"})
	ops := w.AddChannel("ops", Public, "U1", w.BotUserID)
	got := make(chan slack.SlashCommand, 1)
	startApp(t, w, func(smc *socketmode.Client, evt socketmode.Event) {
		if evt.Type == socketmode.EventTypeSlashCommand {
			got <- evt.Data.(slack.SlashCommand)
			smc.Ack(*evt.Request, map[string]any{"text": "Working on it"})
		}
	})
	cmd := w.SlashCommand("U1", ops.ID(), "/incident", "help")
	sc := <-got
	if sc.Command != "/incident" || sc.Text != "help" || sc.UserID != "U1" || sc.ChannelID != ops.ID() {
		t.Errorf("got command %q %q from %s in %s; want /incident help from U1 in %s", sc.Command, sc.Text, sc.UserID, sc.ChannelID, ops.ID())
	}
	if sc.TriggerID != cmd.TriggerID || sc.ResponseURL != cmd.ResponseURL {
		t.Errorf("got trigger %q, response_url %q; want %q, %q", sc.TriggerID, sc.ResponseURL, cmd.TriggerID, cmd.ResponseURL)
	}
	eph := cmd.Ephemeral(t)
	if len(eph) != 1 || eph[0].Text() != "Working on it" {
		t.Errorf("got ephemerals %v; want one saying %q", eph, "Working on it")
	}
}

func TestUnackedEnvelopeIsRedeliveredWithRetryAttempt(t *testing.T) {
	t.Parallel()
	w := New(t)
	w.SetAckTimeout(150 * time.Millisecond)
	var mu sync.Mutex
	var seen []socketmode.Request
	startApp(t, w, func(smc *socketmode.Client, evt socketmode.Event) {
		if evt.Type != socketmode.EventTypeSlashCommand {
			return
		}
		mu.Lock()
		seen = append(seen, *evt.Request)
		mu.Unlock()
		if evt.Request.RetryAttempt > 0 {
			smc.Ack(*evt.Request)
		}
	})
	e := w.Send("slash_commands", map[string]any{"command": "/incident", "text": "list", "user_id": "U1"})
	if _, ok := e.Wait(); !ok {
		t.Fatalf("got no ack; want the retry acked")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 {
		t.Fatalf("got %d deliveries; want 2", len(seen))
	}
	for i, want := range []struct {
		attempt int
		reason  string
	}{{0, ""}, {1, "timeout"}} {
		if seen[i].RetryAttempt != want.attempt || seen[i].RetryReason != want.reason || seen[i].EnvelopeID != e.ID {
			t.Errorf("delivery %d: got retry_attempt %d, reason %q, id %s; want %d, %q, %s",
				i, seen[i].RetryAttempt, seen[i].RetryReason, seen[i].EnvelopeID, want.attempt, want.reason, e.ID)
		}
	}
}

func TestEnvelopeGivesUpAfterThreeRetries(t *testing.T) {
	t.Parallel()
	w := New(t)
	w.SetAckTimeout(50 * time.Millisecond)
	startApp(t, w, func(*socketmode.Client, socketmode.Event) {})
	e := w.Send("events_api", map[string]any{"type": "event_callback"})
	if _, ok := e.Wait(); ok {
		t.Fatalf("got an ack; want none")
	}
	if got := e.Deliveries(); got != 4 {
		t.Errorf("got %d deliveries; want 4 (first + 3 retries)", got)
	}
}

func TestRefreshRequestedDisconnectLosesNothing(t *testing.T) {
	t.Parallel()
	w := New(t)
	var mu sync.Mutex
	acked := map[string]int{}
	startApp(t, w, func(smc *socketmode.Client, evt socketmode.Event) {
		if evt.Type == socketmode.EventTypeSlashCommand {
			mu.Lock()
			acked[evt.Request.EnvelopeID]++
			mu.Unlock()
			smc.Ack(*evt.Request)
		}
	})
	w.WaitConnected(t)
	var envs []*Envelope
	for i := 0; i < 5; i++ {
		envs = append(envs, w.Send("slash_commands", map[string]any{"command": "/incident", "text": "before"}))
	}
	w.Disconnect("refresh_requested")
	for i := 0; i < 5; i++ {
		envs = append(envs, w.Send("slash_commands", map[string]any{"command": "/incident", "text": "during"}))
	}
	for _, e := range envs {
		if _, ok := e.Wait(); !ok {
			t.Errorf("envelope %s: got no ack; want every envelope acked", e.ID)
		}
	}
	if got := w.Calls("apps.connections.open"); got < 2 {
		t.Errorf("got %d apps.connections.open calls; want at least 2 (a reconnect)", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(acked) != len(envs) {
		t.Errorf("got %d distinct envelopes at the app; want %d", len(acked), len(envs))
	}
}

func TestConnectionsOpenNeedsAppToken(t *testing.T) {
	t.Parallel()
	w := New(t)
	for _, tc := range []struct {
		name, token, want string
	}{
		{"bot token", w.BotToken, "not_allowed_token_type"},
		{"wrong token", "xapp-wrong", "invalid_auth"},
	} {
		api := slack.New("xoxb-x", slack.OptionAppLevelToken(tc.token), slack.OptionAPIURL(w.APIURL()))
		_, _, err := api.StartSocketModeContext(t.Context())
		if got := slackErr(err); got != tc.want {
			t.Errorf("%s: got %q (%v); want %q", tc.name, got, err, tc.want)
		}
	}
}
