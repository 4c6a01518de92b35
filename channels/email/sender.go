package email

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/herald-comms/herald/channels"
)

// TLSMode says how the connection to the SMTP server is protected.
type TLSMode string

// The TLS modes (SMTP_TLS).
const (
	StartTLS TLSMode = "starttls" // plain connection upgraded with STARTTLS, which must be offered
	TLS      TLSMode = "tls"      // implicit TLS from the first byte (port 465)
	NoTLS    TLSMode = "none"     // no encryption: loopback relays and tests only
)

// Auth is an SMTP authentication mechanism.
type Auth string

// The supported mechanisms.
const (
	AuthPlain Auth = "plain"
	AuthLogin Auth = "login"
)

// DefaultTimeout bounds each SMTP command, as go-mail's own default.
const DefaultTimeout = 15 * time.Second

// Connection reuse defaults. Servers close idle connections on their own
// clock (RFC 5321 §4.5.3.2.7 asks for at least 5 minutes; providers are
// often quicker), so an idle connection is closed well before; a comm's
// e-mails go out in one burst, which is what reuse is for. SendGrid accepts
// up to 5,000 messages per connection (limits.md §4); 100 stays well inside
// what any provider allows.
const (
	DefaultMaxConnMessages = 100
	DefaultConnIdle        = 10 * time.Second
)

// Config is what the e-mail sender needs.
type Config struct {
	// Host and Port locate the SMTP server. Port defaults to 587 for
	// StartTLS, 465 for TLS and 25 for NoTLS.
	Host string
	Port int
	// TLS is the TLS mode, StartTLS when empty. TLSConfig, when set,
	// replaces the default (which verifies the server's certificate
	// against Host); tests use it to trust their own certificate.
	TLS       TLSMode
	TLSConfig *tls.Config
	// Username and Password, when Username is set, authenticate with Auth
	// (AuthPlain when empty). Over NoTLS the unencrypted variants are used.
	Username string
	Password string
	Auth     Auth
	// From is the sender: "incidents@example.com" or
	// "Herald <incidents@example.com>".
	From string
	// HELO is the name Herald gives in EHLO; go-mail picks the host name
	// when empty.
	HELO string
	// Timeout bounds each SMTP command; DefaultTimeout when 0. The
	// context's deadline, when sooner, wins.
	Timeout time.Duration
	// MessageIDDomain is the right-hand side of Message-IDs, "herald" when
	// empty.
	MessageIDDomain string
	// MaxConnMessages is how many messages one SMTP connection carries
	// before it is closed (DefaultMaxConnMessages when 0; 1 turns reuse
	// off), and ConnIdle how long a connection is kept open for the next
	// message (DefaultConnIdle when 0).
	MaxConnMessages int
	ConnIdle        time.Duration
	// MaxIdleConns caps the connections kept open between messages. When 0,
	// every connection a finished send leaves is kept: as many as sends run
	// at once, the e-mail lane's Concurrency.
	MaxIdleConns int
}

// Sender mails comms, one message per recipient, over SMTP connections it
// reuses from one message to the next: a connection goes back to the pool
// after a message it carried without error, and is closed after an error,
// after MaxConnMessages messages or after ConnIdle unused.
type Sender struct {
	cfg  Config
	pool *pool
}

var (
	_ channels.Sender     = (*Sender)(nil)
	_ channels.Reconciler = (*Sender)(nil)
)

// New returns a Sender for cfg, or an error if cfg cannot work.
func New(cfg Config) (*Sender, error) {
	if cfg.Host == "" || cfg.From == "" {
		return nil, errors.New("email: SMTP host and From address are required")
	}
	if cfg.TLS == "" {
		cfg.TLS = StartTLS
	}
	if cfg.Port == 0 {
		cfg.Port = map[TLSMode]int{StartTLS: 587, TLS: 465, NoTLS: 25}[cfg.TLS]
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MessageIDDomain == "" {
		cfg.MessageIDDomain = "herald"
	}
	if cfg.Auth == "" {
		cfg.Auth = AuthPlain
	}
	if cfg.MaxConnMessages <= 0 {
		cfg.MaxConnMessages = DefaultMaxConnMessages
	}
	if cfg.ConnIdle <= 0 {
		cfg.ConnIdle = DefaultConnIdle
	}
	s := &Sender{cfg: cfg, pool: &pool{maxIdle: max(cfg.MaxIdleConns, 0), maxMsgs: cfg.MaxConnMessages, idleTime: cfg.ConnIdle}}
	if err := mail.NewMsg().From(cfg.From); err != nil {
		return nil, fmt.Errorf("email: From address %q: %w", cfg.From, err)
	}
	if _, err := s.client(context.Background()); err != nil {
		return nil, err
	}
	return s, nil
}

// MessageID returns the Message-ID (without angle brackets) of a delivery:
// the same for every attempt, so a resend can be recognised.
func (s *Sender) MessageID(deliveryID string) string {
	sum := sha256.Sum256([]byte(deliveryID))
	return hex.EncodeToString(sum[:16]) + "@" + s.cfg.MessageIDDomain
}

// Send mails the comm to the delivery's address. The Result's Ref is the
// Message-ID.
//
// It takes an idle connection when there is one. A reused connection that
// turns out broken before MAIL FROM (the server closed it meanwhile) costs
// one more try on a fresh connection, so a dead idle connection alone never
// fails a message; every other failure is classified as on a fresh
// connection.
func (s *Sender) Send(ctx context.Context, m channels.Message) (channels.Result, error) {
	c, err := s.client(ctx)
	if err != nil {
		return channels.Result{}, &channels.Error{Class: channels.Permanent, Err: err, Message: "Herald's e-mail settings are invalid: ask the Herald operator."}
	}
	ref := channels.Result{Ref: "<" + s.MessageID(m.Delivery.ID) + ">"}
	for fresh := false; ; fresh = true {
		msg, err := s.message(m)
		if err != nil {
			return channels.Result{}, err
		}
		var pc *conn
		if !fresh {
			pc = s.pool.get()
		}
		reused := pc != nil
		if !reused {
			sc, err := c.DialToSMTPClientWithContext(ctx)
			if err != nil {
				return channels.Result{}, s.dialError(err)
			}
			pc = &conn{sc: sc}
		}
		pc.sent++
		err = c.SendWithSMTPClient(pc.sc, msg)
		if err == nil && msg.IsDelivered() {
			s.pool.put(pc)
		} else {
			// After the answer to DATA, QUIT changes nothing; a connection
			// that saw an error is not trusted with the next message.
			quit(pc)
		}
		if msg.IsDelivered() {
			return ref, nil
		}
		if reused && brokenBeforeMail(err) {
			continue
		}
		return channels.Result{}, s.sendError(err, m.Delivery.Target)
	}
}

// Close closes the connections kept for reuse; a send under way closes its
// own when it ends. The Sender still works after Close, without reuse.
func (s *Sender) Close() error {
	s.pool.close()
	return nil
}

// Reconcile reports an ambiguously sent message as found: see the package
// documentation (limits.md §8.3, at most once).
func (s *Sender) Reconcile(_ context.Context, m channels.Message) (channels.Result, bool, error) {
	return channels.Result{Ref: "<" + s.MessageID(m.Delivery.ID) + ">"}, true, nil
}

func (s *Sender) message(m channels.Message) (*mail.Msg, error) {
	r := m.Rendered.Email
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return nil, &channels.Error{Class: channels.Permanent, Err: err,
			Message: "Herald's sender address is invalid: ask the Herald operator to fix SMTP_FROM."}
	}
	if err := msg.To(m.Delivery.Target); err != nil {
		return nil, &channels.Error{Class: channels.Permanent, Err: err,
			Message: fmt.Sprintf("%q is not a valid e-mail address.", m.Delivery.Target)}
	}
	msg.Subject(r.Subject)
	msg.SetMessageIDWithValue(s.MessageID(m.Delivery.ID))
	msg.SetDate()
	msg.SetGenHeader("X-Herald-Incident", m.Delivery.IncidentID)
	msg.SetGenHeader("X-Herald-Comm", m.Delivery.CommID)
	msg.SetBodyString(mail.TypeTextPlain, r.Text)
	if r.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, r.HTML)
	}
	return msg, nil
}

// client builds a go-mail client whose per-command timeout fits ctx.
func (s *Sender) client(ctx context.Context) (*mail.Client, error) {
	timeout := s.cfg.Timeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(min(timeout, time.Until(dl)), time.Millisecond)
	}
	opts := []mail.Option{mail.WithPort(s.cfg.Port), mail.WithTimeout(timeout)}
	switch s.cfg.TLS {
	case TLS:
		opts = append(opts, mail.WithSSL())
	case NoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case StartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		return nil, fmt.Errorf("email: unknown TLS mode %q (use starttls, tls or none)", s.cfg.TLS)
	}
	if s.cfg.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(s.cfg.TLSConfig))
	}
	if s.cfg.HELO != "" {
		opts = append(opts, mail.WithHELO(s.cfg.HELO))
	}
	if s.cfg.Username != "" {
		auth := map[Auth]mail.SMTPAuthType{AuthPlain: mail.SMTPAuthPlain, AuthLogin: mail.SMTPAuthLogin}[s.cfg.Auth]
		if s.cfg.TLS == NoTLS {
			auth = map[Auth]mail.SMTPAuthType{AuthPlain: mail.SMTPAuthPlainNoEnc, AuthLogin: mail.SMTPAuthLoginNoEnc}[s.cfg.Auth]
		}
		if auth == "" {
			return nil, fmt.Errorf("email: unknown auth mechanism %q (use plain or login)", s.cfg.Auth)
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	return mail.NewClient(s.cfg.Host, opts...)
}
