package main

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-comms/herald/internal/slackfake"
)

// declare runs /incident new from #general and returns the incident channel.
func (h *harness) declare(title string) *slackfake.Channel {
	h.t.Helper()
	gen := h.slack.Channel("general")
	m := h.slack.SlashCommand(uCommander, gen.ID(), "/incident", "new "+title).Modal(h.t)
	m.Select("Severity", "SEV2")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		h.t.Fatalf("declare: got %+v; want the modal to close", res)
	}
	var ch *slackfake.Channel
	h.slack.Eventually(h.t, func() bool {
		c, ok := h.slack.FindChannel("inc-1-" + strings.ToLower(strings.ReplaceAll(title, " ", "-")))
		ch = c
		return ok && len(c.Pinned()) == 1
	}, "the incident channel with its pinned summary")
	return ch
}

// pinned returns the text of the channel's one pinned message.
func pinned(ch *slackfake.Channel) string {
	p := ch.Pinned()
	if len(p) != 1 {
		return ""
	}
	return p[0].Text()
}

// ephemeralWith waits for an ephemeral message to user containing substr.
func (h *harness) ephemeralWith(user, substr string) *slackfake.Message {
	h.t.Helper()
	var found *slackfake.Message
	h.waitFor(func() bool {
		for _, m := range h.slack.Ephemerals(user) {
			if strings.Contains(m.Text(), substr) {
				found = m
				return true
			}
		}
		return false
	}, "an ephemeral message to %s containing %q", user, substr)
	return found
}

func TestE2EInternalComm(t *testing.T) {
	t.Parallel()
	h := startHerald(t)
	inc := h.declare("Checkout errors")
	if !strings.Contains(pinned(inc), "Investigating") {
		t.Errorf("pinned summary after declare:\n%s\nwant the status Investigating", pinned(inc))
	}

	m := h.slack.SlashCommand(uCommander, inc.ID(), "/incident", "comm").Modal(t)
	for _, label := range []string{"Message", "E-mail addresses", "SMS recipients", "Slack channels", "Incident status",
		"Include incident link in the message", "Communication action"} {
		if !slices.Contains(m.Labels(), label) {
			t.Errorf("comm modal lacks %q; labels %q", label, m.Labels())
		}
	}
	const msg = "Card payments fail for about 5% of customers. We are rolling back the 14:02 release."
	m.Set("Message", msg)
	m.Set("E-mail addresses", "ops@example.com, cto@example.com")
	m.Set("SMS recipients", "Dana Oncall")
	m.Select("Slack channels", "ops")
	m.Select("Incident status", "Identified")
	m.Select("Include incident link in the message", "Include incident link in the message")

	m.Click("Preview")
	h.slack.Eventually(t, func() bool { return strings.Contains(m.Text(), "2 segments · GSM-7") }, "the preview's SMS segment count; modal:\n%s", m.Text())
	for _, want := range []string{"[INC-1 · Identified] Checkout errors", "INC-1 Identified: Card payments fail"} {
		if !strings.Contains(m.Text(), want) {
			t.Errorf("preview lacks %q:\n%s", want, m.Text())
		}
	}
	m.Click("Draft")
	h.slack.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Message") }, "the Draft tab")
	m.Select("Communication action", "Send now")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("send: got %+v; want the modal to close", res)
	}

	// Every target gets exactly one message.
	ops := h.slack.Channel("ops")
	post := ops.ExpectMessage(t, "Card payments fail")
	if post.Metadata == nil {
		t.Errorf("the comm in #ops carries no message metadata for reconciliation")
	}
	h.waitFor(func() bool {
		return len(h.smtp.Messages()) == 2 && len(h.twilio.Messages()) == 1
	}, "2 e-mails and 1 SMS; got %d and %d", len(h.smtp.Messages()), len(h.twilio.Messages()))
	for _, addr := range []string{"ops@example.com", "cto@example.com"} {
		in := h.smtp.Inbox(addr)
		if len(in) != 1 || in[0].Subject != "[INC-1 · Identified] Checkout errors" || !strings.Contains(in[0].Text, msg) {
			t.Errorf("inbox of %s: %+v; want one e-mail with the subject and message", addr, in)
		}
	}
	sms := h.twilio.Inbox("+14155550101")
	if len(sms) != 1 || !strings.HasPrefix(sms[0].Body, "INC-1 Identified: Card payments fail") || sms[0].From != "+14155550199" {
		t.Errorf("Dana's SMS: %+v; want one from +14155550199 starting with the status", sms)
	}
	if !strings.Contains(sms[0].Body, "http") {
		t.Errorf("SMS %q lacks the incident link although the toggle was on", sms[0].Body)
	}

	// The author hears how it went; the pinned summary shows the new status.
	report := h.ephemeralWith(uCommander, "Delivery report for *INC-1 update #1*")
	for _, want := range []string{"*Slack*: 1 sent · 0 failed", "*E-mail*: 2 sent · 0 failed", "*SMS*: 1 sent · 0 failed"} {
		if !strings.Contains(report.Text(), want) {
			t.Errorf("delivery report lacks %q:\n%s", want, report.Text())
		}
	}
	h.waitFor(func() bool {
		s := pinned(inc)
		return strings.Contains(s, "Identified") && strings.Contains(s, "Card payments fail")
	}, "the pinned summary to show Identified and the update:\n%s", pinned(inc))

	// The timeline records each step, and its hash chain verifies.
	h.slack.SlashCommand(uCommander, inc.ID(), "/incident", "timeline")
	tl := h.ephemeralWith(uCommander, "delivered")
	for _, want := range []string{"Declared INC-1", "drafted", "Investigating → Identified", "sent now", "delivered: slack 1 sent; email 2 sent; sms 1 sent"} {
		if !strings.Contains(tl.Text(), want) {
			t.Errorf("timeline lacks %q:\n%s", want, tl.Text())
		}
	}

	// Nothing is lost or sent again across a restart.
	h.restart()
	time.Sleep(200 * time.Millisecond)
	if n := len(h.smtp.Messages()); n != 2 {
		t.Errorf("after restart the SMTP server has %d messages; want still 2", n)
	}
	h.slack.SlashCommand(uEngineer, inc.ID(), "/incident", "list")
	h.ephemeralWith(uEngineer, "INC-1")
}

func TestE2EExternalCommWithApproval(t *testing.T) {
	t.Parallel()
	h := startHerald(t)
	inc := h.declare("API outage")

	m := h.slack.SlashCommand(uEngineer, inc.ID(), "/incident", "comm").Modal(t)
	m.Select("Audience", "External")
	h.slack.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Statuspage incident") }, "the Statuspage fields; labels %q", m.Labels())
	if slices.Contains(m.Labels(), "Approved for release") {
		t.Errorf("the non-approver %s sees the Approved for release toggle", uEngineer)
	}
	m.Select("Create a new Statuspage incident instead", "Create a new Statuspage incident instead")
	h.slack.Eventually(t, func() bool { return slices.Contains(m.Labels(), "New Statuspage incident title") }, "the new incident title field")
	m.Set("New Statuspage incident title", "API errors")
	m.Set("Message", "Some API requests fail. We are working on a fix.")
	m.Select("Incident status", "Investigating")
	m.Select("Communication action", "Send now")
	res := m.Submit()
	if got := res.Errors["Communication action"]; !strings.Contains(got, "approved") {
		t.Fatalf("send before approval: errors %q; want Communication action to say it needs approval", res.Errors)
	}
	m.Select("Communication action", "Request approval")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("request approval: got %+v", res)
	}
	card := inc.ExpectMessage(t, "Approval requested")

	card.Click(uEngineer, "Approve")
	h.ephemeralWith(uEngineer, "Only the incident commander or a configured approver")
	card.Click(uApprover, "Approve")
	h.slack.Eventually(t, func() bool {
		c := inc.Message(card.TS)
		return strings.Contains(c.Text(), "Approved by") && slices.Contains(c.Buttons(), "Send")
	}, "the card to show the approval and offer Send")
	if len(h.sp.Incidents()) != 0 {
		t.Fatalf("Statuspage got an incident before the comm was sent")
	}
	inc.Message(card.TS).Click(uEngineer, "Send")

	h.waitFor(func() bool { return len(h.sp.Incidents()) == 1 }, "one Statuspage incident")
	got := h.sp.Incidents()[0]
	if got.Name != "API errors" || got.Status != "investigating" {
		t.Errorf("Statuspage incident %q %s; want API errors, investigating", got.Name, got.Status)
	}
	var meta map[string]map[string]string
	if err := json.Unmarshal(got.Metadata, &meta); err != nil || meta["herald"]["incident"] != "INC-1" {
		t.Errorf("Statuspage metadata %s (%v); want herald.incident INC-1", got.Metadata, err)
	}
	h.waitFor(func() bool { return strings.Contains(inc.Message(card.TS).Text(), "Sent by") }, "the card to show it was sent")
}

func TestE2EApproverGroupMemberApproves(t *testing.T) {
	t.Parallel()
	h := startHerald(t)
	inc := h.declare("Billing delays")
	m := h.slack.SlashCommand(uEngineer, inc.ID(), "/incident", "comm").Modal(t)
	m.Select("Audience", "External")
	h.slack.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Statuspage incident") }, "the Statuspage fields")
	m.Set("Message", "Invoices are delayed by about an hour.")
	m.Set("E-mail addresses", "billing@example.com")
	m.Select("Incident status", "Identified")
	m.Select("Communication action", "Request approval")
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("request approval: got %+v", res)
	}
	card := inc.ExpectMessage(t, "Approval requested")
	card.Click(uGroupie, "Approve")
	h.waitFor(func() bool { return strings.Contains(inc.Message(card.TS).Text(), "Approved by") }, "the group member's approval on the card")
	inc.Message(card.TS).Click(uEngineer, "Send")
	h.waitFor(func() bool { return len(h.smtp.Inbox("billing@example.com")) == 1 }, "the approved e-mail")
}

func TestE2EFieldErrorsStoreNothing(t *testing.T) {
	t.Parallel()
	h := startHerald(t)
	inc := h.declare("Search down")
	m := h.slack.SlashCommand(uEngineer, inc.ID(), "/incident", "comm").Modal(t)
	m.Set("Message", "Search is down.")
	m.Set("E-mail addresses", "ops@example.com, not-an-address")
	m.Set("SMS recipients", "Nobody Known")
	m.Select("SMS recipients (Slack users)", uNoPhone)
	m.Select("Incident status", "Investigating")
	res := m.Submit()
	for field, want := range map[string]string{
		"E-mail addresses":             `"not-an-address" is not a valid e-mail address`,
		"SMS recipients":               `Nobody called "Nobody Known" is in the directory`,
		"SMS recipients (Slack users)": "no phone number on their Slack profile",
	} {
		if !strings.Contains(res.Errors[field], want) {
			t.Errorf("error on %s = %q; want %q", field, res.Errors[field], want)
		}
	}

	m = h.slack.SlashCommand(uEngineer, inc.ID(), "/incident", "comm").Modal(t)
	m.Set("SMS recipients", "Dana Oncall")
	m.Select("Incident status", "Investigating")
	m.Set("Message", "  ")
	res = m.Submit()
	if got := res.Errors["Message"]; !strings.Contains(got, "Write the update") {
		t.Errorf("empty message: error %q; want one asking for the update", got)
	}
	m.Set("Message", strings.Repeat("Search is down for everyone. ", 20))
	res = m.Submit()
	if got := res.Errors["Message"]; !strings.Contains(got, "Too long") || !strings.Contains(got, "SMS") {
		t.Errorf("message too long for SMS: error %q; want Too long naming SMS", got)
	}

	h.slack.SlashCommand(uEngineer, inc.ID(), "/incident", "comms")
	h.ephemeralWith(uEngineer, "INC-1 has no updates yet")
}

func TestE2EScheduledCommGoesOutAtItsTime(t *testing.T) {
	t.Parallel()
	h := startHerald(t)
	inc := h.declare("Maintenance window")
	m := h.slack.SlashCommand(uCommander, inc.ID(), "/incident", "comm").Modal(t)
	m.Set("Message", "Maintenance is over; all systems are back.")
	m.Set("E-mail addresses", "ops@example.com")
	m.Select("Incident status", "Resolved")
	m.Select("Communication action", "Schedule")
	h.slack.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Send at") }, "the Send at field")
	at := time.Now().Add(3 * time.Second)
	m.Set("Send at", strconv.FormatInt(at.Unix()+1, 10))
	if res := m.Submit(); res.ResponseAction != "" || len(res.Errors) > 0 {
		t.Fatalf("schedule: got %+v", res)
	}
	if n := len(h.smtp.Messages()); n != 0 || strings.Contains(pinned(inc), ":white_check_mark: Resolved") {
		t.Fatalf("right after scheduling: %d e-mails, summary:\n%s\nwant nothing sent and the incident not resolved yet", n, pinned(inc))
	}
	h.waitFor(func() bool { return len(h.smtp.Inbox("ops@example.com")) == 1 }, "the scheduled e-mail")
	if sent := h.smtp.Inbox("ops@example.com")[0].ReceivedAt; sent.Before(at) {
		t.Errorf("the scheduled e-mail arrived at %v, before its time %v", sent, at)
	}
	h.waitFor(func() bool { return strings.Contains(pinned(inc), "Resolved") }, "the summary to show Resolved once the update went out")
}
