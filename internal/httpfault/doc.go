// Package httpfault holds the fault switches that Herald's fake vendor
// servers (twiliofake, statuspagefake) share: 5xx answers at a rate or for
// the next n requests, 429 with Retry-After for the next n, requests that
// hang until released, the client gives up or the server stops, and TCP
// resets before a request is served or after it was.
//
// A fake keeps one Faults, calls Take once per request inside its own
// bookkeeping, and hands the request and the Fault to a Provider, which
// writes the provider's own error bodies and passes what no fault stopped
// on to the fake's handler.
package httpfault
