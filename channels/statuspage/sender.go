package statuspage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/herald-comms/herald/channels"
)

// DefaultBaseURL is Statuspage's API base.
const DefaultBaseURL = "https://api.statuspage.io/v1"

// DefaultLimit is one request per 1.05 s: Statuspage allows 1 request/s
// per key (limits.md §3), measured where requests arrive, so the 5% keeps
// network jitter from bunching two requests under a second.
var DefaultLimit = rate.Every(1050 * time.Millisecond)

// Config is what the Statuspage sender needs.
type Config struct {
	// APIKey is sent as "Authorization: OAuth <key>".
	APIKey string
	// PageID is the page Herald publishes to.
	PageID string
	// BaseURL is DefaultBaseURL when empty.
	BaseURL string
	// HTTPClient is the client for API calls; a default client when nil.
	// Per-call timeouts come from the context.
	HTTPClient *http.Client
	// Limiter paces every request made with APIKey; DefaultLimit with a
	// burst of 1 when nil.
	Limiter *rate.Limiter
}

// Sender creates and updates Statuspage incidents.
type Sender struct {
	cfg  Config
	base string
	hc   *http.Client
	lim  *rate.Limiter
}

var (
	_ channels.Sender     = (*Sender)(nil)
	_ channels.Reconciler = (*Sender)(nil)
)

// New returns a Sender for cfg.
func New(cfg Config) (*Sender, error) {
	if cfg.APIKey == "" || cfg.PageID == "" {
		return nil, errors.New("statuspage: API key and page id are required")
	}
	s := &Sender{cfg: cfg, base: strings.TrimSuffix(cfg.BaseURL, "/"), hc: cfg.HTTPClient, lim: cfg.Limiter}
	if s.base == "" {
		s.base = DefaultBaseURL
	}
	if _, err := url.Parse(s.base); err != nil {
		return nil, fmt.Errorf("statuspage: base URL: %w", err)
	}
	if s.hc == nil {
		s.hc = &http.Client{}
	}
	if s.lim == nil {
		s.lim = rate.NewLimiter(DefaultLimit, 1)
	}
	return s, nil
}

// incident is the part of Statuspage's incident resource Herald reads.
type incident struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Status          string          `json:"status"`
	Shortlink       string          `json:"shortlink"`
	Metadata        json.RawMessage `json:"metadata"`
	IncidentUpdates []struct {
		ID string `json:"id"`
	} `json:"incident_updates"` // newest first
}

// heraldMeta is the metadata Herald attaches: {"herald": {...}}.
type heraldMeta struct {
	Herald struct {
		Incident string `json:"incident"`
		Comm     string `json:"comm"`
	} `json:"herald"`
}

func (in *incident) herald() heraldMeta {
	var m heraldMeta
	_ = json.Unmarshal(in.Metadata, &m) // metadata of other tools may not parse; it is then not Herald's
	return m
}

func (in *incident) result() channels.Result {
	r := channels.Result{StatuspageIncidentID: in.ID, Shortlink: in.Shortlink, Ref: in.ID}
	if len(in.IncidentUpdates) > 0 {
		r.Ref = in.IncidentUpdates[0].ID
	}
	return r
}

// fields is the "incident" object of a create or update.
type fields struct {
	Name                 string         `json:"name,omitempty"`
	Status               string         `json:"status,omitempty"`
	Body                 string         `json:"body,omitempty"`
	DeliverNotifications bool           `json:"deliver_notifications"`
	Metadata             map[string]any `json:"metadata"`
}

// Send updates the Statuspage incident of the Herald incident, or creates
// it. The Result carries the incident update id as Ref, and the incident's
// id and shortlink.
func (s *Sender) Send(ctx context.Context, m channels.Message) (channels.Result, error) {
	r := m.Rendered.Statuspage
	f := fields{Status: string(r.Status), Body: r.Body, DeliverNotifications: r.Notify,
		Metadata: map[string]any{"herald": map[string]string{"incident": m.Incident.ID, "comm": m.Comm.ID}}}
	id := targetID(m)
	if id == "" {
		found, err := s.find(ctx, m)
		if err != nil {
			return channels.Result{}, err
		}
		if found != nil {
			id = found.ID
		}
	}
	var in incident
	if id != "" {
		if err := s.do(ctx, http.MethodPatch, "/incidents/"+url.PathEscape(id), map[string]any{"incident": f}, &in); err != nil {
			return channels.Result{}, explain(err, id)
		}
		return in.result(), nil
	}
	f.Name = r.Name
	if f.Name == "" {
		f.Name = m.Incident.Title
	}
	if err := s.do(ctx, http.MethodPost, "/incidents", map[string]any{"incident": f}, &in); err != nil {
		return channels.Result{}, explain(err, "")
	}
	return in.result(), nil
}

// targetID is the Statuspage incident the comm updates: the one the author
// chose, else the one attached to the Herald incident.
func targetID(m channels.Message) string {
	if t := m.Comm.Recipients.Statuspage; t != nil && t.IncidentID != "" {
		return t.IncidentID
	}
	return m.Incident.StatuspageIncidentID
}

// Reconcile looks for the comm's id in the metadata of the Statuspage
// incident it created or updated.
func (s *Sender) Reconcile(ctx context.Context, m channels.Message) (channels.Result, bool, error) {
	var in *incident
	if id := targetID(m); id != "" {
		var got incident
		if err := s.do(ctx, http.MethodGet, "/incidents/"+url.PathEscape(id), nil, &got); err != nil {
			return channels.Result{}, false, explain(err, id)
		}
		in = &got
	} else {
		found, err := s.find(ctx, m)
		if err != nil {
			return channels.Result{}, false, err
		}
		in = found
	}
	if in == nil || in.herald().Herald.Comm != m.Comm.ID {
		return channels.Result{}, false, nil
	}
	return in.result(), true, nil
}

// find searches the page for the incident whose metadata names the Herald
// incident. The search text is the name Herald gives the incident; the
// metadata decides.
func (s *Sender) find(ctx context.Context, m channels.Message) (*incident, error) {
	q := m.Rendered.Statuspage.Name
	if q == "" {
		q = m.Incident.Title
	}
	var list []incident
	path := "/incidents?" + url.Values{"q": {q}, "limit": {"100"}}.Encode()
	if err := s.do(ctx, http.MethodGet, path, nil, &list); err != nil {
		return nil, explain(err, "")
	}
	for i := range list {
		if list[i].herald().Herald.Incident == m.Incident.ID {
			return &list[i], nil
		}
	}
	return nil, nil
}
