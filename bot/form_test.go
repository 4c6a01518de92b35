package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/slackfake"
)

// fillLongForm fills the comm modal with more than private_metadata holds
// (140 e-mail addresses and a channel), chooses Send now and shows the
// Preview tab.
func fillLongForm(t *testing.T, h *harness, ch *slackfake.Channel) *slackfake.Modal {
	t.Helper()
	var addrs []string
	for i := range 140 {
		addrs = append(addrs, fmt.Sprintf("user%03d@example.com", i))
	}
	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
	m.Set("Message", strings.Repeat("Mail is delayed. ", 20))
	m.Set("E-mail addresses", strings.Join(addrs, ", "))
	m.Select("Slack channels", "ops")
	before := m.Hash()
	m.Select("Communication action", "Send now")
	h.w.Eventually(t, func() bool { return m.Hash() != before }, "the Draft tab to be redrawn for Send now")
	m.Click("Preview")
	h.w.Eventually(t, func() bool { return strings.Contains(m.Text(), "to 140 addresses") }, "the preview; modal:\n%s", m.Text())
	if md := m.PrivateMetadata(); !strings.Contains(md, `"k":true`) || strings.Contains(md, "user000@example.com") {
		t.Fatalf("got private_metadata of %d characters that keeps the addresses; the test needs a form too long for it", len(md))
	}
	return m
}

func TestLongFormKeepsEveryRecipient(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Mail storm")
	m := fillLongForm(t, h, ch)
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("submit from the Preview tab: got %+v, modal:\n%s; want the modal to close", res, m.Text())
	}
	list := h.comms(inc.ID)
	if len(list) != 1 {
		t.Fatalf("got %d comms; want 1", len(list))
	}
	ds, err := h.svc.Deliveries(context.Background(), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	n := map[comms.Medium]int{}
	for _, d := range ds {
		n[d.Medium]++
	}
	if n[comms.MediumEmail] != 140 || n[comms.MediumSlack] != 1 {
		t.Errorf("deliveries per medium: got %v; want 140 e-mail and 1 Slack", n)
	}
}

func TestLongFormLostByRestartIsRefused(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Mail storm")
	m := fillLongForm(t, h, ch)
	h.bot.ForgetForms(t, m.ID())
	res := m.Submit()
	if res.ResponseAction != "update" || !strings.Contains(m.Text(), "lost part of it") || !strings.Contains(m.Text(), "reopen it with `/incident comm`") {
		t.Fatalf("submit after the form was lost: got %+v, modal:\n%s; want the Draft tab asking to check or reopen", res, m.Text())
	}
	if n := len(h.comms(inc.ID)); n != 0 {
		t.Errorf("got %d comms stored from a half-lost form; want none", n)
	}
}

func TestFailedRedrawIsTold(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, ch := h.declare("Redraw")
	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
	m.Set("Message", "Search is slow.")
	h.w.SetFault("views.update", slackfake.Fault{Status: 500, Times: 1})
	m.Click("Preview")
	h.ephemeralTo(alice, "could not refresh the update form")
	if logs := h.logs.String(); !strings.Contains(logs, `"level":"warn"`) || !strings.Contains(logs, "views.update of the comm modal failed") {
		t.Errorf("logs lack a warning about the failed redraw:\n%s", logs)
	}
	m.Click("Preview") // the form still works
	h.w.Eventually(t, func() bool { return strings.Contains(m.Text(), "Slack message") }, "the Preview tab after a retry")
}
