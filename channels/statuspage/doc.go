// Package statuspage publishes external comms to an Atlassian Statuspage
// page with plain net/http (recipes.md §5): the first comm of a Herald
// incident creates a Statuspage incident, later comms update it, and every
// create or update carries metadata {"herald": {"incident": …, "comm": …}}.
//
// Statuspage has no idempotency key (limits.md §3), so the metadata is what
// keeps one Herald incident to one Statuspage incident: before creating, the
// Sender searches the page for an incident whose metadata names the Herald
// incident and updates that one instead, and Reconcile looks for the comm's
// id in the metadata after an ambiguous create or update.
//
// Every request waits on one token bucket per API key (1 request/s, the
// documented limit; Config.Limiter lets the app share it with other users
// of the key), since a create costs a search and a POST. 420 and 429 are
// retryable after Retry-After; 401, 404 and 422 are permanent with a
// readable message; 5xx answers and timeouts are ambiguous.
package statuspage
