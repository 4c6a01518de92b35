package smtptest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/herald-comms/herald/internal/smtptest"
)

func TestSendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		setup        func(*smtptest.Server)
		opts         []mail.Option
		wantCode     int
		wantEnhanced string
		wantTemp     bool
		wantStored   int // messages stored after the failed send and one retry
	}{
		{"rejected recipient", func(s *smtptest.Server) { s.RejectRecipient(exec, 550, "5.1.1 no such user") },
			nil, 550, "5.1.1", false, 1},
		{"temporary failure", func(s *smtptest.Server) { s.TempFailNext(1) },
			nil, 451, "4.3.0", true, 1},
		{"auth required", func(s *smtptest.Server) { s.RequireAuth("herald", "s3cret") },
			nil, 530, "5.7.0", false, 0},
		{"too large", func(s *smtptest.Server) { s.SetMaxMessageBytes(200) },
			nil, 552, "5.3.4", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := smtptest.New(t)
			tt.setup(s)
			err := send(t, s, newMsg(t, oncall, exec), tt.opts...)
			var se *mail.SendError
			if !errors.As(err, &se) {
				t.Fatalf("got error %v (%T); want *mail.SendError", err, err)
			}
			if se.ErrorCode() != tt.wantCode || se.EnhancedStatusCode() != tt.wantEnhanced || se.IsTemp() != tt.wantTemp {
				t.Errorf("got %d %q temp=%v (%v); want %d %q temp=%v",
					se.ErrorCode(), se.EnhancedStatusCode(), se.IsTemp(), err, tt.wantCode, tt.wantEnhanced, tt.wantTemp)
			}
			_ = send(t, s, newMsg(t, oncall), tt.opts...) // the switch outlives one send unless it is one-shot
			if got := len(s.Messages()); got != tt.wantStored {
				t.Errorf("got %d messages stored; want %d", got, tt.wantStored)
			}
		})
	}
}

// TestDialErrors covers failures go-mail reports while dialling, as plain
// wrapped errors rather than *mail.SendError.
func TestDialErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(*smtptest.Server)
		opts  []mail.Option
		want  string
	}{
		{"bad password", func(s *smtptest.Server) { s.RequireAuth("herald", "s3cret") },
			[]mail.Option{mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername("herald"), mail.WithPassword("wrong")},
			`535 "5.7.8`},
		{"starttls mandatory, server has none", func(*smtptest.Server) {},
			[]mail.Option{mail.WithTLSPolicy(mail.TLSMandatory)}, "STARTTLS"},
		{"untrusted certificate", (*smtptest.Server).EnableSTARTTLS,
			[]mail.Option{mail.WithTLSPolicy(mail.TLSMandatory)}, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := smtptest.New(t)
			tt.setup(s)
			err := send(t, s, newMsg(t, oncall), tt.opts...)
			var se *mail.SendError
			if err == nil || errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v; want a dial error mentioning %q", err, tt.want)
			}
			if got := len(s.Messages()); got != 0 {
				t.Errorf("got %d messages; want 0", got)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(*smtptest.Server)
	}{
		{"drop mid-data", func(s *smtptest.Server) { s.DropNext(1) }},
		{"hang after data", func(s *smtptest.Server) { s.HangNext(1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := smtptest.New(t)
			tt.setup(s)
			start := time.Now()
			err := send(t, s, newMsg(t, oncall), mail.WithTimeout(300*time.Millisecond))
			if err == nil {
				t.Fatal("got nil error; want the send to fail")
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("got failure after %v; want it within the client timeout", d)
			}
			if got := len(s.Messages()); got != 0 {
				t.Errorf("got %d messages; want 0", got)
			}
			if err := send(t, s, newMsg(t, oncall)); err != nil { // one-shot
				t.Errorf("retry: got %v; want nil", err)
			}
		})
	}
}
