package bot_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/slackfake"
)

// requestApproval drafts an external update as user and requests approval.
func requestApproval(t *testing.T, h *harness, ch *slackfake.Channel, user, msg string) {
	t.Helper()
	m := h.w.SlashCommand(user, ch.ID(), "/incident", "comm").Modal(t)
	m.Select("Audience", "External")
	h.w.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Statuspage incident") }, "the Statuspage fields")
	m.Set("Message", msg)
	m.Select("Statuspage incident", "API outage")
	m.Select("Communication action", "Request approval")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("request approval: got %+v; want the modal to close", res)
	}
}

func TestApprovalCardFailureIsToldTruthfully(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Payments")
	h.w.SetFault("chat.postMessage", slackfake.Fault{Status: 500, Times: 1})
	requestApproval(t, h, ch, alice, "Some payments fail.")
	note := h.ephemeralTo(alice, "Approval requested for *INC-1 update #1*")
	for _, want := range []string{"could not post the approval card in <#" + ch.ID() + ">", "Ask an approver to open `/incident comms`"} {
		if !strings.Contains(note.Text(), want) {
			t.Errorf("note lacks %q:\n%s", want, note.Text())
		}
	}
	if strings.Contains(note.Text(), "the card is in") {
		t.Errorf("note claims a card that was never posted:\n%s", note.Text())
	}

	// The way out the note gives works: an approver approves from the list.
	h.w.SlashCommand(bob, ch.ID(), "/incident", "comms")
	h.ephemeralTo(bob, "Updates of "+inc.ID).Click(bob, "Approve")
	h.w.Eventually(t, func() bool { return h.comms(inc.ID)[0].State == comms.StateApproved }, "the comm to be approved from /incident comms")
}

func TestEditingApproverCannotApproveTheEdit(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Search")
	requestApproval(t, h, ch, alice, "Search is down.")
	before := h.comms(inc.ID)[0]

	h.w.SlashCommand(bob, ch.ID(), "/incident", "comms")
	h.ephemeralTo(bob, "Updates of "+inc.ID).Click(bob, "Edit")
	var m *slackfake.Modal
	h.w.Eventually(t, func() bool {
		m = h.w.LastView(bob)
		return m != nil && slices.Contains(m.Labels(), "Approved for release")
	}, "the comm modal with the approval toggle")
	m.Set("Message", "Search is down in the EU.")
	m.Select("Approved for release", "Approved for release")
	before2 := m.Hash()
	m.Select("Communication action", "Send now")
	h.w.Eventually(t, func() bool { return m.Hash() != before2 }, "the Draft tab to be redrawn for Send now")
	res := m.Submit()
	if got := res.Errors["Approved for release"]; !strings.Contains(got, "You wrote or edited INC-1 update #1") {
		t.Errorf("errors: got %q; want the refusal on Approved for release", res.Errors)
	}
	if after := h.comms(inc.ID)[0]; after.Version != before.Version || after.State != comms.StateAwaitingApproval {
		t.Errorf("after the refused submission: got version %d state %s; want version %d awaiting approval, nothing stored",
			after.Version, after.State, before.Version)
	}
}

func TestRequestingAgainReplacesTheOldCard(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Webhooks")
	requestApproval(t, h, ch, alice, "Webhooks are delayed.")
	old := ch.ExpectMessage(t, "Approval requested")

	old.Click(alice, "Edit")
	var m *slackfake.Modal
	h.w.Eventually(t, func() bool { m = h.w.LastView(alice); return m != nil && slices.Contains(m.Labels(), "Message") }, "the comm modal")
	m.Set("Message", "Webhooks are delayed by up to ten minutes.")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 { // the action stays Request approval
		t.Fatalf("request approval again: got %+v; want the modal to close", res)
	}
	var fresh *slackfake.Message
	h.w.Eventually(t, func() bool {
		for _, msg := range ch.Messages() {
			if msg.TS != old.TS && strings.Contains(msg.Text(), "Approval requested") {
				fresh = msg
			}
		}
		return fresh != nil
	}, "a new approval card")
	h.w.Eventually(t, func() bool { return h.comms(inc.ID)[0].ApprovalCard.TS == fresh.TS }, "the comm to remember the new card")
	if c := h.comms(inc.ID)[0]; c.State != comms.StateAwaitingApproval {
		t.Errorf("got state %s; want awaiting approval", c.State)
	}
	if !slices.Contains(fresh.Buttons(), "Approve") || !strings.Contains(fresh.Text(), "up to ten minutes") {
		t.Errorf("new card: got buttons %q text\n%s\nwant Approve and the new text", fresh.Buttons(), fresh.Text())
	}
	cur := ch.Message(old.TS)
	if !strings.Contains(cur.Text(), "Replaced by a newer request") {
		t.Errorf("old card: got\n%s\nwant it to say it was replaced by a newer request", cur.Text())
	}
	if got := cur.Buttons(); len(got) != 0 {
		t.Errorf("old card: got buttons %q; want none", got)
	}
}
