package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-comms/herald/comms"
)

func TestCancelDraftFromList(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Queue")
	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
	m.Set("Message", "Jobs are queued.")
	m.Select("Slack channels", "ops")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("save draft: got %+v", res)
	}
	h.w.SlashCommand(alice, ch.ID(), "/incident", "comms")
	list := h.ephemeralTo(alice, "Updates of "+inc.ID)
	if !slices.Contains(list.Buttons(), "Cancel") {
		t.Fatalf("list buttons %q lack Cancel", list.Buttons())
	}
	list.Click(alice, "Cancel")
	h.ephemeralTo(alice, "Cancelled *INC-1 update #1*")
	if c := h.comms(inc.ID)[0]; c.State != comms.StateCancelled {
		t.Errorf("got state %s; want cancelled", c.State)
	}
}

func TestCancelFromApprovalCard(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Login")
	requestApproval(t, h, ch, dave, "Logins fail.")
	card := ch.ExpectMessage(t, "Approval requested")
	for _, b := range []string{"Approve", "Reject", "Edit", "Cancel"} {
		if !slices.Contains(card.Buttons(), b) {
			t.Errorf("card buttons %q lack %q", card.Buttons(), b)
		}
	}
	card.Click(bob, "Cancel")
	h.w.Eventually(t, func() bool {
		cur := ch.Message(card.TS)
		return strings.Contains(cur.Text(), "Cancelled by <@"+bob+">") && len(cur.Buttons()) == 0
	}, "the card to say who cancelled it and offer nothing more")
	if c := h.comms(inc.ID)[0]; c.State != comms.StateCancelled {
		t.Errorf("got state %s; want cancelled", c.State)
	}
}

func TestScheduledCommShowsAndCancels(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Maintenance")
	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
	m.Set("Message", "Maintenance starts in an hour.")
	m.Select("Slack channels", "ops")
	m.Select("Communication action", "Schedule")
	h.w.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Send at") }, "the Send at field")
	at := time.Now().Add(2 * time.Hour).Truncate(time.Minute)
	m.Set("Send at", fmt.Sprint(at.Unix()))
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("schedule: got %+v", res)
	}
	when := at.UTC().Format("2006-01-02 15:04 UTC") // slackDate's fallback text
	note := h.ephemeralTo(alice, "Scheduled for")
	if !strings.Contains(note.Text(), when) || !slices.Contains(note.Buttons(), "Cancel") {
		t.Errorf("confirmation: got %q with buttons %q; want the time %s and a Cancel button", note.Text(), note.Buttons(), when)
	}
	h.w.Eventually(t, func() bool {
		p := ch.Pinned()
		return len(p) == 1 && strings.Contains(p[0].Text(), "Scheduled for") && strings.Contains(p[0].Text(), when)
	}, "the pinned summary to show the scheduled update")
	h.w.SlashCommand(alice, ch.ID(), "/incident", "comms")
	if list := h.ephemeralTo(alice, "Updates of "+inc.ID); !strings.Contains(list.Text(), "Scheduled for") {
		t.Errorf("comms list: got %q; want the update shown as Scheduled for its time", list.Text())
	}

	note.Click(alice, "Cancel")
	h.ephemeralTo(alice, "Cancelled *INC-1 update #1*")
	c := h.comms(inc.ID)[0]
	ds, err := h.svc.Deliveries(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != comms.StateCancelled || len(ds) != 1 || ds[0].State != comms.DeliveryCancelled {
		t.Errorf("after cancel: got state %s, deliveries %+v; want cancelled with its delivery cancelled", c.State, ds)
	}
	h.w.Eventually(t, func() bool {
		p := ch.Pinned()
		return len(p) == 1 && !strings.Contains(p[0].Text(), "Scheduled for")
	}, "the scheduled update to leave the pinned summary")
}
