package statuspagefake

import (
	"net/http"
	"strings"
)

func (f *Fake) listIncidents(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(r.URL.Query().Get("q"))
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Incident
	for i := len(f.incidents) - 1; i >= 0; i-- {
		if in := f.incidents[i]; q == "" || in.matches(q) {
			out = append(out, in.clone())
		}
	}
	writeJSON(w, http.StatusOK, pageOf(out, r.URL.Query(), "limit", 100))
}

func (f *Fake) listUnresolved(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Incident
	for i := len(f.incidents) - 1; i >= 0; i-- {
		if in := f.incidents[i]; in.Status != "resolved" {
			out = append(out, in.clone())
		}
	}
	writeJSON(w, http.StatusOK, pageOf(out, r.URL.Query(), "per_page", 100))
}

func (f *Fake) listComponents(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Component, 0, len(f.components))
	for _, c := range f.components {
		out = append(out, *c)
	}
	writeJSON(w, http.StatusOK, pageOf(out, r.URL.Query(), "per_page", 100))
}

// matches reports whether lowercase q occurs in the name, the status or an
// update's body, ignoring case, as Statuspage's q search does.
func (in *Incident) matches(q string) bool {
	if strings.Contains(strings.ToLower(in.Name), q) || strings.Contains(in.Status, q) {
		return true
	}
	for _, u := range in.IncidentUpdates {
		if strings.Contains(strings.ToLower(u.Body), q) {
			return true
		}
	}
	return false
}
