// Package sms sends comms as SMS through Twilio's Messages API, using only
// twilio-go's rest/api/v2010 package (recipes.md §0: the root package costs
// about 32 s of build for 60 services Herald does not use).
//
// twilio-go's host is fixed, so the Sender's http.RoundTripper rewrites it
// to Config.BaseURL when set (recipes.md §2); the same RoundTripper attaches
// the call's context (twilio-go builds requests without one) and records the
// HTTP status and Retry-After, which twilio-go does not expose.
//
// Errors are classified for the dispatcher (limits.md §2.4): 21211 (invalid
// number), 21610 (opted out), 21614 (not a mobile), 21408 (region not
// enabled) and 21635 (landline) are permanent with a message naming the
// number; 20429 / HTTP 429 ("never processed and always safe to retry") and
// 21611 (the sender's queue is full) are retryable after the wait and pause
// the lane; 5xx answers, resets and timeouts are ambiguous.
//
// Twilio has no idempotency key (limits.md §2.6). The Sender does not
// implement channels.Reconciler: the Messages list lookup that could find an
// earlier attempt is not modelled by the test fake (internal/twiliofake
// serves only the create), so an ambiguous send is sent again — at least
// once. A Twilio 5xx or reset normally means the message was not created;
// the rare duplicate SMS is preferred to a lost incident update.
package sms
