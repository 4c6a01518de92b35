package bot_test

import (
	"context"
	"slices"
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
	// The handler may have stored something before it panicked.
	if got := string(cmd.Ack()); strings.Contains(got, "nothing was changed") || !strings.Contains(got, "check `/incident comms`") {
		t.Errorf("ack: got %s; want an apology that sends people to check what was saved", got)
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
		if unknown := strings.Contains(got, "does not know"); unknown != (text == "frobnicate") {
			t.Errorf("/incident %q: got %s; want \"does not know\" only for an unknown subcommand", text, got)
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
	if got := m.CallbackID(); got == "" || !slices.Contains(m.Labels(), "Incident") {
		t.Fatalf("got labels %q; want the incident picker", m.Labels())
	}
	res := m.Submit()
	if res.ResponseAction != "update" || !slices.Contains(m.Labels(), "Message") || !strings.Contains(m.Title(), "INC-1") {
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

// gateDedup holds the handler of the next envelope, once armed, until the
// test releases it: a handler too slow for Slack's three seconds, which the
// router's watchdog acks for.
type gateDedup struct {
	inner   bot.Deduper
	armed   atomic.Bool
	release chan struct{}
}

func (d *gateDedup) Seen(ctx context.Context, key string) (bool, error) {
	if d.armed.CompareAndSwap(true, false) {
		<-d.release
	}
	return d.inner.Seen(ctx, key)
}

func TestLateSubmissionErrorsAreTold(t *testing.T) {
	t.Parallel()
	gate := &gateDedup{inner: &lockedDedup{d: &memDedup{m: map[string]bool{}}}, release: make(chan struct{})}
	h := start(t, func(c *bot.Config, _ *comms.Service) { c.Dedup = gate })
	inc, ch := h.declare("Billing")
	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
	m.Set("Message", "Invoices are late.")
	m.Set("E-mail addresses", "not-an-address")
	gate.armed.Store(true)
	res := m.Submit() // returns once the watchdog has acked empty
	close(gate.release)
	if res.ResponseAction != "" || len(res.Errors) > 0 || m.IsOpen() {
		t.Fatalf("got %+v; the test needs the watchdog to have closed the modal", res)
	}
	note := h.ephemeralTo(alice, "The update form closed before Herald could show you what is wrong")
	for _, want := range []string{`"not-an-address" is not a valid e-mail address`, "Nothing was saved or sent"} {
		if !strings.Contains(note.Text(), want) {
			t.Errorf("note lacks %q:\n%s", want, note.Text())
		}
	}
	if n := len(h.comms(inc.ID)); n != 0 {
		t.Errorf("got %d comms; want none", n)
	}
}

// countingGroups is an approver user group that counts its lookups.
type countingGroups struct {
	calls   atomic.Int32
	members map[string][]string
}

func (g *countingGroups) GroupMembers(_ context.Context, group string) ([]string, error) {
	g.calls.Add(1)
	return g.members[group], nil
}

func TestSubmitAsksSlackLittleBeforeItsAck(t *testing.T) {
	t.Parallel()
	groups := &countingGroups{members: map[string][]string{"S0OPS": {dave}}}
	h := start(t, func(_ *bot.Config, s *comms.Service) {
		s.Groups, s.Policy.ApproverGroups, s.Policy.AllowSelfApproval = groups, []string{"S0OPS"}, true
	})
	inc, ch := h.declare("Latency")
	m := h.w.SlashCommand(dave, ch.ID(), "/incident", "comm").Modal(t)
	m.Select("Audience", "External")
	h.w.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Approved for release") }, "the approval toggle for a group member")
	m.Set("Message", "Requests are slow in one region.")
	m.Select("Create a new Statuspage incident instead", "Create a new Statuspage incident instead")
	h.w.Eventually(t, func() bool { return slices.Contains(m.Labels(), "New Statuspage incident title") }, "the title field")
	m.Select("SMS recipients (Slack users)", "bob")
	m.Select("Approved for release", "Approved for release")
	before := m.Hash()
	m.Select("Communication action", "Send now")
	h.w.Eventually(t, func() bool { return m.Hash() != before }, "the Draft tab to be redrawn for Send now")
	m.Click("Preview")
	h.w.Eventually(t, func() bool { return strings.Contains(m.Text(), "1 segment") }, "the preview; modal:\n%s", m.Text())

	groups.calls.Store(0)
	lookups := h.w.Calls("users.info")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("submit: got %+v; want the modal to close", res)
	}
	if c := h.comms(inc.ID)[0]; c.State != comms.StateSending || c.Approver != dave {
		t.Fatalf("got state %s approver %s; want sending, approved by %s", c.State, c.Approver, dave)
	}
	if got := groups.calls.Load(); got != 1 {
		t.Errorf("approver group lookups for one submission (approve and send): got %d; want 1", got)
	}
	if got := h.w.Calls("users.info") - lookups; got != 0 {
		t.Errorf("users.info calls in a submission after the preview looked the person up: got %d; want 0", got)
	}
}
