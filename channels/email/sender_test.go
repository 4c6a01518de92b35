package email_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/channels/email"
	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/smtptest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const from = "Herald <incidents@example.com>"

// message builds the Message of comm C-3 of INC-7 to an address.
func message(to string) channels.Message {
	inc := comms.Incident{ID: "INC-7", Number: 7, Title: "Checkout errors", Severity: comms.SEV2, Status: comms.Identified}
	c := comms.Comm{ID: "C-3", IncidentID: inc.ID, Number: 2, Audience: comms.External, Message: "Payments are *failing* for some customers.", Status: comms.Identified}
	d := comms.Delivery{ID: comms.DeliveryID(c.ID, comms.MediumEmail, to), CommID: c.ID, IncidentID: inc.ID,
		Medium: comms.MediumEmail, Target: to, State: comms.DeliverySending, Attempts: 1}
	return channels.Message{Delivery: d, Comm: c, Incident: inc, Rendered: comms.Render(&inc, &c, comms.Links{}, false)}
}

func newSender(t *testing.T, srv *smtptest.Server, mod func(*email.Config)) *email.Sender {
	t.Helper()
	cfg := email.Config{Host: srv.Host(), Port: srv.Port(), TLS: email.NoTLS, From: from, HELO: "herald.test"}
	if mod != nil {
		mod(&cfg)
	}
	s, err := email.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestSend(t *testing.T) {
	t.Parallel()
	const to = "exec@example.com"
	tests := []struct {
		name    string
		tls     bool // implicit TLS server
		setup   func(srv *smtptest.Server)
		cfg     func(c *email.Config, srv *smtptest.Server)
		timeout time.Duration
		class   channels.Class // 0 when the message is accepted
		say     string
		wantTLS bool
		auth    string
	}{
		{name: "plain"},
		{name: "STARTTLS", wantTLS: true, setup: func(srv *smtptest.Server) { srv.EnableSTARTTLS() },
			cfg: func(c *email.Config, srv *smtptest.Server) {
				c.TLS, c.TLSConfig = email.StartTLS, srv.ClientTLSConfig()
			}},
		{name: "implicit TLS", tls: true, wantTLS: true,
			cfg: func(c *email.Config, srv *smtptest.Server) { c.TLS, c.TLSConfig = email.TLS, srv.ClientTLSConfig() }},
		{name: "AUTH PLAIN", auth: "herald", setup: func(srv *smtptest.Server) { srv.RequireAuth("herald", "s3cret") },
			cfg: func(c *email.Config, _ *smtptest.Server) { c.Username, c.Password = "herald", "s3cret" }},
		{name: "STARTTLS not offered", class: channels.Permanent, say: "does not offer STARTTLS",
			cfg: func(c *email.Config, srv *smtptest.Server) {
				c.TLS, c.TLSConfig = email.StartTLS, srv.ClientTLSConfig()
			}},
		{name: "untrusted certificate", class: channels.Permanent, say: "certificate Herald does not trust", setup: func(srv *smtptest.Server) { srv.EnableSTARTTLS() },
			cfg: func(c *email.Config, _ *smtptest.Server) { c.TLS = email.StartTLS }},
		{name: "wrong password", class: channels.Permanent, say: "refused Herald's credentials", setup: func(srv *smtptest.Server) { srv.RequireAuth("herald", "s3cret") },
			cfg: func(c *email.Config, _ *smtptest.Server) { c.Username, c.Password = "herald", "wrong" }},
		{name: "550 at RCPT", class: channels.Permanent, say: "refused exec@example.com: 550 5.1.1 no such user",
			setup: func(srv *smtptest.Server) { srv.RejectRecipient(to, 550, "5.1.1 no such user") }},
		{name: "451 at MAIL", class: channels.Retryable, setup: func(srv *smtptest.Server) { srv.TempFailNext(1) }},
		{name: "connection refused", class: channels.Retryable, cfg: func(c *email.Config, _ *smtptest.Server) { c.Port = closedPort(t) }},
		{name: "reset during DATA", class: channels.Retryable, setup: func(srv *smtptest.Server) { srv.DropNext(1) }},
		{name: "no answer to DATA", class: channels.Ambiguous, say: "most likely delivered", timeout: 300 * time.Millisecond,
			setup: func(srv *smtptest.Server) { srv.HangNext(1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.tls)
			if tt.setup != nil {
				tt.setup(srv)
			}
			s := newSender(t, srv, func(c *email.Config) {
				if tt.cfg != nil {
					tt.cfg(c, srv)
				}
			})
			m := message(to)
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			res, err := s.Send(ctx, m)
			if tt.class != 0 {
				e := channels.AsError(err)
				if e == nil {
					t.Fatalf("got error %v (%T); want a *channels.Error", err, err)
				}
				if e.Class != tt.class {
					t.Errorf("got class %s (%v); want %s", e.Class, err, tt.class)
				}
				if !strings.Contains(e.Message, tt.say) {
					t.Errorf("got message %q; want it to contain %q", e.Message, tt.say)
				}
				if got := len(srv.Inbox(to)); got != 0 {
					t.Errorf("got %d messages; want none", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v; want none", err)
			}
			inbox := srv.Inbox(to)
			if len(inbox) != 1 {
				t.Fatalf("got %d messages to %s; want 1", len(inbox), to)
			}
			got := inbox[0]
			wantID := "<" + s.MessageID(m.Delivery.ID) + ">"
			if got.MessageID != wantID && "<"+got.MessageID+">" != wantID {
				t.Errorf("got Message-ID %q; want %q", got.MessageID, wantID)
			}
			if res.Ref != wantID {
				t.Errorf("got ref %q; want %q", res.Ref, wantID)
			}
			if got.Subject != m.Rendered.Email.Subject {
				t.Errorf("got subject %q; want %q", got.Subject, m.Rendered.Email.Subject)
			}
			if !strings.Contains(got.Text, "Payments are failing") || !strings.Contains(got.HTML, "<p>Payments are <b>failing</b>") {
				t.Errorf("got text %q and HTML %q; want both to carry the message", got.Text, got.HTML)
			}
			if got.From != "incidents@example.com" || !strings.Contains(got.Header.Get("From"), "Herald") {
				t.Errorf("got envelope from %q, header %q; want incidents@example.com as Herald", got.From, got.Header.Get("From"))
			}
			if got.TLS != tt.wantTLS {
				t.Errorf("got TLS %v; want %v", got.TLS, tt.wantTLS)
			}
			if got.AuthUser != tt.auth {
				t.Errorf("got auth user %q; want %q", got.AuthUser, tt.auth)
			}
		})
	}
}

func TestMessageIDIsStablePerDelivery(t *testing.T) {
	t.Parallel()
	srv := newServer(t, false)
	s := newSender(t, srv, nil)
	ctx := context.Background()
	for range 2 {
		if _, err := s.Send(ctx, message("a@example.com")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Send(ctx, message("b@example.com")); err != nil {
		t.Fatal(err)
	}
	a, b := srv.Inbox("a@example.com"), srv.Inbox("b@example.com")
	if len(a) != 2 || len(b) != 1 {
		t.Fatalf("got %d and %d messages; want 2 and 1", len(a), len(b))
	}
	if a[0].MessageID != a[1].MessageID {
		t.Errorf("got Message-IDs %q and %q for one delivery; want the same", a[0].MessageID, a[1].MessageID)
	}
	if a[0].MessageID == b[0].MessageID {
		t.Errorf("got Message-ID %q for two deliveries; want different ones", a[0].MessageID)
	}
	if !strings.HasSuffix(strings.Trim(a[0].MessageID, "<>"), "@herald") {
		t.Errorf("got Message-ID %q; want <hash@herald>", a[0].MessageID)
	}
}

func TestReconcileTrustsAnUnansweredData(t *testing.T) {
	t.Parallel()
	srv := newServer(t, false)
	s := newSender(t, srv, nil)
	m := message("exec@example.com")
	res, found, err := s.Reconcile(context.Background(), m)
	if err != nil || !found {
		t.Fatalf("got found %v, error %v; want found", found, err)
	}
	if want := "<" + s.MessageID(m.Delivery.ID) + ">"; res.Ref != want {
		t.Errorf("got ref %q; want %q", res.Ref, want)
	}
}

// newServer starts an SMTP server and waits for its greeting: smtptest's
// cleanup hangs if the server is closed before its Serve goroutine ran
// (go-smtp registers the listener there), which a test that never connects
// can otherwise hit.
func newServer(t *testing.T, implicitTLS bool) *smtptest.Server {
	t.Helper()
	var srv *smtptest.Server
	if implicitTLS {
		srv = smtptest.NewTLS(t)
	} else {
		srv = smtptest.New(t)
	}
	var conn net.Conn
	var err error
	if implicitTLS {
		conn, err = tls.Dial("tcp", srv.Addr(), srv.ClientTLSConfig())
	} else {
		conn, err = net.Dial("tcp", srv.Addr())
	}
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	greeting, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(greeting, "220") {
		t.Fatalf("got greeting %q, error %v; want 220", greeting, err)
	}
	_, _ = conn.Write([]byte("QUIT\r\n"))
	return srv
}

// closedPort returns a port on 127.0.0.1 nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return port
}
