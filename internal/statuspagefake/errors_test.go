package statuspagefake_test

import (
	"strings"
	"testing"
	"time"
)

func TestErrors(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name       string
		key        string // "" keeps the right key; "-" sends none
		method     string
		path       string // %p is the page, %i an existing incident
		body       any
		wantStatus int
	}{
		{"no key", "-", "GET", "/pages/%p/incidents", nil, 401},
		{"wrong key", "nope", "GET", "/pages/%p/incidents", nil, 401},
		{"unknown page", "", "GET", "/pages/zzzzzzzzzzzz/incidents", nil, 404},
		{"unknown incident", "", "GET", "/pages/%p/incidents/zzzzzzzzzzzz", nil, 404},
		{"patch unknown incident", "", "PATCH", "/pages/%p/incidents/zzzzzzzzzzzz", incident(map[string]any{"body": "x"}), 404},
		{"no wrapper", "", "POST", "/pages/%p/incidents", map[string]any{"name": "x"}, 400},
		{"no name", "", "POST", "/pages/%p/incidents", incident(map[string]any{"status": "investigating"}), 422},
		{"blank name on patch", "", "PATCH", "/pages/%p/incidents/%i", incident(map[string]any{"name": ""}), 422},
		{"name too long", "", "POST", "/pages/%p/incidents", incident(map[string]any{"name": long(256)}), 422},
		{"bad status", "", "POST", "/pages/%p/incidents", incident(map[string]any{"name": "x", "status": "down"}), 422},
		{"maintenance status", "", "PATCH", "/pages/%p/incidents/%i", incident(map[string]any{"status": "scheduled"}), 422},
		{"body too long", "", "POST", "/pages/%p/incidents", incident(map[string]any{"name": "x", "body": long(25001)}), 422},
		{"bad impact", "", "POST", "/pages/%p/incidents", incident(map[string]any{"name": "x", "impact_override": "huge"}), 422},
		{"unknown component", "", "POST", "/pages/%p/incidents", incident(map[string]any{"name": "x", "component_ids": []string{"nope"}}), 422},
		{"metadata not objects", "", "POST", "/pages/%p/incidents", incident(map[string]any{"name": "x", "metadata": map[string]any{"comm_id": "c-1"}}), 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := unlimited(t)
			api := newClient(t, f, 5*time.Second)
			var existing struct{ ID string }
			api.do("POST", incidentsPath(f, ""), incident(map[string]any{"name": "seed"})).decode(t, &existing)
			path := strings.NewReplacer("%p", f.PageID, "%i", existing.ID).Replace(tt.path)
			switch tt.key {
			case "-":
				api.key = ""
			case "":
			default:
				api.key = tt.key
			}
			r := api.do(tt.method, path, tt.body)
			if r.status != tt.wantStatus {
				t.Errorf("got %d %s; want %d", r.status, r.body, tt.wantStatus)
			}
			r.errorText(t)
			if got := len(f.Incidents()); got != 1 {
				t.Errorf("got %d incidents; want only the seed", got)
			}
		})
	}
}
