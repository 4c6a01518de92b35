// Package channels delivers comms: a Dispatcher drains the outbox of delivery
// rows (comms.Delivery) that comms.Service.Send queues, and turns each row
// into a Slack message, an e-mail, an SMS or a Statuspage update through the
// Sender of its medium (see the slack, email, sms and statuspage
// subpackages).
//
// Each medium is an independent lane with its own token-bucket limiter and
// concurrency, sized from the provider's documented limit (DefaultLane), so
// a slow lane (SMS at one segment a second) never holds up the others
// (DESIGN.md §4, limits.md §7).
//
// A row moves through durable states around every provider call (limits.md
// §8.2): it is claimed (pending → sending, with a deadline) right before the
// call, once the lane's limiter has granted its turn, and its outcome is
// written after it, never inside a database transaction (so a row is in
// sending only when its call may have reached the provider). The outcomes:
//
//   - sent, with the provider's reference;
//   - failed_temp, retried at NotBefore with exponential backoff and jitter,
//     or after the provider's Retry-After;
//   - failed_perm, with a message fit for the comm's author;
//   - unknown, when the provider may or may not have acted (a timeout, a
//     5xx). An unknown row is reconciled before any resend: a Sender that
//     implements Reconciler is asked whether the earlier attempt arrived.
//
// Senders classify their failures by returning *Error with a Class
// (Retryable, Ambiguous, Permanent). A rate-limit answer (an Error with
// RetryAfter) pauses the whole lane, not only the row. Attempts are capped
// (Lane.MaxAttempts) and so is time (Delivery.GiveUpAt): a row that runs out
// of either becomes failed_perm, "gave up after N attempts: …".
//
// Rows left in sending by a previous run (a crash, a restart) become unknown
// when Run starts, so they are reconciled, never blindly resent; so do rows
// whose outcome this run could not write, once their deadline has passed
// (no worker of this run is still on them).
//
// A medium without a Sender (not configured on this Herald, say SMS without
// Twilio credentials) still has a lane, which fails its due rows with a
// message that says so: they would never leave, and their comm would never
// finish. Hooks.Finished is called for a comm when its rows become final,
// and when the app asks (Dispatcher.Finish).
//
// channels imports comms and the providers' client libraries, never the
// store: the Queue interface is what it needs of the outbox.
package channels
