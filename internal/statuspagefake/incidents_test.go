package statuspagefake_test

import (
	"encoding/json"
	"github.com/herald-comms/herald/internal/testkit"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/herald-comms/herald/internal/statuspagefake"
)

var idShape = regexp.MustCompile(`^[a-z0-9]{12}$`)

func TestCreateGetPatch(t *testing.T) {
	t.Parallel()
	f := unlimited(t)
	api := newClient(t, f, 5*time.Second)
	db := f.AddComponent("Database", "operational")

	r := api.do("POST", incidentsPath(f, ""), incident(map[string]any{
		"name": "Database down", "status": "investigating", "body": "We are investigating.",
		"impact_override": "major", "deliver_notifications": false,
		"components": map[string]string{db.ID: "major_outage"},
		"metadata":   map[string]any{"herald": map[string]any{"comm_id": "c-1"}},
	}))
	if r.status != 201 {
		t.Fatalf("create: got %d %s; want 201", r.status, r.body)
	}
	var in statuspagefake.Incident
	r.decode(t, &in)
	if !idShape.MatchString(in.ID) || !strings.HasPrefix(in.Shortlink, "https://stspg.io/") {
		t.Errorf("got id %q shortlink %q; want 12 lowercase alnum and a stspg.io link", in.ID, in.Shortlink)
	}
	if in.Status != "investigating" || in.Impact != "major" || len(in.IncidentUpdates) != 1 {
		t.Errorf("got status %q impact %q %d updates; want investigating major 1", in.Status, in.Impact, len(in.IncidentUpdates))
	}
	if u := in.IncidentUpdates[0]; u.Body != "We are investigating." || u.DeliverNotifications {
		t.Errorf("got first update %+v; want the body, deliver_notifications false", u)
	}
	if got, want := string(in.Metadata), `{"herald":{"comm_id":"c-1"}}`; got != want {
		t.Errorf("got metadata %s; want %s", got, want)
	}
	if len(in.Components) != 1 || in.Components[0].Status != "major_outage" {
		t.Errorf("got components %+v; want the database in major_outage", in.Components)
	}

	steps := []struct {
		name        string
		fields      map[string]any
		wantStatus  string
		wantUpdates int
		wantBody    string
	}{
		{"body only", map[string]any{"body": "Still looking."}, "investigating", 2, "Still looking."},
		{"status and body", map[string]any{"status": "identified", "body": "Found it."}, "identified", 3, "Found it."},
		{"status only", map[string]any{"status": "monitoring"}, "monitoring", 4, ""},
		{"name only", map[string]any{"name": "Database slow"}, "monitoring", 4, ""},
		{"resolve", map[string]any{"status": "resolved", "body": "Fixed."}, "resolved", 5, "Fixed."},
	}
	for _, s := range steps {
		r := api.do("PATCH", incidentsPath(f, "/"+in.ID), incident(s.fields))
		if r.status != 200 {
			t.Fatalf("%s: got %d %s; want 200", s.name, r.status, r.body)
		}
		var got statuspagefake.Incident
		r.decode(t, &got)
		if got.Status != s.wantStatus || len(got.IncidentUpdates) != s.wantUpdates {
			t.Errorf("%s: got %s with %d updates; want %s with %d", s.name, got.Status, len(got.IncidentUpdates), s.wantStatus, s.wantUpdates)
		}
		if s.wantBody != "" && got.IncidentUpdates[0].Body != s.wantBody {
			t.Errorf("%s: got newest update %q; want %q", s.name, got.IncidentUpdates[0].Body, s.wantBody)
		}
	}

	var got statuspagefake.Incident
	api.do("GET", incidentsPath(f, "/"+in.ID), nil).decode(t, &got)
	if got.Name != "Database slow" || got.ResolvedAt == nil || got.MonitoringAt == nil {
		t.Errorf("got %q resolved_at %v monitoring_at %v; want renamed, both set", got.Name, got.ResolvedAt, got.MonitoringAt)
	}
	stored, ok := f.Incident(in.ID)
	if !ok || stored.Status != "resolved" || !stored.IncidentUpdates[0].DeliverNotifications {
		t.Errorf("got stored %+v, %v; want resolved with a notifying last update", stored, ok)
	}
	if c := f.Components()[0]; c.Status != "major_outage" {
		t.Errorf("got component status %q; want major_outage", c.Status)
	}
}

func TestListAndSearch(t *testing.T) {
	t.Parallel()
	f := unlimited(t)
	c := testkit.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	f.SetClock(c.Now)
	api := newClient(t, f, 5*time.Second)
	ids := map[string]string{}
	for _, n := range []struct{ name, status, body string }{
		{"API errors", "investigating", "Elevated 5xx"},
		{"Login slow", "resolved", "Fixed by rollback"},
		{"Webhooks delayed", "identified", "Queue backlog in EU"},
	} {
		c.Advance(time.Minute)
		var in statuspagefake.Incident
		api.do("POST", incidentsPath(f, ""), incident(map[string]any{"name": n.name, "status": n.status, "body": n.body})).decode(t, &in)
		ids[n.name] = in.ID
	}

	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"Webhooks delayed", "Login slow", "API errors"}},
		{"?q=ROLLBACK", []string{"Login slow"}},
		{"?q=identified", []string{"Webhooks delayed"}},
		{"?q=api", []string{"API errors"}},
		{"?q=nothing", nil},
		{"?limit=2", []string{"Webhooks delayed", "Login slow"}},
		{"?limit=2&page=2", []string{"API errors"}},
		{"/unresolved", []string{"Webhooks delayed", "API errors"}},
	}
	for _, tt := range tests {
		path := incidentsPath(f, tt.query)
		if strings.HasPrefix(tt.query, "/") {
			path = incidentsPath(f, "") + tt.query
		}
		r := api.do("GET", path, nil)
		var got []statuspagefake.Incident
		r.decode(t, &got)
		var names []string
		for _, in := range got {
			names = append(names, in.Name)
		}
		if strings.Join(names, ",") != strings.Join(tt.want, ",") {
			t.Errorf("GET %s: got %q; want %q", tt.query, names, tt.want)
		}
	}
}

func TestComponents(t *testing.T) {
	t.Parallel()
	f := unlimited(t)
	api := newClient(t, f, 5*time.Second)
	f.AddComponent("API", "operational")
	f.AddComponent("Web", "degraded_performance")
	var got []statuspagefake.Component
	api.do("GET", "/pages/"+f.PageID+"/components?page=1&per_page=100", nil).decode(t, &got)
	if len(got) != 2 || got[0].Name != "API" || got[1].Status != "degraded_performance" {
		t.Errorf("got components %+v; want API operational and Web degraded_performance", got)
	}
	raw := api.do("GET", "/pages/"+f.PageID+"/components", nil).body
	if !json.Valid(raw) {
		t.Errorf("got invalid JSON %s", raw)
	}
}
