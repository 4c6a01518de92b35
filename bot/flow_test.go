package bot_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/herald-comms/herald/comms"
)

func TestInternalCommFlow(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Checkout errors")
	if got, want := ch.Name(), "inc-1-checkout-errors"; got != want {
		t.Errorf("channel name: got %q; want %q", got, want)
	}
	if !ch.IsMember(alice) {
		t.Errorf("got members %v; want the declarer %s invited", ch.Members(), alice)
	}
	if inc.Permalink == "" {
		t.Errorf("got no permalink of the summary recorded as the incident link")
	}

	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
	for _, label := range []string{"Message", "E-mail addresses", "SMS recipients", "Slack channels", "Incident status", "Include incident link in the message", "Communication action"} {
		if !slices.Contains(m.Labels(), label) {
			t.Errorf("comm modal labels %q lack %q", m.Labels(), label)
		}
	}
	if slices.Contains(m.Labels(), "Statuspage incident") {
		t.Errorf("internal comm shows Statuspage fields: %q", m.Labels())
	}
	const msg = "Card payments fail for some customers. We are rolling back the release."
	m.Set("Message", msg)
	m.Set("E-mail addresses", "ops@example.com, cto@example.com")
	m.Select("SMS recipients (Slack users)", "bob")
	m.Select("Slack channels", "ops")
	m.Select("Incident status", "Identified")

	m.Click("Preview")
	h.w.Eventually(t, func() bool { return strings.Contains(m.Text(), "1 segment · GSM-7") }, "the preview to show the SMS segments; modal: %s", m.Text())
	for _, want := range []string{"Slack message", "Subject:", "[INC-1 · Identified] Checkout errors", "INC-1 Identified: Card payments fail"} {
		if !strings.Contains(m.Text(), want) {
			t.Errorf("preview lacks %q:\n%s", want, m.Text())
		}
	}
	m.Click("Draft")
	h.w.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Message") }, "the Draft tab to come back")
	if vals, _ := json.Marshal(m.Values()); !strings.Contains(string(vals), msg) || !strings.Contains(string(vals), "cto@example.com") {
		t.Fatalf("draft values lost across tabs: %s", vals)
	}
	m.Select("Communication action", "Send now")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("submit: got %+v; want the modal to close", res)
	}

	list := h.comms(inc.ID)
	if len(list) != 1 {
		t.Fatalf("got %d comms; want 1", len(list))
	}
	c := list[0]
	if c.State != comms.StateSending || c.Status != comms.Identified {
		t.Errorf("comm: got state %s status %s; want sending identified", c.State, c.Status)
	}
	ds, err := h.svc.Deliveries(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := map[comms.Medium]int{}
	for _, d := range ds {
		n[d.Medium]++
	}
	if n[comms.MediumSlack] != 1 || n[comms.MediumEmail] != 2 || n[comms.MediumSMS] != 1 || n[comms.MediumStatuspage] != 0 {
		t.Errorf("deliveries per medium: got %v; want 1 slack, 2 email, 1 sms", n)
	}
	h.w.Eventually(t, func() bool { return h.notified.Load() > 0 }, "Notify to be called after the comm was queued")
	entries, err := h.svc.Timeline(context.Background(), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range entries {
		kinds = append(kinds, e.Kind)
	}
	for _, want := range []string{comms.KindDeclared, comms.KindCommDrafted, comms.KindStatusChanged, comms.KindCommSent} {
		if !slices.Contains(kinds, want) {
			t.Errorf("timeline kinds %q lack %q", kinds, want)
		}
	}
	h.w.Eventually(t, func() bool {
		p := ch.Pinned()
		return len(p) == 1 && strings.Contains(p[0].Text(), "Identified") && strings.Contains(p[0].Text(), "Card payments fail")
	}, "the pinned summary to show the status and the update")
	h.ephemeralTo(alice, "Sending *INC-1 update #1*")
}
