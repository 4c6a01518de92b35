package statuspagefake_test

import (
	"errors"
	"github.com/herald-comms/herald/internal/testkit"
	"net/url"
	"testing"
	"time"

	"github.com/herald-comms/herald/internal/statuspagefake"
)

func TestRateLimit(t *testing.T) {
	t.Parallel()
	f := statuspagefake.New(t) // default: 1 request/s per key
	c := testkit.NewClock(time.Unix(1e9, 0))
	f.SetClock(c.Now)
	api := newClient(t, f, 5*time.Second)
	path := incidentsPath(f, "")

	steps := []struct {
		advance    time.Duration
		wantStatus int
		wantRetry  string
	}{
		{0, 200, ""},
		{0, 429, "1"},
		{400 * time.Millisecond, 429, "1"},
		{600 * time.Millisecond, 200, ""},
	}
	for i, s := range steps {
		c.Advance(s.advance)
		r := api.do("GET", path, nil)
		if r.status != s.wantStatus || r.header.Get("Retry-After") != s.wantRetry {
			t.Errorf("request %d: got %d Retry-After %q; want %d %q", i, r.status, r.header.Get("Retry-After"), s.wantStatus, s.wantRetry)
		}
		if r.status == 429 {
			r.errorText(t)
		}
	}
	if got := f.Throttled(); got != 2 {
		t.Errorf("got %d 429s counted; want 2", got)
	}
}

func TestRateLimitRealClock(t *testing.T) {
	t.Parallel()
	f := statuspagefake.New(t)
	api := newClient(t, f, 5*time.Second)
	if r := api.do("GET", incidentsPath(f, ""), nil); r.status != 200 {
		t.Fatalf("first: got %d; want 200", r.status)
	}
	if r := api.do("GET", incidentsPath(f, ""), nil); r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Errorf("second within a second: got %d Retry-After %q; want 429 with Retry-After", r.status, r.header.Get("Retry-After"))
	}
}

func TestAnsweredFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		setup      func(*statuspagefake.Fake)
		wantStatus int
		wantRetry  string
	}{
		{"forced 429", func(f *statuspagefake.Fake) { f.Force429(1, 3*time.Second) }, 429, "3"},
		{"fail next", func(f *statuspagefake.Fake) { f.FailNext(1) }, 500, ""},
		{"failure rate", func(f *statuspagefake.Fake) { f.SetFailureRate(1) }, 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := unlimited(t)
			tt.setup(f)
			api := newClient(t, f, 5*time.Second)
			r := api.do("POST", incidentsPath(f, ""), incident(map[string]any{"name": "x"}))
			if r.status != tt.wantStatus || r.header.Get("Retry-After") != tt.wantRetry {
				t.Errorf("got %d Retry-After %q; want %d %q", r.status, r.header.Get("Retry-After"), tt.wantStatus, tt.wantRetry)
			}
			r.errorText(t)
			if got := len(f.Incidents()); got != 0 {
				t.Errorf("got %d incidents; want 0", got)
			}
			if log := f.Requests(); len(log) != 1 || log[0].Status != tt.wantStatus || log[0].Method != "POST" {
				t.Errorf("got request log %+v; want one POST with %d", log, tt.wantStatus)
			}
		})
	}
}

func TestResetAndHang(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		setup       func(*statuspagefake.Fake)
		wantTimeout bool
	}{
		{"reset", func(f *statuspagefake.Fake) { f.ResetNext(1) }, false},
		{"hang", func(f *statuspagefake.Fake) { f.HangNext(1) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := unlimited(t)
			tt.setup(f)
			api := newClient(t, f, 200*time.Millisecond)
			_, err := api.try("POST", incidentsPath(f, ""), incident(map[string]any{"name": "x"}))
			var ue *url.Error
			if !errors.As(err, &ue) || ue.Timeout() != tt.wantTimeout {
				t.Fatalf("got error %v; want a transport error with Timeout()=%v", err, tt.wantTimeout)
			}
			if got := len(f.Incidents()); got != 0 {
				t.Errorf("got %d incidents; want 0", got)
			}
			// The fault is one-shot: the retry goes through.
			if r := api.do("GET", incidentsPath(f, ""), nil); r.status != 200 {
				t.Errorf("retry: got %d; want 200", r.status)
			}
		})
	}
}
