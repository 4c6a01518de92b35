package smtptest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wneessen/go-mail"

	"github.com/herald-comms/herald/internal/smtptest"
)

func TestDeliver(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		start    func(testing.TB) *smtptest.Server
		setup    func(*smtptest.Server)
		opts     func(*smtptest.Server) []mail.Option
		wantTLS  bool
		wantUser string
	}{
		{"plain", smtptest.New, nil, nil, false, ""},
		{"starttls mandatory", smtptest.New, (*smtptest.Server).EnableSTARTTLS,
			func(s *smtptest.Server) []mail.Option {
				return []mail.Option{mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(s.ClientTLSConfig())}
			}, true, ""},
		{"implicit tls", smtptest.NewTLS, nil,
			func(s *smtptest.Server) []mail.Option {
				return []mail.Option{mail.WithSSL(), mail.WithPort(s.Port()), mail.WithTLSConfig(s.ClientTLSConfig())}
			}, true, ""},
		{"auth plain", smtptest.New, func(s *smtptest.Server) { s.RequireAuth("herald", "s3cret") },
			func(*smtptest.Server) []mail.Option {
				return []mail.Option{mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername("herald"), mail.WithPassword("s3cret")}
			}, false, "herald"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tt.start(t)
			if tt.setup != nil {
				tt.setup(s)
			}
			var opts []mail.Option
			if tt.opts != nil {
				opts = tt.opts(s)
			}
			msg := newMsg(t, oncall, exec)
			if err := send(t, s, msg, opts...); err != nil {
				t.Fatalf("send: got %v; want nil", err)
			}
			got := s.Inbox(oncall)
			if len(got) != 1 || len(s.Inbox(exec)) != 1 || len(s.Messages()) != 1 {
				t.Fatalf("got %d in inbox, %d messages; want one message to both", len(got), len(s.Messages()))
			}
			m := got[0]
			if m.From != sender || strings.Join(m.To, ",") != oncall+","+exec {
				t.Errorf("got envelope %s → %v; want %s → [%s %s]", m.From, m.To, sender, oncall, exec)
			}
			if m.Subject != subject {
				t.Errorf("got subject %q; want %q", m.Subject, subject)
			}
			if want := msg.GetGenHeader(mail.HeaderMessageID); len(want) != 1 || m.MessageID != "<"+strings.Trim(want[0], "<>")+">" {
				t.Errorf("got Message-ID %q; want %q", m.MessageID, want)
			}
			if want := "INC-42 is SEV1.\r\nStatus: investigating — naïve café"; m.Text != want && m.Text != strings.ReplaceAll(want, "\r", "") {
				t.Errorf("got text %q; want %q", m.Text, want)
			}
			if want := "<p><b>INC-42</b> is SEV1.</p>"; m.HTML != want {
				t.Errorf("got HTML %q; want %q", m.HTML, want)
			}
			if m.TLS != tt.wantTLS || m.AuthUser != tt.wantUser {
				t.Errorf("got TLS %v user %q; want %v %q", m.TLS, m.AuthUser, tt.wantTLS, tt.wantUser)
			}
			if !strings.Contains(string(m.Data), "multipart/alternative") {
				t.Errorf("got raw data without multipart/alternative:\n%s", m.Data)
			}
		})
	}
}

// TestCleanupRightAfterStart ends tests before anything connects: cleanup
// must not wait for a Serve that has not registered its listener yet.
func TestCleanupRightAfterStart(t *testing.T) {
	t.Parallel()
	for i := range 20 {
		t.Run(fmt.Sprint(i), func(t *testing.T) { smtptest.New(t) })
	}
}
