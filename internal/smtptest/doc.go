// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp) on
// 127.0.0.1 for tests, with an inbox to assert on and switches that make it
// behave like a strict or failing mail provider.
//
//	s := smtptest.New(t)                 // plain SMTP; s.EnableSTARTTLS() adds STARTTLS
//	s := smtptest.NewTLS(t)              // implicit TLS (SMTPS)
//	s.Host(), s.Port()                   // where to send
//	s.Messages(), s.Inbox("a@b.example") // what arrived, parsed
//
// Switches answer the way real servers do: RejectRecipient (e.g. 550 5.1.1 at
// RCPT), TempFailNext (451 4.3.0 at MAIL), RequireAuth (530 5.7.0 before AUTH
// PLAIN, 535 5.7.8 on bad credentials), SetMaxMessageBytes (552 5.3.4), and the
// faults HangNext (no reply to DATA) and DropNext (connection reset mid-DATA).
//
// TLS uses a self-signed certificate for 127.0.0.1, ::1 and localhost;
// ClientTLSConfig and CertPool let the client trust it. A message that does not
// parse as RFC 5322 fails the test that created the server.
package smtptest
