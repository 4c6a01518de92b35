package sms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	twapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/comms"
)

// DefaultValidityPeriod is how long Twilio may queue a message before it
// drops it unsent: an hour, so a stale update never lands hours late
// (limits.md §2.2 suggests 600–3,600 s).
const DefaultValidityPeriod = time.Hour

// Config is what the SMS sender needs.
type Config struct {
	// AccountSID and AuthToken authenticate with Twilio; twilio-go accepts
	// letters and digits only.
	AccountSID string
	AuthToken  string
	// Exactly one of From (an E.164 number or sender id) and
	// MessagingServiceSID sends the messages.
	From                string
	MessagingServiceSID string
	// BaseURL replaces https://api.twilio.com when set (tests, edges).
	BaseURL string
	// HTTPClient supplies the transport and overall timeout; a default
	// client when nil. Redirects are never followed, as in twilio-go.
	HTTPClient *http.Client
	// ValidityPeriod is DefaultValidityPeriod when 0; Twilio accepts 1 s
	// to 10 h.
	ValidityPeriod time.Duration
	// MaxSegments refuses bodies longer than this many segments;
	// comms.DefaultSMSSegmentLimit when 0.
	MaxSegments int
	// StatusCallback, when set, is the URL Twilio reports delivery status
	// to.
	StatusCallback string
}

// Sender texts comms through Twilio.
type Sender struct {
	cfg  Config
	base *url.URL
	rt   http.RoundTripper
}

var (
	_ channels.Sender     = (*Sender)(nil)
	_ channels.Reconciler = (*Sender)(nil)
)

// New returns a Sender for cfg.
func New(cfg Config) (*Sender, error) {
	if cfg.AccountSID == "" || cfg.AuthToken == "" {
		return nil, errors.New("sms: Twilio account SID and auth token are required")
	}
	if (cfg.From == "") == (cfg.MessagingServiceSID == "") {
		return nil, errors.New("sms: set exactly one of From and MessagingServiceSID")
	}
	if cfg.ValidityPeriod <= 0 {
		cfg.ValidityPeriod = DefaultValidityPeriod
	}
	if cfg.ValidityPeriod < time.Second || cfg.ValidityPeriod > 10*time.Hour {
		return nil, fmt.Errorf("sms: validity period %s is outside Twilio's 1 s to 10 h", cfg.ValidityPeriod)
	}
	if cfg.MaxSegments <= 0 {
		cfg.MaxSegments = comms.DefaultSMSSegmentLimit
	}
	s := &Sender{cfg: cfg, rt: http.DefaultTransport}
	if cfg.HTTPClient != nil && cfg.HTTPClient.Transport != nil {
		s.rt = cfg.HTTPClient.Transport
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("sms: base URL %q is not an absolute URL", cfg.BaseURL)
		}
		s.base = u
	}
	return s, nil
}

// Send creates the message for the delivery's number. The Result's Ref is
// the message SID.
func (s *Sender) Send(ctx context.Context, m channels.Message) (channels.Result, error) {
	body := m.Rendered.SMS
	if body.Info.Segments > s.cfg.MaxSegments {
		return channels.Result{}, &channels.Error{Class: channels.Permanent,
			Err: fmt.Errorf("sms: %d segments over the budget of %d", body.Info.Segments, s.cfg.MaxSegments),
			Message: fmt.Sprintf("The SMS would take %d segments (%s); at most %d are allowed: shorten the message.",
				body.Info.Segments, body.Info.Encoding, s.cfg.MaxSegments)}
	}
	p := (&twapi.CreateMessageParams{}).
		SetTo(m.Delivery.Target).
		SetBody(body.Text).
		SetValidityPeriod(int(s.cfg.ValidityPeriod / time.Second))
	if s.cfg.MessagingServiceSID != "" {
		p.SetMessagingServiceSid(s.cfg.MessagingServiceSID)
	} else {
		p.SetFrom(s.cfg.From)
	}
	if s.cfg.StatusCallback != "" {
		p.SetStatusCallback(s.cfg.StatusCallback)
	}
	api, rec := s.api(ctx)
	msg, err := api.CreateMessage(p)
	if err != nil {
		return channels.Result{}, s.classify(err, rec, m)
	}
	if msg == nil || msg.Sid == nil {
		return channels.Result{}, &channels.Error{Class: channels.Ambiguous, Err: errors.New("sms: Twilio answered without a message SID")}
	}
	return channels.Result{Ref: *msg.Sid}, nil
}

// api returns a Twilio API service for one call, whose transport carries
// ctx and records the answer.
func (s *Sender) api(ctx context.Context) (*twapi.ApiService, *recorder) {
	rec := &recorder{ctx: ctx, base: s.base, next: s.rt}
	hc := &http.Client{
		Transport:     rec,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if s.cfg.HTTPClient != nil {
		hc.Timeout = s.cfg.HTTPClient.Timeout
	}
	c := &twclient.Client{Credentials: twclient.NewCredentials(s.cfg.AccountSID, s.cfg.AuthToken), HTTPClient: hc}
	c.SetAccountSid(s.cfg.AccountSID)
	return twapi.NewApiServiceWithClient(c), rec
}

// recorder is the RoundTripper of one call: it points the request at the
// base URL, attaches the call's context, and keeps the HTTP status and
// Retry-After of the answer. One call runs at a time on it.
type recorder struct {
	ctx        context.Context
	base       *url.URL
	next       http.RoundTripper
	status     int
	retryAfter string
}

// RoundTrip implements http.RoundTripper.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(r.ctx)
	if r.base != nil {
		req.URL.Scheme, req.URL.Host, req.Host = r.base.Scheme, r.base.Host, r.base.Host
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.status, r.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
	if resp.StatusCode >= 400 {
		// twilio-go v1.31.0 decodes an error body and never closes it, which
		// would hold the connection (and its read goroutine) until ctx ends:
		// hand it a copy instead.
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
	}
	return resp, nil
}

// maxErrorBody bounds the copy of an error answer; Twilio's are a few
// hundred bytes.
const maxErrorBody = 64 << 10

func (r *recorder) wait() time.Duration { return channels.ParseRetryAfter(r.retryAfter, time.Now()) }
