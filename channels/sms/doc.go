// Package sms sends comms as SMS through Twilio's Messages API, using only
// twilio-go's rest/api/v2010 package (recipes.md §0: the root package costs
// about 32 s of build for 60 services Herald does not use).
//
// twilio-go's host is fixed, so the Sender's http.RoundTripper rewrites it
// to Config.BaseURL when set (recipes.md §2); the same RoundTripper attaches
// the call's context (twilio-go builds requests without one), records the
// HTTP status and Retry-After, which twilio-go does not expose, and hands
// twilio-go a copy of every error body, which v1.31.0 never closes.
//
// Errors are classified for the dispatcher (limits.md §2.4): 21211 (invalid
// number), 21610 (opted out), 21614 (not a mobile), 21408 (region not
// enabled) and 21635 (landline) are permanent with a message naming the
// number; 20429 / HTTP 429 ("never processed and always safe to retry") and
// 21611 (the sender's queue is full) are retryable after the wait and pause
// the lane; 5xx answers, resets and timeouts are ambiguous.
//
// Twilio has no idempotency key (limits.md §2.6), so the Sender implements
// channels.Reconciler: before the dispatcher resends a row whose send was
// ambiguous, or one a crash left in sending, Reconcile reads Twilio's Messages
// list for a text to the same number, from Herald's From (or through its
// Messaging Service), with exactly the body Send sends, created since the
// delivery was (less a minute of clock skew). Found, the row is sent with that
// SID and nobody gets the text twice; not found, it is sent again. At most two
// pages of 100 are read; a list too long to tell, or a failed lookup, leaves
// the row unknown until the dispatcher's attempt cap or deadline ends it.
//
// What the lookup cannot see: a Messaging Service that rewrites bodies (Smart
// Encoding, appended opt-out text) makes Herald's text unrecognisable, and
// Twilio's list may lag a create by a moment, so a lookup right after the
// ambiguous call can miss it. Either ends in the duplicate the lookup exists
// to avoid, never in a lost update. The date filter is Twilio's day-granular
// DateSent>=, which the test fake applies to date_created while a text is
// still queued; that Twilio does the same for unsent texts is not verified.
package sms
