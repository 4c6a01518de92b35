package statuspagefake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// incidentParams is the "incident" object of a create or update; nil means
// the field was left out.
type incidentParams struct {
	Name                 *string           `json:"name"`
	Status               *string           `json:"status"`
	Body                 *string           `json:"body"`
	DeliverNotifications *bool             `json:"deliver_notifications"`
	ImpactOverride       *string           `json:"impact_override"`
	ComponentIDs         []string          `json:"component_ids"`
	Components           map[string]string `json:"components"`
	Metadata             json.RawMessage   `json:"metadata"`
}

var (
	incidentStatuses = map[string]bool{"investigating": true, "identified": true, "monitoring": true, "resolved": true}
	impacts          = map[string]bool{"none": true, "minor": true, "major": true, "critical": true}
	// componentStatuses are the statuses a component can have.
	componentStatuses = map[string]bool{
		"operational": true, "under_maintenance": true, "degraded_performance": true,
		"partial_outage": true, "major_outage": true,
	}
)

// decodeIncident reads {"incident":{...}} and answers 400 for a body that is
// not JSON or lacks the wrapper, as Rails does. It reports whether to go on.
func (f *Fake) decodeIncident(w http.ResponseWriter, r *http.Request) (*incidentParams, bool) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		f.tb.Errorf("statuspagefake: unmodelled Content-Type %q on %s %s (only JSON is modelled)",
			r.Header.Get("Content-Type"), r.Method, r.URL.Path)
		writeError(w, http.StatusBadRequest, "unsupported content type")
		return nil, false
	}
	var env map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&env); err != nil {
		writeError(w, http.StatusBadRequest, "There was a problem parsing the JSON in the request body: "+err.Error())
		return nil, false
	}
	raw, ok := env["incident"]
	if !ok || string(raw) == "null" {
		writeError(w, http.StatusBadRequest, "param is missing or the value is empty: incident")
		return nil, false
	}
	var p incidentParams
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			f.tb.Errorf("statuspagefake: %s %s: unmodelled incident field: %v", r.Method, r.URL.Path, err)
		}
		writeError(w, http.StatusBadRequest, "There was a problem parsing the JSON in the request body: "+err.Error())
		return nil, false
	}
	return &p, true
}

// validate returns Statuspage's 422 message for p, or "" when p is valid.
// f.mu must be held, to look components up.
func (f *Fake) validate(p *incidentParams, create bool) string {
	switch {
	case create && (p.Name == nil || *p.Name == ""), !create && p.Name != nil && *p.Name == "":
		return "Name can't be blank"
	case p.Name != nil && utf8.RuneCountInString(*p.Name) > 255:
		return "Name is too long (maximum is 255 characters)"
	case p.Status != nil && !incidentStatuses[*p.Status]:
		return fmt.Sprintf("Status %q is not a valid incident status", *p.Status)
	case p.Body != nil && utf8.RuneCountInString(*p.Body) > 25000:
		return "Body is too long (maximum is 25000 characters)"
	case p.ImpactOverride != nil && !impacts[*p.ImpactOverride]:
		return fmt.Sprintf("Impact override %q is not one of none, minor, major, critical", *p.ImpactOverride)
	}
	for _, id := range p.ComponentIDs {
		if f.component(id) == nil {
			return fmt.Sprintf("Component %s could not be found", id)
		}
	}
	for id, status := range p.Components {
		if f.component(id) == nil {
			return fmt.Sprintf("Component %s could not be found", id)
		}
		if !componentStatuses[status] {
			return fmt.Sprintf("Component status %q is not valid", status)
		}
	}
	if p.Metadata != nil && !validMetadata(p.Metadata) {
		return "Metadata must be a JSON object whose top-level values are all objects"
	}
	return ""
}

func validMetadata(raw json.RawMessage) bool {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || top == nil {
		return false
	}
	for _, v := range top {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(v, &obj); err != nil || obj == nil {
			return false
		}
	}
	return true
}
