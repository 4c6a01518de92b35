package twiliofake_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/herald-comms/herald/internal/twiliofake"
)

// recorder stands in for the test a fake reports to, so a test can check the
// fake fails its caller on requests it does not model.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

func TestUnmodelledRequestsFailTheTest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path string
		form               url.Values
		wantStatus         int
	}{
		{"fetch one message", http.MethodGet, "/2010-04-01/Accounts/%s/Messages/SM0123456789abcdef0123456789abcdef.json", nil, 404},
		{"delete messages", http.MethodDelete, "/2010-04-01/Accounts/%s/Messages.json", nil, 404},
		{"list by status", http.MethodGet, "/2010-04-01/Accounts/%s/Messages.json?To=%%2B15551230001&Status=sent", nil, 400},
		{"calls", http.MethodPost, "/2010-04-01/Accounts/%s/Calls.json", nil, 404},
		{"media", http.MethodPost, "/2010-04-01/Accounts/%s/Messages.json",
			url.Values{"To": {rcpt}, "From": {from}, "MediaUrl": {"https://x.example/a.png"}}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{TB: t}
			f := twiliofake.New(rec)
			req, err := http.NewRequest(tt.method, f.URL()+fmt.Sprintf(tt.path, f.AccountSID), strings.NewReader(tt.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(f.AccountSID, f.AuthToken)
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("got HTTP %d; want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := rec.failures(); len(got) != 1 {
				t.Errorf("got test failures %q; want exactly one", got)
			}
		})
	}
}
