package channels

import (
	"context"
	"time"

	"github.com/herald-comms/herald/comms"
)

// Queue is the outbox the Dispatcher drains; *store.DB satisfies it.
type Queue interface {
	// Due returns up to limit rows of medium that are pending, failed_temp
	// or unknown with NotBefore ≤ now, ordered by due time.
	Due(ctx context.Context, medium comms.Medium, now time.Time, limit int) ([]comms.Delivery, error)
	// NextDue returns the earliest NotBefore of medium's due rows; false
	// when there is none.
	NextDue(ctx context.Context, medium comms.Medium) (time.Time, bool, error)
	// Claim moves a due row to sending with the given deadline and counts an
	// attempt; false when the row is no longer claimable (superseded, taken,
	// final).
	Claim(ctx context.Context, id string, now, deadline time.Time) (comms.Delivery, bool, error)
	// UpdateDelivery runs fn on a fresh copy of the row and stores it.
	UpdateDelivery(ctx context.Context, id string, fn func(*comms.Delivery) error) (comms.Delivery, error)
	// Sending returns the rows in sending: at start those a previous run
	// left, while running those whose outcome could not be written.
	Sending(ctx context.Context) ([]comms.Delivery, error)
	// Comm returns one comm.
	Comm(ctx context.Context, id string) (comms.Comm, error)
	// Incident returns one incident.
	Incident(ctx context.Context, id string) (comms.Incident, error)
}

// Hooks are what the app does when deliveries progress. Either may be nil.
type Hooks struct {
	// Finished is called after a row of the comm became final (sent or
	// failed_perm). The app wires it to comms.Service.Finish, which completes
	// the comm once every row is final, and refreshes the pinned summary and
	// the delivery report. Calls are coalesced: a comm whose rows finish in a
	// burst is reported once per burst, and always once after its last row.
	// Calls for one comm never overlap; calls for different comms may (a few
	// at once), so one slow report does not hold up the others.
	// Dispatcher.Finish asks for a call through the same path.
	Finished func(ctx context.Context, commID string) error
	// StatuspageIncident is called when a Statuspage send created (or found)
	// the Statuspage incident of incidentID, before the row is marked sent.
	// The app wires it to comms.Service.AttachStatuspage.
	StatuspageIncident func(ctx context.Context, incidentID, statuspageID, shortlink string) error
}
