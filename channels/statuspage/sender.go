package statuspage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/comms"
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

// Send publishes the comm on Statuspage. The Result carries the incident
// update id as Ref, and the incident's id and shortlink.
//
//   - A comm that names an incident (StatuspageTarget.IncidentID) updates it.
//   - A comm that asks for a new incident (StatuspageTarget.CreateTitle)
//     creates one, even when the Herald incident already has one attached:
//     that is what the preview promised. Statuspage has no idempotency key,
//     so it first looks for an incident whose metadata names this comm, left
//     by an earlier create whose answer was lost, and returns that one.
//   - Otherwise the comm updates the incident attached to the Herald
//     incident, or the one whose metadata names the Herald incident, or
//     creates one named after the Herald incident.
func (s *Sender) Send(ctx context.Context, m channels.Message) (channels.Result, error) {
	r := m.Rendered.Statuspage
	f := fields{Status: string(r.Status), Body: r.Body, DeliverNotifications: r.Notify,
		Metadata: map[string]any{"herald": map[string]string{"incident": m.Incident.ID, "comm": m.Comm.ID}}}
	id := targetID(m)
	if id == "" {
		list, err := s.search(ctx, m)
		if err != nil {
			return channels.Result{}, err
		}
		if creates(m) {
			if in := ofComm(list, m); in != nil {
				return in.result(), nil // an earlier create arrived
			}
		} else if in := ofIncident(list, m); in != nil {
			id = in.ID
		}
	}
	var in incident
	if id != "" {
		if err := s.do(ctx, http.MethodPatch, "/incidents/"+url.PathEscape(id), map[string]any{"incident": f}, &in); err != nil {
			return channels.Result{}, explain(err, id)
		}
		return in.result(), nil
	}
	f.Name = name(m)
	if err := s.do(ctx, http.MethodPost, "/incidents", map[string]any{"incident": f}, &in); err != nil {
		return channels.Result{}, explain(err, "")
	}
	return in.result(), nil
}

// creates reports whether the comm asked for a new Statuspage incident.
func creates(m channels.Message) bool {
	t := m.Comm.Recipients.Statuspage
	return t.Create() && t.CreateTitle != ""
}

// targetID is the existing Statuspage incident the comm updates: the one the
// author chose, else, unless the author asked for a new one, the one
// attached to the Herald incident. "" when there is none to update.
func targetID(m channels.Message) string {
	if t := m.Comm.Recipients.Statuspage; t != nil && t.IncidentID != "" {
		return t.IncidentID
	}
	if creates(m) {
		return ""
	}
	return m.Incident.StatuspageIncidentID
}

// name is the name of an incident the comm creates, and the text searched
// for it.
func name(m channels.Message) string {
	if n := m.Rendered.Statuspage.Name; n != "" {
		return n
	}
	return m.Incident.Title
}

// Reconcile tells whether the comm's earlier, ambiguous create or update was
// published: found when the metadata of the Statuspage incident the comm
// created or updated names the comm.
//
// It is found, too, when that incident's metadata names a newer comm of the
// same Herald incident (comm ids grow with time). That comm's update came
// later and is what Statuspage must show; sending this older one again
// would publish an older status last, whether or not it arrived the first
// time. Nothing is sent then: the Result's Ref is the incident's latest
// update, and it carries no incident id, since attaching the incident is
// the newer comm's row's to do.
func (s *Sender) Reconcile(ctx context.Context, m channels.Message) (channels.Result, bool, error) {
	list, err := s.candidates(ctx, m)
	if err != nil {
		return channels.Result{}, false, err
	}
	if in := ofComm(list, m); in != nil {
		return in.result(), true, nil
	}
	for i := range list {
		if list[i].newerThan(m) {
			res := list[i].result()
			return channels.Result{Ref: res.Ref}, true, nil
		}
	}
	return channels.Result{}, false, nil
}

// candidates are the incidents the comm may have created or updated: the
// one it updates, else those the search finds. When the comm creates, the
// incident attached to the Herald incident is read as well: a newer comm
// may have updated it meanwhile.
func (s *Sender) candidates(ctx context.Context, m channels.Message) ([]incident, error) {
	if id := targetID(m); id != "" {
		in, err := s.get(ctx, id)
		if err != nil {
			return nil, explain(err, id)
		}
		return []incident{in}, nil
	}
	list, err := s.search(ctx, m)
	if err != nil || !creates(m) {
		return list, err
	}
	id := m.Incident.StatuspageIncidentID
	if id == "" || slices.ContainsFunc(list, func(in incident) bool { return in.ID == id }) {
		return list, nil
	}
	in, err := s.get(ctx, id)
	var ae *apiError
	switch {
	case errors.As(err, &ae) && ae.status == http.StatusNotFound:
		return list, nil // deleted since: no newer comm is on it
	case err != nil:
		return nil, explain(err, id)
	}
	return append(list, in), nil
}

// get reads one incident.
func (s *Sender) get(ctx context.Context, id string) (incident, error) {
	var in incident
	err := s.do(ctx, http.MethodGet, "/incidents/"+url.PathEscape(id), nil, &in)
	return in, err
}

// search lists the page's incidents that match the name Herald gives the
// comm's incident, newest first; the metadata decides which are Herald's.
func (s *Sender) search(ctx context.Context, m channels.Message) ([]incident, error) {
	var list []incident
	path := "/incidents?" + url.Values{"q": {name(m)}, "limit": {"100"}}.Encode()
	if err := s.do(ctx, http.MethodGet, path, nil, &list); err != nil {
		return nil, explain(err, "")
	}
	return list, nil
}

// ofIncident returns the newest incident whose metadata names the Herald
// incident, or nil.
func ofIncident(list []incident, m channels.Message) *incident {
	for i := range list {
		if list[i].herald().Herald.Incident == m.Incident.ID {
			return &list[i]
		}
	}
	return nil
}

// ofComm returns the incident whose metadata names the comm, or nil.
func ofComm(list []incident, m channels.Message) *incident {
	for i := range list {
		if h := list[i].herald().Herald; h.Incident == m.Incident.ID && h.Comm == m.Comm.ID {
			return &list[i]
		}
	}
	return nil
}

// newerThan reports whether the incident's metadata names a comm of m's
// Herald incident that is newer than m's comm.
func (in *incident) newerThan(m channels.Message) bool {
	h := in.herald().Herald
	if h.Incident != m.Incident.ID {
		return false
	}
	theirs, ok1 := comms.CommNumber(h.Comm)
	ours, ok2 := comms.CommNumber(m.Comm.ID)
	return ok1 && ok2 && theirs > ours
}
