package twiliofake_test

import (
	"strings"
	"testing"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/herald-comms/herald/internal/twiliofake"
)

func TestCreateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		setup      func(*twiliofake.Fake)
		token      string // empty means the right one
		params     *openapi.CreateMessageParams
		wantStatus int
		wantCode   int
	}{
		{"bad token", nil, "wrongtoken1", params().SetTo(rcpt).SetFrom(from).SetBody("x"), 401, 20003},
		{"no to", nil, "", params().SetFrom(from).SetBody("x"), 400, 21604},
		{"to not e164", nil, "", params().SetTo("5551230001").SetFrom(from).SetBody("x"), 400, 21211},
		{"no sender", nil, "", params().SetTo(rcpt).SetBody("x"), 400, 21603},
		{"bad from", nil, "", params().SetTo(rcpt).SetFrom("12-34").SetBody("x"), 400, 21212},
		{"no body", nil, "", params().SetTo(rcpt).SetFrom(from), 400, 21602},
		{"body too long", nil, "", params().SetTo(rcpt).SetFrom(from).SetBody(strings.Repeat("a", 1601)), 400, 21617},
		{"validity zero", nil, "", params().SetTo(rcpt).SetFrom(from).SetBody("x").SetValidityPeriod(0), 400, 21624},
		{"validity too long", nil, "", params().SetTo(rcpt).SetFrom(from).SetBody("x").SetValidityPeriod(36001), 400, 21624},
		{"bad callback", nil, "", params().SetTo(rcpt).SetFrom(from).SetBody("x").SetStatusCallback("not a url"), 400, 21609},
		{"invalid number", func(f *twiliofake.Fake) { f.RejectTo(rcpt, 21211) }, "",
			params().SetTo(rcpt).SetFrom(from).SetBody("x"), 400, 21211},
		{"unsubscribed", func(f *twiliofake.Fake) { f.RejectTo(rcpt, 21610) }, "",
			params().SetTo(rcpt).SetMessagingServiceSid(mg).SetBody("x"), 400, 21610},
		{"not mobile", func(f *twiliofake.Fake) { f.RejectTo(rcpt, 21614) }, "",
			params().SetTo(rcpt).SetFrom(from).SetBody("x"), 400, 21614},
		{"queue full", func(f *twiliofake.Fake) {
			f.SetRate(from, 1)
			f.SetQueueWindow(2 * time.Second)
			f.SetClock(func() time.Time { return time.Unix(1e9, 0) }) // frozen
		}, "", params().SetTo(rcpt).SetFrom(from).SetBody(strings.Repeat("a", 400)), 400, 21611},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := twiliofake.New(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			token := tt.token
			if token == "" {
				token = f.AuthToken
			}
			api, tr := newAPI(t, f, token, 5*time.Second)
			if tt.wantCode == 21611 { // 3 segments at 1/s: 3 s queued, over the 2 s window
				if _, err := api.CreateMessage(params().SetTo(rcpt).SetFrom(from).SetBody(strings.Repeat("a", 400))); err != nil {
					t.Fatalf("first CreateMessage: got %v; want nil", err)
				}
			}
			_, err := api.CreateMessage(tt.params)
			te := restError(t, err)
			if te.Code != tt.wantCode || te.Status != tt.wantStatus {
				t.Errorf("got code %d status %d (%q); want %d %d", te.Code, te.Status, te.Message, tt.wantCode, tt.wantStatus)
			}
			if status, _ := tr.last(); status != tt.wantStatus {
				t.Errorf("got HTTP status %d; want %d", status, tt.wantStatus)
			}
			if tt.wantCode != 21611 && len(f.Messages()) != 0 {
				t.Errorf("got %d messages after a rejected create; want 0", len(f.Messages()))
			}
		})
	}
}
