package bot_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/herald-comms/herald/internal/slackfake"
)

func TestCommFieldErrors(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Search down")
	for _, tc := range []struct {
		name  string
		fill  func(m *slackfake.Modal)
		field string
		want  string
	}{
		{"malformed e-mail", func(m *slackfake.Modal) {
			m.Set("Message", "Search is down.")
			m.Set("E-mail addresses", "ops@example.com, not-an-address")
		}, "E-mail addresses", `"not-an-address" is not a valid e-mail address`},
		{"unknown directory name", func(m *slackfake.Modal) {
			m.Set("Message", "Search is down.")
			m.Set("SMS recipients", "Zed Ghost")
		}, "SMS recipients", `Nobody called "Zed Ghost" is in the directory`},
		{"Slack user without phone", func(m *slackfake.Modal) {
			m.Set("Message", "Search is down.")
			m.Select("SMS recipients (Slack users)", "carol", "bob")
		}, "SMS recipients (Slack users)", "Carol Clark has no phone number on their Slack profile"},
		{"empty message", func(m *slackfake.Modal) {
			m.Set("Message", "   ")
			m.Select("Slack channels", "ops")
		}, "Message", "Write the update people will read"},
		{"message too long for SMS", func(m *slackfake.Modal) {
			m.Set("Message", strings.Repeat("Search is down. ", 50))
			m.Select("SMS recipients (Slack users)", "bob")
		}, "Message", "segments (GSM-7), at most 4 are allowed"},
		{"no recipient", func(m *slackfake.Modal) {
			m.Set("Message", "Search is down.")
		}, "Slack channels", "Choose at least one recipient"},
		{"schedule in the past", func(m *slackfake.Modal) {
			m.Set("Message", "Search is down.")
			m.Select("Slack channels", "ops")
			m.Select("Communication action", "Schedule")
			h.w.Eventually(t, func() bool { return slices.Contains(m.Labels(), "Send at") }, "the Send at field")
			m.Set("Send at", "1700000000")
		}, "Send at", "Choose a time in the future"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
			tc.fill(m)
			res := m.Submit()
			if res.ClientSide {
				t.Fatalf("Slack's client refused the submission: %v", res.Errors)
			}
			if got := res.Errors[tc.field]; !strings.Contains(got, tc.want) {
				t.Errorf("errors: got %q; want %q on %q", res.Errors, tc.want, tc.field)
			}
			if !m.IsOpen() {
				t.Errorf("the modal closed on an error")
			}
			if n := len(h.comms(inc.ID)); n != 0 {
				t.Errorf("an invalid submission stored %d comms; want none", n)
			}
			m.Close()
		})
	}
}

func TestPreviewTabSubmitWithErrorsReturnsToDraft(t *testing.T) {
	t.Parallel()
	h := start(t)
	inc, ch := h.declare("Search down")
	m := h.w.SlashCommand(alice, ch.ID(), "/incident", "comm").Modal(t)
	m.Set("Message", "Search is down.")
	m.Set("E-mail addresses", "nope")
	m.Click("Preview")
	h.w.Eventually(t, func() bool { return strings.Contains(m.Text(), "Fix before sending") }, "the preview to list the problem")
	res := m.Submit()
	if res.ResponseAction != "update" {
		t.Fatalf("got %+v; want an update back to the Draft tab", res)
	}
	if !slices.Contains(m.Labels(), "E-mail addresses") || !strings.Contains(m.Text(), "not a valid e-mail address") {
		t.Errorf("draft tab after a failed preview submit:\n%s", m.Text())
	}
	if n := len(h.comms(inc.ID)); n != 0 {
		t.Errorf("stored %d comms; want none", n)
	}
}
