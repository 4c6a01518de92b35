package statuspagefake

import (
	"encoding/json"
	"net/http"
	"time"
)

func (f *Fake) createIncident(w http.ResponseWriter, r *http.Request) {
	p, ok := f.decodeIncident(w, r)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if msg := f.validate(p, true); msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	now := f.timestamp()
	in := &Incident{
		ID:        randomID(12),
		PageID:    f.PageID,
		Name:      *p.Name,
		Status:    "investigating",
		Impact:    "none",
		Shortlink: "https://stspg.io/" + randomID(5),
		CreatedAt: now,
		StartedAt: now,
		Metadata:  json.RawMessage("{}"),
	}
	f.apply(in, p, now, true)
	f.incidents = append(f.incidents, in)
	writeJSON(w, http.StatusCreated, in.clone())
}

func (f *Fake) patchIncident(w http.ResponseWriter, r *http.Request) {
	p, ok := f.decodeIncident(w, r)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	in := f.findOr404(w, r)
	if in == nil {
		return
	}
	if msg := f.validate(p, false); msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	f.apply(in, p, f.timestamp(), false)
	writeJSON(w, http.StatusOK, in.clone())
}

func (f *Fake) getIncident(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	in := f.findOr404(w, r)
	if in == nil {
		return
	}
	writeJSON(w, http.StatusOK, in.clone())
}

// findOr404 returns the incident the path names, or answers 404 and returns
// nil. f.mu must be held.
func (f *Fake) findOr404(w http.ResponseWriter, r *http.Request) *Incident {
	in := f.find(r.PathValue("id"))
	if in == nil {
		writeError(w, http.StatusNotFound, "Not found")
	}
	return in
}

// apply writes validated params into in. An incident update is added when a
// body is given or the status changes, and always on create. f.mu must be held.
func (f *Fake) apply(in *Incident, p *incidentParams, now time.Time, create bool) {
	oldStatus := in.Status
	if p.Name != nil {
		in.Name = *p.Name
	}
	if p.Status != nil {
		in.Status = *p.Status
	}
	if p.ImpactOverride != nil {
		in.ImpactOverride, in.Impact = p.ImpactOverride, *p.ImpactOverride
	}
	if p.Metadata != nil {
		in.Metadata = append(json.RawMessage(nil), p.Metadata...)
	}
	for id, status := range p.Components {
		c := f.component(id)
		c.Status, c.UpdatedAt = status, now
		in.addComponent(*c)
	}
	for _, id := range p.ComponentIDs {
		in.addComponent(*f.component(id))
	}
	switch {
	case in.Status == "monitoring" && in.MonitoringAt == nil:
		in.MonitoringAt = &now
	case in.Status == "resolved" && in.ResolvedAt == nil:
		in.ResolvedAt = &now
	}
	body := ""
	if p.Body != nil {
		body = *p.Body
	}
	if create || body != "" || in.Status != oldStatus {
		deliver := true
		if p.DeliverNotifications != nil {
			deliver = *p.DeliverNotifications
		}
		u := IncidentUpdate{
			ID: randomID(12), IncidentID: in.ID, Status: in.Status, Body: body,
			CreatedAt: now, UpdatedAt: now, DisplayAt: now, DeliverNotifications: deliver,
		}
		in.IncidentUpdates = append([]IncidentUpdate{u}, in.IncidentUpdates...)
	}
	in.UpdatedAt = now
}

// addComponent adds c to the incident's list or refreshes it there.
func (in *Incident) addComponent(c Component) {
	for i := range in.Components {
		if in.Components[i].ID == c.ID {
			in.Components[i] = c
			return
		}
	}
	in.Components = append(in.Components, c)
}
