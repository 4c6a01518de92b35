package smtptest

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Server is a running SMTP server. Its methods are safe for concurrent use.
type Server struct {
	tb   testing.TB
	srv  *smtp.Server
	addr *net.TCPAddr
	done chan struct{}

	// cfgMu orders writes to srv's configuration before every later accepted
	// connection (see gatedListener).
	cfgMu sync.Mutex

	mu       sync.Mutex
	messages []Message
	rejects  map[string]*smtp.SMTPError
	tempFail int
	authUser string
	authPass string
	hangNext int
	dropNext int
}

// New starts a plain SMTP server on 127.0.0.1 and stops it when tb's test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	return start(tb, false)
}

// NewTLS starts a server that speaks TLS from the first byte (SMTPS, as on
// port 465), with the same self-signed certificate STARTTLS uses.
func NewTLS(tb testing.TB) *Server {
	tb.Helper()
	return start(tb, true)
}

func start(tb testing.TB, implicitTLS bool) *Server {
	tb.Helper()
	s := &Server{
		tb:      tb,
		done:    make(chan struct{}),
		rejects: map[string]*smtp.SMTPError{},
	}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true // AUTH PLAIN over plain connections, for tests
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0)

	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = inner.Addr().(*net.TCPAddr)
	var ln net.Listener = &gatedListener{Listener: inner, gate: &s.cfgMu}
	if implicitTLS {
		s.srv.TLSConfig = serverTLSConfig(tb)
		ln = tls.NewListener(ln, s.srv.TLSConfig)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = s.srv.Serve(ln)
	}()
	tb.Cleanup(func() {
		close(s.done) // frees sessions held by HangNext
		_ = s.srv.Close()
		// Close only closes listeners Serve has registered; if the test ends
		// before Serve got that far, closing ours makes Serve return.
		_ = inner.Close()
		<-served
	})
	return s
}

// Host returns the address to dial: "127.0.0.1".
func (s *Server) Host() string { return s.addr.IP.String() }

// Port returns the port the server listens on.
func (s *Server) Port() int { return s.addr.Port }

// Addr returns "127.0.0.1:port".
func (s *Server) Addr() string { return s.addr.String() }

// EnableSTARTTLS makes the server offer STARTTLS with its self-signed
// certificate. Call it before the client connects.
func (s *Server) EnableSTARTTLS() {
	cfg := serverTLSConfig(s.tb)
	s.cfgMu.Lock()
	defer s.cfgMu.Unlock()
	s.srv.TLSConfig = cfg
}

// SetMaxMessageBytes caps message size; the server advertises SIZE n and
// answers larger messages with 552 5.3.4. Call it before the client connects.
func (s *Server) SetMaxMessageBytes(n int64) {
	s.cfgMu.Lock()
	defer s.cfgMu.Unlock()
	s.srv.MaxMessageBytes = n
}

// gatedListener takes gate after each Accept, so configuration written under
// gate happens before the connection's goroutine reads it.
type gatedListener struct {
	net.Listener
	gate *sync.Mutex
}

func (l *gatedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	l.gate.Lock()
	defer l.gate.Unlock()
	return c, err
}

// errorf fails the test, unless it has already ended.
func (s *Server) errorf(format string, args ...any) {
	select {
	case <-s.done:
	default:
		s.tb.Errorf(format, args...)
	}
}
