package bot_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-comms/herald/bot"
	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/slackfake"
	"github.com/slack-go/slack"
)

// slowDeduper holds the first envelope's handler long enough for Slack to
// redeliver it, as a slow handler would.
type slowDeduper struct {
	inner bot.Deduper
	calls atomic.Int32
	hold  time.Duration
}

func (d *slowDeduper) Seen(ctx context.Context, key string) (bool, error) {
	seen, err := d.inner.Seen(ctx, key)
	if d.calls.Add(1) == 1 {
		time.Sleep(d.hold)
	}
	return seen, err
}

type memDedup struct{ m map[string]bool }

func (d *memDedup) Seen(_ context.Context, key string) (bool, error) {
	seen := d.m[key]
	d.m[key] = true
	return seen, nil
}

func TestRedeliveredEnvelopeHandledOnce(t *testing.T) {
	t.Parallel()
	dd := &slowDeduper{inner: &lockedDedup{d: &memDedup{m: map[string]bool{}}}}
	h := start(t, func(c *bot.Config, _ *comms.Service) { c.Dedup = dd })
	inc, ch := h.declare("Queue backlog")
	dd.calls.Store(0)
	dd.hold = 400 * time.Millisecond
	h.w.SetAckTimeout(100 * time.Millisecond)
	e := h.w.Send("slash_commands", map[string]any{
		"team_id": h.w.TeamID, "channel_id": ch.ID(), "channel_name": ch.Name(), "user_id": alice, "user_name": "alice",
		"command": "/incident", "text": "status identified", "api_app_id": h.w.AppID, "trigger_id": "trig-redeliver",
	})
	if _, ok := e.Wait(); !ok {
		t.Fatal("the envelope was never acked")
	}
	if e.Deliveries() < 2 {
		t.Fatalf("got %d deliveries; the test needs a redelivery", e.Deliveries())
	}
	time.Sleep(600 * time.Millisecond) // let the first, slow handler finish
	entries, err := h.svc.Timeline(context.Background(), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	changes := 0
	for _, en := range entries {
		if en.Kind == comms.KindStatusChanged {
			changes++
		}
	}
	if changes != 1 {
		t.Errorf("got %d status changes from one redelivered command; want 1", changes)
	}
	if strings.Contains(h.logs.String(), "is already Identified") {
		t.Errorf("the redelivery was handled a second time")
	}
}

func TestPanicIsRecoveredAndApologised(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.bot.AddTestCommand("boom", func(context.Context) { panic("kaboom") })
	cmd := h.w.SlashCommand(alice, h.ops.ID(), "/incident", "boom")
	if got := string(cmd.Ack()); !strings.Contains(got, "Sorry, Herald hit a bug") || !strings.Contains(got, cmd.Envelope.ID) {
		t.Errorf("ack: got %s; want an apology naming the envelope", got)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "handler panicked") || !strings.Contains(logs, `"envelope_id":"`+cmd.Envelope.ID+`"`) {
		t.Errorf("log lacks the panic with its envelope_id:\n%s", logs)
	}
	// The bot still serves.
	if got := string(h.w.SlashCommand(alice, h.ops.ID(), "/incident", "help").Ack()); !strings.Contains(got, "/incident comm") {
		t.Errorf("help after a panic: got %s", got)
	}
}

func TestUsageAndHelp(t *testing.T) {
	t.Parallel()
	h := start(t)
	for _, text := range []string{"", "frobnicate", "help"} {
		got := string(h.w.SlashCommand(alice, h.ops.ID(), "/incident", text).Ack())
		if !strings.Contains(got, "/incident new [title]") || !strings.Contains(got, `"response_type":"ephemeral"`) {
			t.Errorf("/incident %q: got %s; want the usage, ephemerally", text, got)
		}
	}
}

func TestCommandOutsideIncidentChannel(t *testing.T) {
	t.Parallel()
	h := start(t)
	secret := h.w.AddChannel("secret", slackfake.Private, alice)
	h.w.SlashCommand(alice, secret.ID(), "/incident", "timeline")
	h.w.Eventually(t, func() bool { return strings.Contains(lastResponse(h, alice), "cannot see this channel") }, "a reply saying Herald cannot see the channel")
	h.w.SlashCommand(alice, h.ops.ID(), "/incident", "status identified")
	h.w.Eventually(t, func() bool { return strings.Contains(lastResponse(h, alice), "not an incident channel") }, "a reply saying it is not an incident channel")
}

func lastResponse(h *harness, user string) string {
	ms := h.w.Ephemerals(user)
	if len(ms) == 0 {
		return ""
	}
	return ms[len(ms)-1].Text()
}

func TestCommOutsideIncidentChannelAsksWhich(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.declare("Disk full")
	m := h.w.SlashCommand(alice, h.ops.ID(), "/incident", "comm").Modal(t)
	if got := m.CallbackID(); got == "" || !contains(m.Labels(), "Incident") {
		t.Fatalf("got labels %q; want the incident picker", m.Labels())
	}
	res := m.Submit()
	if res.ResponseAction != "update" || !contains(m.Labels(), "Message") || !strings.Contains(m.Title(), "INC-1") {
		t.Fatalf("after picking: got %+v, labels %q, title %q; want the comm modal", res, m.Labels(), m.Title())
	}
}

func TestSummaryEditsAreCoalesced(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *bot.Config, _ *comms.Service) { c.SummaryInterval = 300 * time.Millisecond })
	inc, ch := h.declare("Cache stampede")
	time.Sleep(400 * time.Millisecond)
	before := len(h.w.CallLog("chat.update"))
	ctx := context.Background()
	statuses := []comms.Status{comms.Identified, comms.Monitoring, comms.Identified, comms.Monitoring, comms.Identified, comms.Monitoring}
	startAt := time.Now()
	for _, st := range statuses {
		if _, err := h.svc.ChangeStatus(ctx, alice, inc.ID, st); err != nil {
			t.Fatal(err)
		}
		h.bot.RefreshSummary(ctx, inc.ID)
	}
	h.w.Eventually(t, func() bool {
		p := ch.Pinned()
		return len(p) == 1 && strings.Contains(p[0].Text(), "Monitoring") && strings.Contains(p[0].Text(), "Identified → Monitoring")
	}, "the final state in the summary")
	time.Sleep(400 * time.Millisecond)
	updates := len(h.w.CallLog("chat.update")) - before
	limit := int(time.Since(startAt)/(300*time.Millisecond)) + 1
	if updates < 1 || updates > limit {
		t.Errorf("got %d chat.update calls for %d changes in %v; want between 1 and %d", updates, len(statuses), time.Since(startAt), limit)
	}
}

func TestSummaryRepinned(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Pins")
	api := slack.New(h.w.BotToken, slack.OptionAPIURL(h.w.APIURL()))
	if err := api.RemovePinContext(context.Background(), ch.ID(), slack.ItemRef{Channel: ch.ID(), Timestamp: inc.SummaryTS}); err != nil {
		t.Fatal(err)
	}
	h.w.Send("events_api", map[string]any{
		"type": "event_callback", "team_id": h.w.TeamID, "api_app_id": h.w.AppID, "event_id": "Ev1",
		"event": map[string]any{"type": "pin_removed", "user": alice, "channel_id": ch.ID(),
			"item": map[string]any{"type": "message", "channel": ch.ID(), "message": map[string]any{"ts": inc.SummaryTS}}},
	})
	h.w.Eventually(t, func() bool { return len(ch.Pinned()) == 1 }, "the summary to be pinned again")
}
