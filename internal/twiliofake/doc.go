// Package twiliofake is a strict, in-process stand-in for Twilio's Programmable
// Messaging REST API (POST /2010-04-01/Accounts/{sid}/Messages.json), for tests.
//
// A Fake is a real HTTP server on 127.0.0.1. It checks Basic auth and the form
// fields the way Twilio does, answers with Twilio's message resource or with
// Twilio's error body ({"code","message","more_info","status"}), queues
// accepted messages per sender at a configurable segments-per-second rate, and
// can inject the failures a sender must survive: 5xx, 429/20429 with
// Retry-After, requests that hang, and connection resets.
//
// Requests the fake does not model fail the test that created it. Point the
// code under test at URL (Twilio's host is fixed in twilio-go, so production
// code rewrites it in its http.RoundTripper) and authenticate with AccountSID
// and AuthToken, which are alphanumeric because twilio-go refuses anything else.
//
// Error codes, where they come from (https://www.twilio.com/docs/api/errors/<code>):
//
//	20003 401 bad Basic auth             21604 'To' missing
//	20404 404 unknown account or path    21609 StatusCallback not a URL
//	20429 429 too many requests          21610 recipient unsubscribed (switch)
//	20500 500 injected failure           21611 From queue full (10 h of segments)
//	21211 'To' not E.164 or switched     21614 'To' not a mobile number (switch)
//	21212 'From' not E.164 / sender ID   21617 Body over 1,600 characters
//	21602 Body missing                   21624 ValidityPeriod not 1..36,000
//	21603 neither From nor MessagingServiceSid
//
// As on Twilio, From and MessagingServiceSid may both be given (the number is
// then the sender inside the service), a message created with a Messaging
// Service starts "accepted" with from null and num_segments "0", and one created
// with From starts "queued".
package twiliofake
