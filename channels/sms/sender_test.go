package sms_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/channels/sms"
	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/twiliofake"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const from = "+15005550006"

func newSender(t *testing.T, f *twiliofake.Fake, mod func(*sms.Config)) *sms.Sender {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	cfg := sms.Config{AccountSID: f.AccountSID, AuthToken: f.AuthToken, From: from, BaseURL: f.URL(), HTTPClient: hc}
	if mod != nil {
		mod(&cfg)
	}
	s, err := sms.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// message builds the Message of comm C-3 of INC-7 to a phone number.
func message(phone, text string) channels.Message {
	inc := comms.Incident{ID: "INC-7", Number: 7, Title: "Checkout errors", Severity: comms.SEV2, Status: comms.Identified}
	c := comms.Comm{ID: "C-3", IncidentID: inc.ID, Number: 2, Audience: comms.Internal, Message: text, Status: comms.Identified}
	d := comms.Delivery{ID: comms.DeliveryID(c.ID, comms.MediumSMS, phone), CommID: c.ID, IncidentID: inc.ID,
		Medium: comms.MediumSMS, Target: phone, TargetName: "Alice", State: comms.DeliverySending, Attempts: 1}
	return channels.Message{Delivery: d, Comm: c, Incident: inc, Rendered: comms.Render(&inc, &c, comms.Links{}, true)}
}

func TestSend(t *testing.T) {
	t.Parallel()
	const to = "+14155550100"
	tests := []struct {
		name     string
		to       string
		text     string
		cfg      func(*sms.Config)
		fault    func(f *twiliofake.Fake)
		timeout  time.Duration
		class    channels.Class // 0 when the message is accepted
		say      string
		wait     time.Duration // the least RetryAfter
		fill     int           // messages sent first, to fill the sender's queue
		requests int
	}{
		{name: "from a number", requests: 1},
		{name: "through a messaging service", requests: 1, cfg: func(c *sms.Config) { c.From, c.MessagingServiceSID = "", "MG0123456789abcdef0123456789abcdef" }},
		{name: "21211 invalid number", to: "+1415555", class: channels.Permanent, say: "Alice (+1415555) is not a valid phone number", requests: 1,
			fault: func(f *twiliofake.Fake) { f.RejectTo("+1415555", 21211) }},
		{name: "21610 opted out", class: channels.Permanent, say: "has opted out of SMS (replied STOP)", requests: 1,
			fault: func(f *twiliofake.Fake) { f.RejectTo(to, 21610) }},
		{name: "21614 not a mobile", class: channels.Permanent, say: "is not a mobile number", requests: 1,
			fault: func(f *twiliofake.Fake) { f.RejectTo(to, 21614) }},
		{name: "21408 region", class: channels.Permanent, say: "geo permissions", requests: 1,
			fault: func(f *twiliofake.Fake) { f.RejectTo(to, 21408) }},
		{name: "21635 landline", class: channels.Permanent, say: "is a landline", requests: 1,
			fault: func(f *twiliofake.Fake) { f.RejectTo(to, 21635) }},
		{name: "20429 with Retry-After", class: channels.Retryable, wait: 2 * time.Second, requests: 1,
			fault: func(f *twiliofake.Fake) { f.Force429(1, 2*time.Second) }},
		{name: "21611 queue full", class: channels.Retryable, wait: 30 * time.Second, fill: 3, requests: 4,
			fault: func(f *twiliofake.Fake) {
				f.SetRate(from, 1)
				f.SetQueueWindow(time.Second)
			}},
		{name: "500 is ambiguous", class: channels.Ambiguous, requests: 1, fault: func(f *twiliofake.Fake) { f.FailNext(1) }},
		{name: "reset is ambiguous", class: channels.Ambiguous, requests: 1, fault: func(f *twiliofake.Fake) { f.ResetNext(1) }},
		{name: "hang is ambiguous", class: channels.Ambiguous, timeout: 200 * time.Millisecond, requests: 1,
			fault: func(f *twiliofake.Fake) { f.HangNext(1) }},
		{name: "over the segment budget", class: channels.Permanent, say: "at most 2 are allowed", requests: 0,
			text: strings.Repeat("status ", 60), cfg: func(c *sms.Config) { c.MaxSegments = 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := twiliofake.New(t)
			if tt.fault != nil {
				tt.fault(f)
			}
			s := newSender(t, f, tt.cfg)
			phone := tt.to
			if phone == "" {
				phone = to
			}
			text := tt.text
			if text == "" {
				text = "Payments are failing for some customers."
			}
			m := message(phone, text)
			for range tt.fill {
				_, _ = s.Send(context.Background(), m)
			}
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			res, err := s.Send(ctx, m)
			if got := f.Requests(); got != tt.requests {
				t.Errorf("got %d requests at the fake; want %d", got, tt.requests)
			}
			if tt.class == 0 {
				if err != nil {
					t.Fatalf("got error %v; want none", err)
				}
				inbox := f.Inbox(phone)
				if len(inbox) != 1 {
					t.Fatalf("got %d messages to %s; want 1", len(inbox), phone)
				}
				got := inbox[0]
				if got.SID != res.Ref {
					t.Errorf("got ref %q; want the SID %q", res.Ref, got.SID)
				}
				if got.Body != m.Rendered.SMS.Text {
					t.Errorf("got body %q; want %q", got.Body, m.Rendered.SMS.Text)
				}
				if got.ValidityPeriod != 3600 {
					t.Errorf("got ValidityPeriod %d; want 3600", got.ValidityPeriod)
				}
				return
			}
			e := channels.AsError(err)
			if e == nil {
				t.Fatalf("got error %v (%T); want a *channels.Error", err, err)
			}
			if e.Class != tt.class {
				t.Errorf("got class %s (%v); want %s", e.Class, err, tt.class)
			}
			if !strings.Contains(e.Message, tt.say) {
				t.Errorf("got message %q; want it to contain %q", e.Message, tt.say)
			}
			if e.RetryAfter < tt.wait {
				t.Errorf("got RetryAfter %s; want at least %s", e.RetryAfter, tt.wait)
			}
		})
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  sms.Config
	}{
		{"no credentials", sms.Config{From: from}},
		{"neither sender", sms.Config{AccountSID: "AC1", AuthToken: "t"}},
		{"both senders", sms.Config{AccountSID: "AC1", AuthToken: "t", From: from, MessagingServiceSID: "MG1"}},
		{"validity too long", sms.Config{AccountSID: "AC1", AuthToken: "t", From: from, ValidityPeriod: 11 * time.Hour}},
	}
	for _, tt := range tests {
		if _, err := sms.New(tt.cfg); err == nil {
			t.Errorf("%s: got no error; want one", tt.name)
		}
	}
}
