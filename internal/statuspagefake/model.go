package statuspagefake

import (
	"encoding/json"
	"time"
)

// Incident is a Statuspage incident as the API returns it.
type Incident struct {
	ID              string           `json:"id"`
	PageID          string           `json:"page_id"`
	Name            string           `json:"name"`
	Status          string           `json:"status"`
	Impact          string           `json:"impact"`
	ImpactOverride  *string          `json:"impact_override"`
	Shortlink       string           `json:"shortlink"`
	CreatedAt       time.Time        `json:"created_at"`
	UpdatedAt       time.Time        `json:"updated_at"`
	StartedAt       time.Time        `json:"started_at"`
	MonitoringAt    *time.Time       `json:"monitoring_at"`
	ResolvedAt      *time.Time       `json:"resolved_at"`
	IncidentUpdates []IncidentUpdate `json:"incident_updates"` // newest first, as Statuspage lists them
	Components      []Component      `json:"components"`
	Metadata        json.RawMessage  `json:"metadata"`
}

// IncidentUpdate is one entry of an incident's timeline.
type IncidentUpdate struct {
	ID                   string    `json:"id"`
	IncidentID           string    `json:"incident_id"`
	Status               string    `json:"status"`
	Body                 string    `json:"body"`
	CreatedAt            time.Time `json:"created_at"`
	UpdatedAt            time.Time `json:"updated_at"`
	DisplayAt            time.Time `json:"display_at"`
	DeliverNotifications bool      `json:"deliver_notifications"`
}

// Component is a page component.
type Component struct {
	ID        string    `json:"id"`
	PageID    string    `json:"page_id"`
	Name      string    `json:"name"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// clone returns a deep copy, so callers never share the fake's state.
func (in *Incident) clone() Incident {
	c := *in
	c.IncidentUpdates = append([]IncidentUpdate(nil), in.IncidentUpdates...)
	c.Components = append([]Component(nil), in.Components...)
	c.Metadata = append(json.RawMessage(nil), in.Metadata...)
	return c
}

// Incidents returns every incident, newest first.
func (f *Fake) Incidents() []Incident {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Incident, 0, len(f.incidents))
	for i := len(f.incidents) - 1; i >= 0; i-- {
		out = append(out, f.incidents[i].clone())
	}
	return out
}

// Incident returns the incident with the id and whether it exists.
func (f *Fake) Incident(id string) (Incident, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in := f.find(id); in != nil {
		return in.clone(), true
	}
	return Incident{}, false
}

// AddComponent adds a component to the page with the given status, which
// must be one of Statuspage's component statuses.
func (f *Fake) AddComponent(name, status string) Component {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !componentStatuses[status] {
		f.tb.Fatalf("statuspagefake: AddComponent(%q, %q): not a component status", name, status)
	}
	now := f.timestamp()
	c := &Component{ID: randomID(12), PageID: f.PageID, Name: name, Status: status, CreatedAt: now, UpdatedAt: now}
	f.components = append(f.components, c)
	return *c
}

// Components returns the page's components in the order they were added.
func (f *Fake) Components() []Component {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Component, 0, len(f.components))
	for _, c := range f.components {
		out = append(out, *c)
	}
	return out
}

// find returns the stored incident or nil. f.mu must be held.
func (f *Fake) find(id string) *Incident {
	for _, in := range f.incidents {
		if in.ID == id {
			return in
		}
	}
	return nil
}

// component returns the stored component or nil. f.mu must be held.
func (f *Fake) component(id string) *Component {
	for _, c := range f.components {
		if c.ID == id {
			return c
		}
	}
	return nil
}
