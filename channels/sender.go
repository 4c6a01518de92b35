package channels

import (
	"context"

	"github.com/herald-comms/herald/comms"
)

// Message is everything a Sender needs for one delivery: the claimed row,
// its comm and incident, and the comm rendered for every medium right before
// sending (comms.Render), so a sender sends exactly what Preview showed.
type Message struct {
	Delivery comms.Delivery
	Comm     comms.Comm
	Incident comms.Incident
	Rendered comms.Rendered
}

// Result is what a provider said about a message it accepted.
type Result struct {
	// Ref is the provider's reference: the Slack ts, the Twilio SID, the
	// e-mail Message-ID or the Statuspage incident update id.
	Ref string
	// StatuspageIncidentID and Shortlink are set by the Statuspage sender
	// when it created (or found) the Statuspage incident, so the dispatcher
	// can attach it to the Herald incident (Hooks.StatuspageIncident).
	StatuspageIncidentID string
	Shortlink            string
}

// Sender hands one message to one provider. Failures should be *Error so the
// dispatcher can tell a retry from a reconciliation from a refusal; any
// other error is classified by Classify.
type Sender interface {
	Send(ctx context.Context, m Message) (Result, error)
}

// Reconciler is implemented by senders that can tell whether an earlier,
// ambiguous attempt of m reached the provider. The dispatcher asks it before
// it resends an unknown row: found means the earlier attempt arrived (the
// row becomes sent with the Result), not found means it is sent again.
// Found also covers "sending again would do harm": the Statuspage sender
// answers found when a newer comm already updated the incident.
type Reconciler interface {
	Reconcile(ctx context.Context, m Message) (res Result, found bool, err error)
}
