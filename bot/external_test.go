package bot_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/herald-comms/herald/bot"
	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/slackfake"
)

func TestExternalCommFlow(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("API outage")

	m := h.w.SlashCommand(dave, ch.ID(), "/incident", "comm").Modal(t)
	m.Select("Audience", "External")
	h.w.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Statuspage incident") }, "the Statuspage fields to appear; labels %q", m.Labels())
	if slices.Contains(m.Labels(), "Approved for release") {
		t.Errorf("a non-approver sees the Approved for release toggle")
	}
	m.Set("Message", "Some API requests fail. We are working on a fix.")
	m.Select("Statuspage incident", "API outage")
	m.Select("Incident status", "Monitoring")
	m.Select("Communication action", "Send now")
	res := m.Submit()
	if got := res.Errors["Communication action"]; !strings.Contains(got, "must be approved before") {
		t.Fatalf("send before approval: got errors %q; want one on Communication action saying why", res.Errors)
	}
	if n := len(h.comms(inc.ID)); n != 0 {
		t.Fatalf("a refused submission stored %d comms; want none", n)
	}

	m.Select("Communication action", "Request approval")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("request approval: got %+v; want the modal to close", res)
	}
	card := ch.ExpectMessage(t, "Approval requested")
	for _, b := range []string{"Approve", "Reject", "Edit"} {
		if !slices.Contains(card.Buttons(), b) {
			t.Errorf("card buttons %q lack %q", card.Buttons(), b)
		}
	}
	if !strings.Contains(card.Text(), "Notify subscribers") || !strings.Contains(card.Text(), "Monitoring") {
		t.Errorf("card lacks the Statuspage preview:\n%s", card.Text())
	}

	card.Click(carol, "Approve")
	h.ephemeralTo(carol, "Only the incident commander or a configured approver")
	card.Click(dave, "Reject")
	h.ephemeralTo(dave, "Only the incident commander or a configured approver")
	if c := h.comms(inc.ID)[0]; c.State != comms.StateAwaitingApproval {
		t.Fatalf("after refused clicks: got state %s; want awaiting approval", c.State)
	}

	card.Click(bob, "Approve")
	h.w.Eventually(t, func() bool {
		cur := ch.Message(card.TS)
		return strings.Contains(cur.Text(), "Approved by") && slices.Contains(cur.Buttons(), "Send")
	}, "the card to show the approval and offer Send")

	ch.Message(card.TS).Click(dave, "Send")
	var c comms.Comm
	h.w.Eventually(t, func() bool { c = h.comms(inc.ID)[0]; return c.State == comms.StateSending }, "the comm to be sending")
	if c.Status != comms.Monitoring || c.Recipients.Statuspage == nil || c.Recipients.Statuspage.IncidentID != "sp-api" || !c.Recipients.Statuspage.Notify {
		t.Errorf("comm: got status %s statuspage %+v; want monitoring, sp-api, notify", c.Status, c.Recipients.Statuspage)
	}
	ds, err := h.svc.Deliveries(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Medium != comms.MediumStatuspage || ds[0].State != comms.DeliveryPending {
		t.Errorf("deliveries: got %+v; want one pending Statuspage delivery", ds)
	}
	h.w.Eventually(t, func() bool { return strings.Contains(ch.Message(card.TS).Text(), "Sent by") }, "the card to show it was sent")
}

func TestRejectAsksWhy(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Login slow")
	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
	m.Select("Audience", "External")
	h.w.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Create a new Statuspage incident instead") }, "Statuspage fields")
	m.Select("Create a new Statuspage incident instead", "Create a new Statuspage incident instead")
	h.w.Eventually(t, func() bool { return slices.Contains(m.Labels(), "New Statuspage incident title") }, "the title field")
	m.Set("Message", "Logins take up to a minute.")
	m.Select("Communication action", "Request approval")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("request approval: got %+v", res)
	}
	card := ch.ExpectMessage(t, "Approval requested")
	card.Click(bob, "Reject")
	var rm *slackfake.Modal
	h.w.Eventually(t, func() bool { rm = h.w.LastView(bob); return rm != nil }, "the reject modal")
	rm.Set("Reason", "Say when the next update comes.")
	if res := rm.Submit(); len(res.Errors) > 0 {
		t.Fatalf("reject: got %+v", res)
	}
	h.w.Eventually(t, func() bool { return strings.Contains(ch.Message(card.TS).Text(), "Rejected by") }, "the card to show the rejection")
	c := h.comms(inc.ID)[0]
	if c.State != comms.StateRejected || c.RejectReason != "Say when the next update comes." {
		t.Errorf("got state %s reason %q", c.State, c.RejectReason)
	}
	if sp := c.Recipients.Statuspage; sp == nil || !sp.Create() || sp.CreateTitle != "Login slow" {
		t.Errorf("statuspage target: got %+v; want a new incident titled after the incident", sp)
	}
	h.ephemeralTo(alice, "rejected *INC-1 update #1*")

	// The author edits the rejected draft from the card.
	ch.Message(card.TS).Click(alice, "Edit")
	h.w.Eventually(t, func() bool { em := h.w.LastView(alice); return em != nil && strings.Contains(em.Title(), "INC-1") }, "the comm modal to reopen")
}

func TestApproverTogglesApprovalAndSends(t *testing.T) {
	t.Parallel()
	h := start(t, func(_ *bot.Config, s *comms.Service) { s.Policy.AllowSelfApproval = true })
	inc, ch := h.declare("DNS")
	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
	m.Select("Audience", "External")
	h.w.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Approved for release") }, "the approval toggle for the commander")
	m.Set("Message", "DNS resolution is failing in one region.")
	m.Select("Create a new Statuspage incident instead", "Create a new Statuspage incident instead")
	h.w.Eventually(t, func() bool { return slices.Contains(m.Labels(), "New Statuspage incident title") }, "the title field")
	m.Set("New Statuspage incident title", "DNS failures in eu-west")
	m.Select("Approved for release", "Approved for release")
	m.Select("Communication action", "Send now")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("submit: got %+v", res)
	}
	c := h.comms(inc.ID)[0]
	if c.State != comms.StateSending || c.Approver != alice || c.Recipients.Statuspage.CreateTitle != "DNS failures in eu-west" {
		t.Errorf("got state %s approver %s target %+v", c.State, c.Approver, c.Recipients.Statuspage)
	}
}

func TestApprovalToggleOnlyWhereItCanBeTicked(t *testing.T) {
	t.Parallel()
	h := start(t) // self-approval is off
	_, ch := h.declare("Queue backlog")

	// A new comm is its viewer's own: the commander may not approve it.
	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
	m.Select("Audience", "External")
	h.w.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Statuspage incident") }, "the Statuspage fields")
	if slices.Contains(m.Labels(), "Approved for release") {
		t.Errorf("new comm: got labels %q; want no Approved for release toggle for its author", m.Labels())
	}
	if hint := m.Text(); !strings.Contains(hint, "request approval, and an approver will review it") {
		t.Errorf("new comm: got text\n%s\nwant the hint to send the author to Request approval", hint)
	}
	m.Close()

	// Reopened by its author, it is still theirs; another approver gets the toggle.
	requestApproval(t, h, ch, alice, "Jobs are delayed.")
	card := ch.ExpectMessage(t, "Approval requested")
	for _, tc := range []struct {
		user string
		want bool
	}{{alice, false}, {bob, true}} {
		card.Click(tc.user, "Edit")
		var em *slackfake.Modal
		h.w.Eventually(t, func() bool {
			em = h.w.LastView(tc.user)
			return em != nil && slices.Contains(em.Labels(), "Message")
		}, "the comm modal for %s", tc.user)
		if got := slices.Contains(em.Labels(), "Approved for release"); got != tc.want {
			t.Errorf("%s edits: got Approved for release shown %v; want %v", tc.user, got, tc.want)
		}
		em.Close()
	}
}

// TestApproverEditsSubmitsUnchangedApprovesAndSends is the seed flow: an
// engineer drafts an external update and requests approval; an approver
// opens it from the card, leaves the text as it is, ticks Approved for
// release and sends it.
func TestApproverEditsSubmitsUnchangedApprovesAndSends(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("API outage")
	requestApproval(t, h, ch, dave, "Some API requests fail. We are working on a fix.")
	card := ch.ExpectMessage(t, "Approval requested")
	before := h.comms(inc.ID)[0]

	card.Click(bob, "Edit")
	var m *slackfake.Modal
	h.w.Eventually(t, func() bool {
		m = h.w.LastView(bob)
		return m != nil && slices.Contains(m.Labels(), "Approved for release")
	},
		"the comm modal with the Approved for release toggle")
	m.Select("Approved for release", "Approved for release")
	hash := m.Hash()
	m.Select("Communication action", "Send now")
	h.w.Eventually(t, func() bool { return m.Hash() != hash }, "the Draft tab to be redrawn for Send now")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("submit: got %+v; want the modal to close", res)
	}

	c := h.comms(inc.ID)[0]
	if c.State != comms.StateSending || c.Approver != bob || c.SentBy != bob || c.Message != before.Message || c.EditedBy != before.EditedBy {
		t.Errorf("got state %s approver %q sent by %q edited by %q message %q; want sending, approved and sent by %s, unedited",
			c.State, c.Approver, c.SentBy, c.EditedBy, c.Message, bob)
	}
	h.w.Eventually(t, func() bool {
		cur := ch.Message(card.TS)
		return strings.Contains(cur.Text(), "Sent by <@"+bob+">") && !slices.Contains(cur.Buttons(), "Approve")
	}, "the card to show it was sent, without Approve")
}
