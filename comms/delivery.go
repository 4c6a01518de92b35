package comms

import "time"

// DeliveryState is where one delivery is (DESIGN.md §2).
type DeliveryState string

// The delivery states. Sent, FailedPerm and Superseded are final.
const (
	DeliveryPending    DeliveryState = "pending"
	DeliverySending    DeliveryState = "sending"
	DeliverySent       DeliveryState = "sent"
	DeliveryFailedTemp DeliveryState = "failed_temp" // retried at NotBefore
	DeliveryFailedPerm DeliveryState = "failed_perm"
	DeliveryUnknown    DeliveryState = "unknown"    // outcome unknown; reconciled before any resend
	DeliverySuperseded DeliveryState = "superseded" // a newer comm to the same target replaced it
	DeliveryCancelled  DeliveryState = "cancelled"  // its scheduled comm was cancelled before it went out
)

// Final reports whether the delivery will not change again by itself.
func (s DeliveryState) Final() bool {
	return s == DeliverySent || s == DeliveryFailedPerm || s == DeliverySuperseded || s == DeliveryCancelled
}

// StatuspageTargetKey is the target of every Statuspage delivery: an
// incident has one Statuspage incident.
const StatuspageTargetKey = "incident"

// Delivery is one (comm, medium, target) row of the outbox.
type Delivery struct {
	ID           string        `json:"id"` // <comm id>/<medium>/<target>
	CommID       string        `json:"comm_id"`
	IncidentID   string        `json:"incident_id"`
	Medium       Medium        `json:"medium"`
	Target       string        `json:"target"` // channel id, e-mail address, E.164 number or StatuspageTargetKey
	TargetName   string        `json:"target_name,omitempty"`
	State        DeliveryState `json:"state"`
	Attempts     int           `json:"attempts"`
	NotBefore    time.Time     `json:"not_before"`          // due time: scheduled send or next retry
	Deadline     time.Time     `json:"deadline,omitzero"`   // while sending: when the attempt is presumed lost
	GiveUpAt     time.Time     `json:"give_up_at,omitzero"` // the comm's delivery deadline
	LastError    string        `json:"last_error,omitempty"`
	ProviderRef  string        `json:"provider_ref,omitempty"` // Slack ts, Twilio SID, Message-ID, Statuspage update id
	SupersededBy string        `json:"superseded_by,omitempty"`
	Unconfirmed  bool          `json:"unconfirmed,omitempty"` // failed, but the last attempt may have arrived
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
	SentAt       time.Time     `json:"sent_at,omitzero"`
}

// DeliveryID returns the deterministic id of a comm's delivery to target.
func DeliveryID(commID string, m Medium, target string) string {
	return commID + "/" + string(m) + "/" + target
}

// SupersedeKey identifies the target across comms of one incident: a newer
// comm's pending row with the same key replaces an older one.
func (d *Delivery) SupersedeKey() string {
	return d.IncidentID + "/" + string(d.Medium) + "/" + d.Target
}

// Deliveries builds the outbox rows for a comm being sent, due at notBefore.
func Deliveries(c *Comm, now, notBefore, giveUpAt time.Time) []Delivery {
	var out []Delivery
	add := func(m Medium, target, name string) {
		out = append(out, Delivery{
			ID: DeliveryID(c.ID, m, target), CommID: c.ID, IncidentID: c.IncidentID,
			Medium: m, Target: target, TargetName: name, State: DeliveryPending,
			NotBefore: notBefore, GiveUpAt: giveUpAt, CreatedAt: now, UpdatedAt: now,
		})
	}
	r := c.Recipients
	for _, ch := range r.Channels {
		add(MediumSlack, ch, "")
	}
	for _, e := range r.Emails {
		add(MediumEmail, e, "")
	}
	for _, p := range r.SMS {
		add(MediumSMS, p.Phone, p.Name)
	}
	if r.Statuspage != nil {
		add(MediumStatuspage, StatuspageTargetKey, "")
	}
	return out
}

// Counts are the deliveries of one medium by outcome.
type Counts struct {
	Sent       int `json:"sent"`
	Failed     int `json:"failed"`
	Pending    int `json:"pending"`
	Superseded int `json:"superseded,omitempty"`
	Cancelled  int `json:"cancelled,omitempty"`
}

// CountDeliveries counts deliveries per medium.
func CountDeliveries(ds []Delivery) map[Medium]Counts {
	out := map[Medium]Counts{}
	for _, d := range ds {
		c := out[d.Medium]
		switch d.State {
		case DeliverySent:
			c.Sent++
		case DeliveryFailedPerm:
			c.Failed++
		case DeliverySuperseded:
			c.Superseded++
		case DeliveryCancelled:
			c.Cancelled++
		default:
			c.Pending++
		}
		out[d.Medium] = c
	}
	return out
}
