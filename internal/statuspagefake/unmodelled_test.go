package statuspagefake_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/herald-comms/herald/internal/statuspagefake"
)

func TestUnmodelledRequestsFailTheTest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path, contentType, body string
	}{
		{"put", "PUT", "/pages/%p/incidents/abc", "application/json", `{"incident":{}}`},
		{"component patch", "PATCH", "/pages/%p/components/abc", "application/json", `{"component":{}}`},
		{"form body", "POST", "/pages/%p/incidents", "application/x-www-form-urlencoded", "incident[name]=x"},
		{"unknown field", "POST", "/pages/%p/incidents", "application/json", `{"incident":{"name":"x","scheduled_for":"2026-01-01T00:00:00Z"}}`},
		{"unknown query", "GET", "/pages/%p/incidents?sort=asc", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{TB: t}
			f := statuspagefake.New(rec)
			f.SetRate(0, 1)
			req, err := http.NewRequest(tt.method, f.URL()+strings.ReplaceAll(tt.path, "%p", f.PageID), strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "OAuth "+f.APIKey)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if rec.failures() == "" {
				t.Errorf("got no test failure for %s %s; want one", tt.method, tt.path)
			}
		})
	}
}
