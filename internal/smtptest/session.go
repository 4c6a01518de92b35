package smtptest

import (
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

var (
	errTempFail = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary local problem, try again later"}
	// errAuthRequired is RFC 4954's reply; go-smtp's own ErrAuthRequired is 502.
	errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	errBadAuth      = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
	errDropped      = errors.New("smtptest: connection dropped mid-DATA")
)

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

// session is one SMTP connection's transaction state.
type session struct {
	s        *Server
	conn     *smtp.Conn
	authUser string
	from     string
	to       []string
}

func (ss *session) AuthMechanisms() []string {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.authUser == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		ss.s.mu.Lock()
		defer ss.s.mu.Unlock()
		if ss.s.authUser == "" || user != ss.s.authUser || pass != ss.s.authPass {
			return errBadAuth
		}
		ss.authUser = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.authUser != "" && ss.authUser == "" {
		return errAuthRequired
	}
	if ss.s.tempFail > 0 {
		ss.s.tempFail--
		return errTempFail
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if e, ok := ss.s.rejects[strings.ToLower(to)]; ok {
		return e
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	ss.s.mu.Lock()
	drop, hang := ss.s.dropNext > 0, ss.s.hangNext > 0 && ss.s.dropNext == 0
	if drop {
		ss.s.dropNext--
	} else if hang {
		ss.s.hangNext--
	}
	ss.s.mu.Unlock()

	if drop {
		_, _ = io.CopyN(io.Discard, r, 16)
		resetConn(ss.conn.Conn())
		return errDropped
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err // e.g. 552 5.3.4 past SetMaxMessageBytes
	}
	if hang {
		<-ss.s.done
		return errTempFail
	}
	m, err := parse(data)
	if err != nil {
		ss.s.errorf("smtptest: message from %s does not parse: %v", ss.from, err)
	}
	m.From, m.To, m.Data, m.AuthUser, m.ReceivedAt = ss.from, append([]string(nil), ss.to...), data, ss.authUser, time.Now()
	_, m.TLS = ss.conn.TLSConnectionState()
	ss.s.mu.Lock()
	ss.s.messages = append(ss.s.messages, m)
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset() {
	ss.from, ss.to = "", nil
}

func (ss *session) Logout() error { return nil }

// resetConn closes c with a TCP RST, under TLS too.
func resetConn(c net.Conn) {
	raw := c
	if nc, ok := c.(interface{ NetConn() net.Conn }); ok {
		raw = nc.NetConn()
	}
	if tc, ok := raw.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = raw.Close()
}
