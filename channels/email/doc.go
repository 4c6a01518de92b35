// Package email sends comms by SMTP with go-mail: one message per recipient
// (limits.md §4: failure isolation, exact resume, per-recipient results),
// as text with an HTML alternative, under a Message-ID derived from the
// delivery id, so a resend is recognisable (limits.md §8.15).
//
// Errors are classified for the dispatcher (limits.md §8.4): an SMTP 4xx
// answer and a connection that could not be made or broke before the end of
// the message are retryable (nothing was accepted); a 5xx answer is
// permanent; a timeout or a broken connection after the whole message was
// sent but before the server answered it is ambiguous. SMTP has no way to
// ask whether that message arrived, and limits.md §8.3 notes such a message
// is almost always delivered, so the Sender's Reconcile reports it found:
// the row becomes sent ("sent, unconfirmed", at most once) and is never
// mailed twice.
package email
