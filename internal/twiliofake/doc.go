// Package twiliofake is a strict, in-process stand-in for Twilio's Programmable
// Messaging REST API, for tests: the create (POST
// /2010-04-01/Accounts/{sid}/Messages.json) and the list (GET on the same
// path), which is how a sender finds out whether an ambiguous create arrived
// (limits.md §2.6).
//
// A Fake is a real HTTP server on 127.0.0.1. It checks Basic auth and the form
// fields the way Twilio does, answers with Twilio's message resource or with
// Twilio's error body ({"code","message","more_info","status"}), queues
// accepted messages per sender at a configurable segments-per-second rate, and
// can inject the failures a sender must survive: 5xx, 429/20429 with
// Retry-After, requests that hang, connection resets before the request is
// served, and resets after it was (the create happened, the answer is lost).
//
// The list filters on To, From, DateSent, DateSent< and DateSent> (on or
// before, on or after; the query reads "DateSent<=2024-05-01"). Date filters
// take YYYY-MM-DD or an RFC 3339 time, which twilio-go sends, and compare UTC
// days only, as Twilio does; they look at date_sent, or at date_created while a
// message is unsent. Messages come newest first by date_created, PageSize
// (default 50, at most 1,000) to a page, and pages are followed through
// next_page_uri, which carries Page and a PageToken ("PA" and the last SID).
//
// Requests the fake does not model fail the test that created it. Point the
// code under test at URL (Twilio's host is fixed in twilio-go, so production
// code rewrites it in its http.RoundTripper) and authenticate with AccountSID
// and AuthToken, which are alphanumeric because twilio-go refuses anything else.
//
// Error codes, where they come from (https://www.twilio.com/docs/api/errors/<code>):
//
//	20001 400 bad list query value       21603 neither From nor MessagingServiceSid
//	20003 401 bad Basic auth             21604 'To' missing
//	20404 404 unknown account or path    21609 StatusCallback not a URL
//	20429 429 too many requests          21610 recipient unsubscribed (switch)
//	20500 500 injected failure           21611 From queue full (10 h of segments)
//	21211 'To' not E.164 or switched     21614 'To' not a mobile number (switch)
//	21212 'From' not E.164 / sender ID   21617 Body over 1,600 characters
//	21602 Body missing                   21624 ValidityPeriod not 1..36,000
//
// As on Twilio, From and MessagingServiceSid may both be given (the number is
// then the sender inside the service), a message created with a Messaging
// Service starts "accepted" with from null and num_segments "0", and one created
// with From starts "queued".
package twiliofake
