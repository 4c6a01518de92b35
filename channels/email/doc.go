// Package email sends comms by SMTP with go-mail: one message per recipient
// (limits.md §4: failure isolation, exact resume, per-recipient results),
// as text with an HTML alternative, under a Message-ID derived from the
// delivery id, so a resend is recognisable (limits.md §8.15).
//
// Errors are classified for the dispatcher (limits.md §8.4): an SMTP 4xx
// answer, a connection that could not be made, and a connection reset or
// closed before the server answered the message are retryable (a server
// that accepted a message says 250 before it hangs up); a 5xx answer is
// permanent, with the server's reply in the author's message; a timeout
// after the whole message was sent, waiting for that answer, is ambiguous.
// SMTP has no way to ask whether that message arrived, and limits.md §8.3
// notes such a message is almost always delivered, so the Sender's Reconcile
// reports it found: the row becomes sent ("sent, unconfirmed": at most once)
// and is never mailed twice.
//
// Connections are reused: a send takes an idle connection when there is one
// and puts it back after a message it carried without error, so a comm to
// 300 addresses costs a handful of TCP, TLS and AUTH handshakes, not 300. A
// connection is closed after any error, after Config.MaxConnMessages
// messages, or after Config.ConnIdle unused. Reuse changes no message's
// classification, with one exception that only spares a failure: a reused
// connection found dead before MAIL FROM (the server closed it meanwhile)
// costs one more try on a fresh connection, since nothing was sent.
package email
