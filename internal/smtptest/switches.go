package smtptest

import (
	"strconv"
	"strings"

	"github.com/emersion/go-smtp"
)

// RejectRecipient makes RCPT TO for addr fail with code and msg, such as
// RejectRecipient("nobody@example.com", 550, "5.1.1 no such user"). A leading
// "x.y.z " in msg becomes the enhanced status code. Code 0 clears the switch.
func (s *Server) RejectRecipient(addr string, code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(addr)
	if code == 0 {
		delete(s.rejects, key)
		return
	}
	s.rejects[key] = smtpError(code, msg)
}

// TempFailNext makes the next n transactions fail at MAIL FROM with
// "451 4.3.0", as a greylisting or overloaded server does.
func (s *Server) TempFailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tempFail = n
}

// RequireAuth makes the server offer AUTH PLAIN and refuse MAIL FROM with
// "530 5.7.0" until a client authenticates as user with pass; wrong
// credentials get "535 5.7.8". Plain-text AUTH is allowed, for tests.
func (s *Server) RequireAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authUser, s.authPass = user, pass
}

// HangNext makes the next n messages get no answer after their DATA is sent,
// until the test ends, so the client's timeout is what ends the exchange.
func (s *Server) HangNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangNext = n
}

// DropNext makes the server reset the connection partway through the DATA of
// the next n messages; none of them is stored.
func (s *Server) DropNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropNext = n
}

// smtpError builds a reply, taking an enhanced code from msg's first word.
func smtpError(code int, msg string) *smtp.SMTPError {
	e := &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
	first, rest, ok := strings.Cut(msg, " ")
	parts := strings.Split(first, ".")
	if !ok || len(parts) != 3 {
		return e
	}
	var ec smtp.EnhancedCode
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return e
		}
		ec[i] = n
	}
	e.EnhancedCode, e.Message = ec, rest
	return e
}
