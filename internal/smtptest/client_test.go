package smtptest_test

import (
	"context"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/herald-comms/herald/internal/smtptest"
)

const (
	sender  = "incidents@herald.example"
	oncall  = "oncall@example.com"
	exec    = "exec@example.com"
	subject = "[SEV1] INC-42: Database down – Störung"
)

// newMsg builds the kind of message Herald sends: text and HTML alternatives.
func newMsg(t *testing.T, to ...string) *mail.Msg {
	t.Helper()
	m := mail.NewMsg()
	if err := m.FromFormat("Incident Bot", sender); err != nil {
		t.Fatal(err)
	}
	if err := m.To(to...); err != nil {
		t.Fatal(err)
	}
	m.Subject(subject)
	m.SetMessageID()
	m.SetDate()
	m.SetBodyString(mail.TypeTextPlain, "INC-42 is SEV1.\nStatus: investigating — naïve café")
	m.AddAlternativeString(mail.TypeTextHTML, "<p><b>INC-42</b> is SEV1.</p>")
	return m
}

// send delivers m to s with go-mail, plain SMTP unless opts say otherwise.
func send(t *testing.T, s *smtptest.Server, m *mail.Msg, opts ...mail.Option) error {
	t.Helper()
	base := []mail.Option{
		mail.WithPort(s.Port()),
		mail.WithTLSPolicy(mail.NoTLS),
		mail.WithTimeout(5 * time.Second),
		mail.WithHELO("localhost"),
	}
	c, err := mail.NewClient(s.Host(), append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.DialAndSendWithContext(ctx, m)
}
