package sms_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/channels/sms"
	"github.com/herald-comms/herald/internal/twiliofake"
)

func TestReconcile(t *testing.T) {
	t.Parallel()
	const (
		to        = "+14155550100"
		text      = "Payments are failing for some customers."
		otherFrom = "+15005550009"
		mg        = "MG0123456789abcdef0123456789abcdef"
	)
	useService := func(c *sms.Config) { c.From, c.MessagingServiceSID = "", mg }
	// sendAt sends m (or n texts of other bodies) with the fake's clock at
	// the given time, then puts the clock back.
	sendAt := func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, m channels.Message, at time.Time) {
		t.Helper()
		f.SetClock(func() time.Time { return at })
		defer f.SetClock(time.Now)
		if _, err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	others := func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, n int, at time.Time) {
		t.Helper()
		for i := range n {
			sendAt(t, f, s, message(to, fmt.Sprintf("Update %d: still investigating.", i)), at)
		}
	}
	// lost sends m and loses the answer the way fault says; the send must
	// be ambiguous.
	lost := func(fault func(*twiliofake.Fake)) func(*testing.T, *twiliofake.Fake, *sms.Sender, channels.Message) {
		return func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, m channels.Message) {
			t.Helper()
			fault(f)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := s.Send(ctx, m)
			if e := channels.AsError(err); e == nil || e.Class != channels.Ambiguous {
				t.Fatalf("send: got %v; want an ambiguous failure", err)
			}
		}
	}
	tests := []struct {
		name   string
		cfg    func(*sms.Config)
		before func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, m channels.Message) // what happened since the delivery was created
		fault  func(*twiliofake.Fake)                                                    // on the lookup
		found  bool
		class  channels.Class // of the lookup's error; 0 for none
		wait   time.Duration  // the least RetryAfter
		inbox  int            // texts to the number
		pages  int            // list requests
	}{
		{name: "answer lost after the create", before: lost(func(f *twiliofake.Fake) { f.ResetAfterNext(1) }),
			found: true, inbox: 1, pages: 1},
		{name: "answer lost, through a messaging service", cfg: useService, before: lost(func(f *twiliofake.Fake) { f.ResetAfterNext(1) }),
			found: true, inbox: 1, pages: 1},
		{name: "500 before the create", before: lost(func(f *twiliofake.Fake) { f.FailNext(1) }), pages: 1},
		{name: "reset before the create", before: lost(func(f *twiliofake.Fake) { f.ResetNext(1) }), pages: 1},
		{name: "timed out, never served", before: lost(func(f *twiliofake.Fake) { f.HangNext(1) }), pages: 1},
		{name: "never sent", pages: 1},
		{name: "same text before the delivery was created", inbox: 1, pages: 1,
			before: func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, m channels.Message) {
				sendAt(t, f, s, m, m.Delivery.CreatedAt.Add(-10*time.Minute))
			}},
		{name: "same text within the clock skew", found: true, inbox: 1, pages: 1,
			before: func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, m channels.Message) {
				sendAt(t, f, s, m, m.Delivery.CreatedAt.Add(-30*time.Second))
			}},
		{name: "same text from another number", inbox: 1, pages: 1,
			before: func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, m channels.Message) {
				sendAt(t, f, newSender(t, f, func(c *sms.Config) { c.From = otherFrom }), m, time.Now())
			}},
		{name: "same text through another messaging service", cfg: useService, inbox: 1, pages: 1,
			before: func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, m channels.Message) {
				sendAt(t, f, newSender(t, f, func(c *sms.Config) { c.From, c.MessagingServiceSID = "", "MG"+mg[2:31]+"fff" }), m, time.Now())
			}},
		{name: "same text to another number", pages: 1,
			before: func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, m channels.Message) {
				sendAt(t, f, s, message("+14155550199", text), time.Now())
			}},
		{name: "another text", inbox: 1, pages: 1,
			before: func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, m channels.Message) {
				sendAt(t, f, s, message(to, "Payments are failing for all customers."), time.Now())
			}},
		{name: "found on the second page", found: true, inbox: 121, pages: 2,
			before: func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, m channels.Message) {
				sendAt(t, f, s, m, time.Now())
				others(t, f, s, 120, time.Now())
			}},
		{name: "older texts end the search", inbox: 150, pages: 1,
			before: func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, m channels.Message) {
				others(t, f, s, 150, m.Delivery.CreatedAt.Add(-2*time.Hour))
			}},
		{name: "too many texts to tell", class: channels.Ambiguous, inbox: 201, pages: 2,
			before: func(t *testing.T, f *twiliofake.Fake, s *sms.Sender, m channels.Message) {
				others(t, f, s, 201, time.Now())
			}},
		{name: "lookup fails", class: channels.Ambiguous, pages: 1, fault: func(f *twiliofake.Fake) { f.FailNext(1) }},
		{name: "lookup reset", class: channels.Ambiguous, pages: 1, fault: func(f *twiliofake.Fake) { f.ResetNext(1) }},
		{name: "lookup rate limited", class: channels.Retryable, wait: 2 * time.Second, pages: 1,
			fault: func(f *twiliofake.Fake) { f.Force429(1, 2*time.Second) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := twiliofake.New(t)
			s := newSender(t, f, tt.cfg)
			m := message(to, text)
			m.Delivery.CreatedAt = time.Now()
			if tt.before != nil {
				tt.before(t, f, s, m)
			}
			if tt.fault != nil {
				tt.fault(f)
			}
			requests := f.Requests()
			res, found, err := s.Reconcile(context.Background(), m)
			if got := f.Requests() - requests; got != tt.pages {
				t.Errorf("got %d list requests; want %d", got, tt.pages)
			}
			inbox := f.Inbox(to)
			if len(inbox) != tt.inbox {
				t.Errorf("got %d texts to %s; want %d", len(inbox), to, tt.inbox)
			}
			if tt.class != 0 {
				e := channels.AsError(err)
				if e == nil || e.Class != tt.class || found {
					t.Fatalf("got found %v, error %v; want a %s failure", found, err, tt.class)
				}
				if e.RetryAfter < tt.wait {
					t.Errorf("got RetryAfter %s; want at least %s", e.RetryAfter, tt.wait)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v; want none", err)
			}
			if found != tt.found {
				t.Fatalf("got found %v; want %v", found, tt.found)
			}
			if !found {
				if res.Ref != "" {
					t.Errorf("got ref %q when not found; want none", res.Ref)
				}
				return
			}
			var want string
			for _, x := range inbox {
				if x.Body == m.Rendered.SMS.Text {
					want = x.SID
				}
			}
			if res.Ref != want {
				t.Errorf("got ref %q; want the SID of the text, %q", res.Ref, want)
			}
		})
	}
}

// TestReconcileWithoutCreationTime checks a delivery that cannot be placed in
// time is never matched to an earlier comm's text.
func TestReconcileWithoutCreationTime(t *testing.T) {
	t.Parallel()
	f := twiliofake.New(t)
	s := newSender(t, f, nil)
	m := message("+14155550100", "Payments are failing for some customers.")
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.Reconcile(context.Background(), m); found || err != nil {
		t.Errorf("got found %v, error %v; want not found", found, err)
	}
}
