// Package statuspage publishes external comms to an Atlassian Statuspage
// page with plain net/http (recipes.md §5). A comm updates the Statuspage
// incident its author chose, or creates a new one when the author asked for
// it ("Create a new Statuspage incident instead"), or else updates the one
// attached to the Herald incident (creating it for the incident's first
// comm). Every create or update carries metadata
// {"herald": {"incident": …, "comm": …}}.
//
// Statuspage has no idempotency key (limits.md §3), so the metadata is what
// keeps a create from being made twice: before creating, the Sender searches
// the page for an incident whose metadata names the comm (for a comm that
// asked for a new incident) or the Herald incident (otherwise) and returns
// or updates that one instead. Reconcile looks for the comm's id in the
// metadata after an ambiguous create or update, and takes a newer comm of
// the same Herald incident there as found, so an older status is never
// published after a newer one.
//
// Every request waits on one token bucket per API key (DefaultLimit, just
// under the documented 1 request/s; Config.Limiter lets the app share it
// with other users of the key, such as the comm modal's Search), since a
// create costs a search and a POST. A request waits for the bucket no longer
// than its context allows. 420 and 429 are retryable after Retry-After;
// 401, 404 and 422 are permanent with a readable message; 5xx answers and
// timeouts are ambiguous.
package statuspage
