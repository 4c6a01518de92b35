package twiliofake_test

import (
	"strings"
	"testing"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/herald-comms/herald/internal/twiliofake"
)

const (
	rcpt = "+15551230001"
	from = "+15557654321"
	mg   = "MG0123456789abcdef0123456789abcdef"
)

func TestCreateMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		params       *openapi.CreateMessageParams
		wantStatus   string
		wantFrom     string
		wantSegments int
		wantWire     string // num_segments in the answer
		wantEncoding twiliofake.Encoding
		wantValidity int
	}{
		{"from short", params().SetFrom(from).SetBody("INC-42 SEV1 database down"),
			"queued", from, 1, "1", twiliofake.GSM7, 0},
		{"messaging service", params().SetMessagingServiceSid(mg).SetBody("INC-42 update").SetValidityPeriod(600),
			"accepted", "", 1, "0", twiliofake.GSM7, 600},
		{"from and service", params().SetFrom(from).SetMessagingServiceSid(mg).SetBody("x"),
			"queued", from, 1, "1", twiliofake.GSM7, 0},
		{"gsm two parts", params().SetFrom(from).SetBody(strings.Repeat("a", 161)),
			"queued", from, 2, "2", twiliofake.GSM7, 0},
		{"ucs2 emoji", params().SetFrom(from).SetBody("INC-42 🔥 " + strings.Repeat("b", 70)),
			"queued", from, 2, "2", twiliofake.UCS2, 0},
		{"callback", params().SetFrom(from).SetBody("x").SetStatusCallback("https://herald.example.com/twilio/status?comm=1"),
			"queued", from, 1, "1", twiliofake.GSM7, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := twiliofake.New(t)
			api, _ := newAPI(t, f, f.AuthToken, 5*time.Second)
			m, err := api.CreateMessage(tt.params.SetTo(rcpt))
			if err != nil {
				t.Fatalf("CreateMessage: got error %v; want nil", err)
			}
			if got := *m.Sid; !strings.HasPrefix(got, "SM") || len(got) != 34 {
				t.Errorf("got sid %q; want SM and 32 hex digits", got)
			}
			if got := *m.Status; got != tt.wantStatus {
				t.Errorf("got status %q; want %q", got, tt.wantStatus)
			}
			if got := *m.NumSegments; got != tt.wantWire {
				t.Errorf("got num_segments %q; want %q", got, tt.wantWire)
			}
			if m.ErrorCode != nil {
				t.Errorf("got error_code %d; want null", *m.ErrorCode)
			}
			if got := *m.AccountSid; got != f.AccountSID {
				t.Errorf("got account_sid %q; want %q", got, f.AccountSID)
			}
			if _, err := time.Parse(time.RFC1123Z, *m.DateCreated); err != nil {
				t.Errorf("got date_created %q; want RFC 2822: %v", *m.DateCreated, err)
			}

			inbox := f.Inbox(rcpt)
			if len(inbox) != 1 {
				t.Fatalf("got %d messages in inbox; want 1", len(inbox))
			}
			got := inbox[0]
			if got.SID != *m.Sid || got.Body != *tt.params.Body || got.From != tt.wantFrom {
				t.Errorf("got inbox %+v; want sid %s, body %q, from %q", got, *m.Sid, *tt.params.Body, tt.wantFrom)
			}
			if got.Segments != tt.wantSegments || got.Encoding != tt.wantEncoding {
				t.Errorf("got %d segments %s; want %d %s", got.Segments, got.Encoding, tt.wantSegments, tt.wantEncoding)
			}
			if got.ValidityPeriod != tt.wantValidity {
				t.Errorf("got validity %d; want %d", got.ValidityPeriod, tt.wantValidity)
			}
			if tt.params.MessagingServiceSid != nil && got.MessagingServiceSID != mg {
				t.Errorf("got messaging service %q; want %q", got.MessagingServiceSID, mg)
			}
			if got.Status != "sent" {
				t.Errorf("got status %q with no rate set; want sent", got.Status)
			}
		})
	}
}
