// Package statuspagefake is a strict, in-process stand-in for the Atlassian
// Statuspage REST API v1 (https://api.statuspage.io/v1), for tests.
//
// A Fake is a real HTTP server on 127.0.0.1 serving one page:
//
//	GET   /v1/pages/{page}/incidents?q=&limit=&page=   newest first
//	POST  /v1/pages/{page}/incidents                   {"incident":{...}}
//	GET   /v1/pages/{page}/incidents/unresolved
//	GET   /v1/pages/{page}/incidents/{id}
//	PATCH /v1/pages/{page}/incidents/{id}              adds an incident update
//	GET   /v1/pages/{page}/components
//
// It checks "Authorization: OAuth <key>" (401), the page (404), the incident
// fields and their limits (422: name ≤ 255, body ≤ 25,000, realtime statuses
// only, impact_override, component statuses, metadata whose top-level values are
// objects) and a per-key token bucket of 1 request/s (429 with Retry-After).
// Every error body has Statuspage's shape {"error": "<text>"}.
//
// Anything it does not model (other routes, form bodies, unknown JSON fields
// such as scheduled-maintenance ones, unknown query parameters) fails the test
// that created the fake. Fault switches inject 5xx, 429, hangs and resets.
package statuspagefake
