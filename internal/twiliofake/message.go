package twiliofake

import (
	"strconv"
	"time"
)

// Message is what the fake recorded for one accepted create, with its status
// as of the fake's clock.
type Message struct {
	SID                 string
	To                  string
	From                string // empty when only MessagingServiceSID was given
	MessagingServiceSID string
	Body                string
	StatusCallback      string
	ValidityPeriod      int // seconds; 0 when the request left it out
	Segments            int
	Encoding            Encoding
	// Status is "queued" (From) or "accepted" (Messaging Service) until SentAt,
	// then "sent"; "failed" when the queue dropped it (ErrorCode 30001 or 30036).
	Status    string
	ErrorCode int
	CreatedAt time.Time
	SentAt    time.Time // when the sender's queue lets it out
}

// record is the fake's own copy of an accepted message.
type record struct {
	Message
	expires time.Time // zero when ValidityPeriod was not set
}

// snapshot returns the message with its status as of now.
func (r *record) snapshot(now time.Time) Message {
	m := r.Message
	switch {
	case m.ErrorCode != 0:
		m.Status = "failed"
	case !r.expires.IsZero() && r.SentAt.After(r.expires):
		if !now.Before(r.expires) {
			m.Status, m.ErrorCode, m.SentAt = "failed", 30036, time.Time{}
		}
	case !now.Before(m.SentAt):
		m.Status = "sent"
	}
	return m
}

// Messages returns every message accepted so far, oldest first.
func (f *Fake) Messages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	out := make([]Message, 0, len(f.messages))
	for _, r := range f.messages {
		out = append(out, r.snapshot(now))
	}
	return out
}

// Inbox returns the messages accepted for the number, oldest first.
func (f *Fake) Inbox(number string) []Message {
	var out []Message
	for _, m := range f.Messages() {
		if m.To == number {
			out = append(out, m)
		}
	}
	return out
}

// resource is Twilio's JSON message resource as returned by a create.
type resource struct {
	AccountSID          string            `json:"account_sid"`
	APIVersion          string            `json:"api_version"`
	Body                string            `json:"body"`
	DateCreated         string            `json:"date_created"`
	DateSent            *string           `json:"date_sent"`
	DateUpdated         string            `json:"date_updated"`
	Direction           string            `json:"direction"`
	ErrorCode           *int              `json:"error_code"`
	ErrorMessage        *string           `json:"error_message"`
	From                *string           `json:"from"`
	MessagingServiceSID *string           `json:"messaging_service_sid"`
	NumMedia            string            `json:"num_media"`
	NumSegments         string            `json:"num_segments"`
	Price               *string           `json:"price"`
	PriceUnit           string            `json:"price_unit"`
	SID                 string            `json:"sid"`
	Status              string            `json:"status"`
	SubresourceURIs     map[string]string `json:"subresource_uris"`
	To                  string            `json:"to"`
	URI                 string            `json:"uri"`
}

// rfc2822 is the timestamp layout of Twilio's 2010-04-01 API.
const rfc2822 = "Mon, 02 Jan 2006 15:04:05 -0700"

func toResource(account string, m Message) resource {
	uri := "/2010-04-01/Accounts/" + account + "/Messages/" + m.SID
	created := m.CreatedAt.UTC().Format(rfc2822)
	res := resource{
		AccountSID:      account,
		APIVersion:      "2010-04-01",
		Body:            m.Body,
		DateCreated:     created,
		DateUpdated:     created,
		Direction:       "outbound-api",
		NumMedia:        "0",
		NumSegments:     strconv.Itoa(m.Segments),
		PriceUnit:       "USD",
		SID:             m.SID,
		Status:          m.Status,
		SubresourceURIs: map[string]string{"media": uri + "/Media.json"},
		To:              m.To,
		URI:             uri + ".json",
	}
	if m.From != "" {
		res.From = &m.From
	}
	if m.MessagingServiceSID != "" {
		res.MessagingServiceSID = &m.MessagingServiceSID
		if m.From == "" {
			res.NumSegments = "0" // no sender picked yet, as Twilio documents
		}
	}
	if m.ErrorCode != 0 {
		res.ErrorCode = &m.ErrorCode
	}
	if m.Status == "sent" {
		sent := m.SentAt.UTC().Format(rfc2822)
		res.DateSent, res.DateUpdated = &sent, sent
	}
	return res
}
