package comms

import "context"

// Store keeps everything Herald knows. Each Create/Update runs fn inside one
// write transaction with fresh copies of the records, then saves what fn
// left in the change (including timeline entries and deliveries) atomically.
// fn must not do I/O: it runs under the database's write lock.
type Store interface {
	CreateIncident(ctx context.Context, fn func(*IncidentChange) error) (Incident, error)
	UpdateIncident(ctx context.Context, id string, fn func(*IncidentChange) error) (Incident, error)
	Incident(ctx context.Context, id string) (Incident, error)
	IncidentByChannel(ctx context.Context, channelID string) (Incident, error)
	Incidents(ctx context.Context) ([]Incident, error)

	CreateComm(ctx context.Context, incidentID string, fn func(*CommChange) error) (Comm, error)
	UpdateComm(ctx context.Context, id string, fn func(*CommChange) error) (Comm, error)
	Comm(ctx context.Context, id string) (Comm, error)
	Comms(ctx context.Context, incidentID string) ([]Comm, error)
	Deliveries(ctx context.Context, commID string) ([]Delivery, error)

	Timeline(ctx context.Context, incidentID string) ([]TimelineEntry, error)
}

// IncidentChange is what a Store's incident transaction hands to fn. For
// CreateIncident the Incident already has its ID and Number.
type IncidentChange struct {
	Incident *Incident
	Entries  []TimelineEntry // appended to the timeline, sealed by the store
}

// CommChange is what a Store's comm transaction hands to fn. For CreateComm
// the Comm already has its ID and IncidentID. Deliveries are the comm's
// existing rows: fn may change them and the store writes them back.
// NewDeliveries are inserted, and each older row of the same incident with
// the same SupersedeKey that has not been sent (pending or failed_temp)
// becomes superseded; the store then lists those rows' comms in Superseded.
type CommChange struct {
	Incident      *Incident
	Comm          *Comm
	Deliveries    []Delivery
	NewDeliveries []Delivery
	Entries       []TimelineEntry
	Superseded    []string // out: comm ids whose rows NewDeliveries superseded
}
