package email

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/wneessen/go-mail"

	"github.com/herald-comms/herald/channels"
)

// dialError classifies a failure to connect, greet, start TLS or
// authenticate. Nothing was sent, so it is retryable unless it is a
// configuration problem that retrying cannot fix.
func (s *Sender) dialError(err error) error {
	msg := err.Error()
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case channels.NotSent(err) || channels.Timeout(err):
		return &channels.Error{Class: channels.Retryable, Err: err}
	case strings.Contains(msg, "does not support STARTTLS"):
		return &channels.Error{Class: channels.Permanent, Err: err,
			Message: fmt.Sprintf("The mail server %s does not offer STARTTLS: ask the Herald operator to check SMTP_TLS.", s.cfg.Host)}
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr):
		return &channels.Error{Class: channels.Permanent, Err: err,
			Message: fmt.Sprintf("The mail server %s presented a certificate Herald does not trust: ask the Herald operator.", s.cfg.Host)}
	case strings.Contains(msg, "SMTP AUTH") || strings.Contains(msg, "authentication failed") || smtpCode(msg) == 535:
		return &channels.Error{Class: channels.Permanent, Err: err,
			Message: fmt.Sprintf("The mail server %s refused Herald's credentials: ask the Herald operator.", s.cfg.Host)}
	case smtpCode(msg) >= 500:
		return &channels.Error{Class: channels.Permanent, Err: err,
			Message: fmt.Sprintf("The mail server %s refused Herald: %s", s.cfg.Host, strings.ReplaceAll(msg, `"`, ""))}
	}
	return &channels.Error{Class: channels.Retryable, Err: err}
}

// sendError classifies a failure after the connection was set up.
func (s *Sender) sendError(err error, to string) error {
	if err == nil {
		// Not delivered and no error: go-mail skipped the message.
		return &channels.Error{Class: channels.Retryable, Err: errors.New("email: message not delivered")}
	}
	var se *mail.SendError
	if !errors.As(err, &se) {
		return channels.Classify(err)
	}
	code := se.ErrorCode()
	switch {
	case code >= 500:
		what := "the message"
		switch se.Reason {
		case mail.ErrSMTPRcptTo:
			what = to
		case mail.ErrSMTPMailFrom:
			what = "Herald's sender address " + s.cfg.From
		}
		return &channels.Error{Class: channels.Permanent, Err: err,
			Message: fmt.Sprintf("The mail server refused %s: %s", what, reply(se))}
	case code >= 400:
		return &channels.Error{Class: channels.Retryable, Err: err}
	case se.Reason == mail.ErrSMTPDataClose && timedOut(se):
		// The whole message went out and the server, busy with it, never
		// answered: most likely delivered (limits.md §8.3).
		return &channels.Error{Class: channels.Ambiguous, Err: err,
			Message: "The mail server did not confirm the message in time; it was most likely delivered."}
	}
	// A connection reset or closed before the server's answer: a server
	// that accepted the message answers 250 before it hangs up, so it
	// dropped this one. Sending again is right.
	return &channels.Error{Class: channels.Retryable, Err: err}
}

// reply returns the server's answer ("550 5.1.1 no such user") out of
// go-mail's error text.
func reply(se *mail.SendError) string {
	msg := strings.TrimPrefix(se.Error(), se.Reason.String()+": ")
	msg, _, _ = strings.Cut(msg, ", affected ")
	return strings.ReplaceAll(msg, `"`, "")
}

// replyCode finds a reply code where go-mail puts one: at the start of the
// text or after ": ", followed by a space ("535 5.7.8 …").
var replyCode = regexp.MustCompile(`(?:^|: )([2-5][0-9][0-9]) `)

// smtpCode returns the first SMTP reply code in an error text, or 0.
func smtpCode(msg string) int {
	m := replyCode.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// timedOut reports whether a send error was a timeout; go-mail keeps the
// cause only as text.
func timedOut(se *mail.SendError) bool {
	msg := se.Error()
	return strings.Contains(msg, "i/o timeout") || strings.Contains(msg, "deadline exceeded")
}
