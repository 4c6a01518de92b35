package bot_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/slackfake"
)

func TestDeliveryReportAndRetry(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Mail relay")
	c, ds := h.sendEmailComm(inc.ID, ch, "Mail is delayed.", "a@example.com b@example.com", 2)
	ctx := context.Background()
	for i, d := range ds {
		_, err := h.db.UpdateDelivery(ctx, d.ID, func(d *comms.Delivery) error {
			d.State = comms.DeliverySent
			if i == 1 {
				d.State, d.LastError = comms.DeliveryFailedPerm, "550 mailbox unavailable"
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, _, done, err := h.svc.Finish(ctx, c.ID); err != nil || !done {
		t.Fatalf("Finish: done %v err %v", done, err)
	}
	h.bot.CommFinished(ctx, c.ID)
	report := h.ephemeralTo(alice, "Delivery report")
	for _, want := range []string{"*E-mail*: 1 sent · 1 failed · 0 pending", "550 mailbox unavailable"} {
		if !strings.Contains(report.Text(), want) {
			t.Errorf("report lacks %q:\n%s", want, report.Text())
		}
	}
	report.Click(alice, "Retry failed")
	h.w.Eventually(t, func() bool { return h.comms(inc.ID)[0].State == comms.StateSending }, "the comm to be sending again")
	ds, _ = h.svc.Deliveries(ctx, c.ID)
	if ds[1].State != comms.DeliveryPending || ds[0].State != comms.DeliverySent {
		t.Errorf("after retry: got %s and %s; want the sent row kept and the failed one pending", ds[0].State, ds[1].State)
	}
}

func TestCommsListAndTimelineExport(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Webhooks late")
	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
	m.Set("Message", "Webhooks arrive late.")
	m.Select("Slack channels", "ops")
	m.Submit()
	h.w.SlashCommand(alice, ch.ID(), "/incident", "comms")
	list := h.ephemeralTo(alice, "Updates of "+inc.ID)
	for _, b := range []string{"Edit", "Preview", "Send"} {
		if !slices.Contains(list.Buttons(), b) {
			t.Errorf("comms list buttons %q lack %q", list.Buttons(), b)
		}
	}
	list.Click(alice, "Send")
	h.w.Eventually(t, func() bool { return h.comms(inc.ID)[0].State == comms.StateSending }, "the draft to be sent from the list")

	h.w.SlashCommand(alice, ch.ID(), "/incident", "timeline export")
	export := h.ephemeralTo(alice, "Timeline export of "+inc.ID)
	entries, _ := h.svc.Timeline(context.Background(), inc.ID)
	if !strings.Contains(export.Text(), "hash chain verifies") || !strings.Contains(export.Text(), entries[len(entries)-1].Hash) {
		t.Errorf("export lacks the verdict or the last hash:\n%s", export.Text())
	}
	h.w.SlashCommand(alice, ch.ID(), "/incident", "resolve")
	h.w.Eventually(t, func() bool {
		i, _ := h.svc.Incident(context.Background(), inc.ID)
		return i.Status == comms.Resolved && strings.Contains(ch.Pinned()[0].Text(), "Resolved")
	}, "the incident and its summary to be resolved")
}

func TestSupersededCommReadsSuperseded(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Billing")
	requestApproval(t, h, ch, alice, "Invoices are late.")
	card := ch.ExpectMessage(t, "Approval requested")
	card.Click(bob, "Approve")
	h.w.Eventually(t, func() bool { return slices.Contains(ch.Message(card.TS).Buttons(), "Send") }, "the card to offer Send")
	ch.Message(card.TS).Click(alice, "Send")
	var c comms.Comm
	h.w.Eventually(t, func() bool { c = h.comms(inc.ID)[0]; return c.State == comms.StateSending }, "the comm to be sending")

	// A newer comm to the same targets replaced every row before any went out.
	ctx := context.Background()
	ds, err := h.svc.Deliveries(ctx, c.ID)
	if err != nil || len(ds) == 0 {
		t.Fatalf("deliveries: %v %v", ds, err)
	}
	for _, d := range ds {
		if _, err := h.db.UpdateDelivery(ctx, d.ID, func(d *comms.Delivery) error {
			d.State, d.SupersededBy = comms.DeliverySuperseded, "C-99"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if c, _, done, err := h.svc.Finish(ctx, c.ID); err != nil || !done || c.State != comms.StateSuperseded {
		t.Fatalf("Finish: got state %s done %v err %v; want superseded", c.State, done, err)
	}
	h.bot.CommFinished(ctx, c.ID)

	report := h.ephemeralTo(alice, "was replaced by a newer update")
	if want := ":fast_forward: *INC-1 update #1* was replaced by a newer update before it went out; nothing of it was sent."; !strings.Contains(report.Text(), want) {
		t.Errorf("report: got\n%s\nwant %q", report.Text(), want)
	}
	if strings.Contains(report.Text(), ":white_check_mark:") || strings.Contains(report.Text(), "(Sent)") {
		t.Errorf("report: got\n%s\nwant no claim that it was sent", report.Text())
	}

	h.w.Eventually(t, func() bool { return strings.Contains(ch.Message(card.TS).Text(), "Superseded") }, "the card to say Superseded")
	if cur := ch.Message(card.TS); strings.Contains(cur.Text(), "Sent by") || len(cur.Buttons()) != 0 {
		t.Errorf("card: got buttons %q text\n%s\nwant Superseded, no Sent by, no buttons", cur.Buttons(), cur.Text())
	}

	h.w.SlashCommand(alice, ch.ID(), "/incident", "comms")
	list := h.ephemeralTo(alice, "Updates of "+inc.ID)
	if !strings.Contains(list.Text(), "*INC-1 update #1* · External · *Superseded*") {
		t.Errorf("list: got\n%s\nwant the comm labelled Superseded", list.Text())
	}
	if got := list.Buttons(); len(got) != 1 || got[0] != "Preview" {
		t.Errorf("list buttons: got %q; want only Preview", got)
	}
}

func TestNothingStartsAfterRunReturns(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Shutdown")
	c, ds := h.sendEmailComm(inc.ID, ch, "Restarting the fleet.", "ops@example.com", 1)
	ctx := context.Background()
	if _, err := h.db.UpdateDelivery(ctx, ds[0].ID, func(d *comms.Delivery) error { d.State = comms.DeliverySent; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, done, err := h.svc.Finish(ctx, c.ID); err != nil || !done {
		t.Fatalf("Finish: done %v err %v", done, err)
	}

	h.stop()
	before := len(h.w.CallLog())
	h.bot.RefreshSummary(ctx, inc.ID)
	h.bot.CommFinished(ctx, c.ID) // a dispatcher that outlived the bot
	if got := h.w.CallLog()[before:]; len(got) != 0 {
		t.Errorf("after Run returned: got Slack calls %v; want none", got)
	}
}

// sendEmailComm has alice send an internal comm to addrs from ch, and returns
// it with its want delivery rows, still pending.
func (h *harness) sendEmailComm(incID string, ch *slackfake.Channel, msg, addrs string, want int) (comms.Comm, []comms.Delivery) {
	h.t.Helper()
	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(h.t)
	m.Set("Message", msg)
	m.Set("E-mail addresses", addrs)
	m.Select("Communication action", "Send now")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		h.t.Fatalf("submit: %+v", res)
	}
	c := h.comms(incID)[0]
	ds, err := h.svc.Deliveries(context.Background(), c.ID)
	if err != nil || len(ds) != want {
		h.t.Fatalf("deliveries: %v %v; want %d", ds, err, want)
	}
	return c, ds
}
