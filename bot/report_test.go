package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/herald-comms/herald/comms"
)

func TestDeliveryReportAndRetry(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Mail relay")
	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
	m.Set("Message", "Mail is delayed.")
	m.Set("E-mail addresses", "a@example.com b@example.com")
	m.Select("Communication action", "Send now")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("submit: %+v", res)
	}
	c := h.comms(inc.ID)[0]
	ctx := context.Background()
	ds, err := h.svc.Deliveries(ctx, c.ID)
	if err != nil || len(ds) != 2 {
		t.Fatalf("deliveries: %v %v", ds, err)
	}
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
		if !contains(list.Buttons(), b) {
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
