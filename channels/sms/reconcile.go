package sms

import (
	"context"
	"fmt"
	"net/url"
	"time"

	twapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/herald-comms/herald/channels"
)

// Bounds of the Messages list read to reconcile one delivery: one page holds
// every text Herald sent one person since the delivery's day began, unless
// more than listPageSize went out; past listPages the answer is "cannot
// tell", not "not sent".
const (
	listPageSize = 100
	listPages    = 2
)

// clockSkew is how much earlier than the delivery's creation, by Twilio's
// clock, a message may be dated and still be Herald's attempt: Twilio's
// date_created has whole seconds, and Herald's clock may run ahead of
// Twilio's. A same-body text older than that is an earlier comm's.
const clockSkew = time.Minute

// Reconcile looks in Twilio's Messages list (limits.md §2.6: "GET
// /Messages.json?To=…&From=…&DateSent>=…") for the text an earlier, ambiguous
// attempt of m may have created: one to the delivery's number, from Herald's
// number (or through its Messaging Service), with exactly the body Send sends,
// created no earlier than the delivery less clockSkew. Found, its SID is the
// Result's Ref.
//
// Twilio's date filter has day granularity and its list comes newest first,
// so Reconcile asks for the delivery's day on and reads on until the texts
// are too old to be the attempt, at most listPages pages; a list that long
// is an Ambiguous error, so the row stays unknown rather than being resent.
// A delivery without a creation time cannot be told from an earlier comm's
// text and is reported not found: a duplicate beats a lost update.
func (s *Sender) Reconcile(ctx context.Context, m channels.Message) (channels.Result, bool, error) {
	if m.Delivery.CreatedAt.IsZero() {
		return channels.Result{}, false, nil
	}
	since := m.Delivery.CreatedAt.Add(-clockSkew).UTC()
	p := (&twapi.ListMessageParams{}).
		SetTo(m.Delivery.Target).
		SetDateSentAfter(time.Date(since.Year(), since.Month(), since.Day(), 0, 0, 0, 0, time.UTC)).
		SetPageSize(listPageSize)
	if s.cfg.MessagingServiceSID == "" {
		p.SetFrom(s.cfg.From)
	}
	// Texts sent through a Messaging Service have no From until Twilio picks
	// a number, and the list cannot filter by service: they are told apart
	// below.
	body := m.Rendered.SMS.Text
	// Twilio documents the list as sorted by date_sent, which trails
	// date_created by at most the ValidityPeriod a text may wait in the
	// sender's queue: once a page ends with a text created before since less
	// that, every later entry was created before since.
	oldest := since.Add(-s.cfg.ValidityPeriod)

	var token, page string
	for range listPages {
		api, rec := s.api(ctx)
		resp, err := api.PageMessage(p, token, page)
		if err != nil {
			return channels.Result{}, false, s.classify(err, rec, m)
		}
		var last time.Time
		for _, msg := range resp.Messages {
			created, ok := twilioTime(msg.DateCreated)
			if !ok {
				continue
			}
			last = created
			if !created.Before(since) && s.ours(msg, m.Delivery.Target, body) {
				return channels.Result{Ref: *msg.Sid}, true, nil
			}
		}
		if resp.NextPageUri == nil || *resp.NextPageUri == "" || (!last.IsZero() && last.Before(oldest)) {
			return channels.Result{}, false, nil
		}
		if token, page, err = nextPage(*resp.NextPageUri); err != nil {
			return channels.Result{}, false, &channels.Error{Class: channels.Ambiguous, Err: err}
		}
	}
	return channels.Result{}, false, &channels.Error{Class: channels.Ambiguous,
		Err: fmt.Errorf("sms: more than %d texts to %s since %s; cannot tell whether delivery %s arrived",
			listPages*listPageSize, m.Delivery.Target, since.Format(time.RFC3339), m.Delivery.ID)}
}

// ours reports whether a listed message is one Herald's Send would have
// created for the number with the body.
func (s *Sender) ours(msg twapi.ApiV2010Message, to, body string) bool {
	if msg.Sid == nil || msg.To == nil || *msg.To != to || msg.Body == nil || *msg.Body != body {
		return false
	}
	if s.cfg.MessagingServiceSID != "" {
		return msg.MessagingServiceSid != nil && *msg.MessagingServiceSid == s.cfg.MessagingServiceSID
	}
	return msg.From != nil && *msg.From == s.cfg.From
}

// twilioTime reads a 2010-04-01 API timestamp (RFC 2822).
func twilioTime(s *string) (time.Time, bool) {
	if s == nil {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC1123Z, *s)
	return t, err == nil
}

// nextPage reads the PageToken and Page of a next_page_uri, for PageMessage,
// which repeats the filters itself.
func nextPage(uri string) (token, page string, err error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", "", fmt.Errorf("sms: Twilio's next_page_uri %q: %w", uri, err)
	}
	q := u.Query()
	if token, page = q.Get("PageToken"), q.Get("Page"); token == "" || page == "" {
		return "", "", fmt.Errorf("sms: Twilio's next_page_uri %q has no PageToken and Page", uri)
	}
	return token, page, nil
}
