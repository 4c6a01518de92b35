package comms

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Audience says who a comm is for. External comms need approval.
type Audience string

// The two audiences.
const (
	Internal Audience = "internal"
	External Audience = "external"
)

// ParseAudience accepts "internal" or "external" in any letter case.
func ParseAudience(s string) (Audience, error) {
	switch Audience(s) {
	case Internal, "Internal":
		return Internal, nil
	case External, "External":
		return External, nil
	}
	return "", Errorf(EINVALID, "Unknown audience %q: choose Internal or External.", s)
}

// Title returns the audience as shown to people.
func (a Audience) Title() string { return Status(a).Title() }

// CommState is where a comm is in its workflow (DESIGN.md §2).
type CommState string

// The comm states.
const (
	StateDraft            CommState = "draft"
	StateAwaitingApproval CommState = "awaiting_approval"
	StateApproved         CommState = "approved"
	StateRejected         CommState = "rejected"
	StateSending          CommState = "sending"
	StateSent             CommState = "sent"
	StatePartiallyFailed  CommState = "partially_failed"
	StateCancelled        CommState = "cancelled"
	StateSuperseded       CommState = "superseded" // every delivery was replaced by a newer comm's
)

// CommStates lists every state.
var CommStates = []CommState{StateDraft, StateAwaitingApproval, StateApproved, StateRejected,
	StateSending, StateSent, StatePartiallyFailed, StateCancelled, StateSuperseded}

// Label returns the state as shown to people.
func (s CommState) Label() string {
	switch s {
	case StateAwaitingApproval:
		return "Awaiting approval"
	case StatePartiallyFailed:
		return "Partially failed"
	}
	return Status(s).Title()
}

// Editable reports whether a comm in this state may still change.
func (s CommState) Editable() bool {
	switch s {
	case StateDraft, StateAwaitingApproval, StateApproved, StateRejected:
		return true
	}
	return false
}

// Comm is one status update about an incident.
type Comm struct {
	ID          string     `json:"id"` // C-<n>
	IncidentID  string     `json:"incident_id"`
	Number      int        `json:"number"` // 1, 2, … within the incident
	Audience    Audience   `json:"audience"`
	Message     string     `json:"message"` // Slack mrkdwn subset
	Status      Status     `json:"status"`  // the incident status it reports
	Recipients  Recipients `json:"recipients"`
	IncludeLink bool       `json:"include_link"`
	Corrects    string     `json:"corrects,omitempty"` // id of the comm this one corrects

	State        CommState `json:"state"`
	Version      int       `json:"version"` // bumped on every change
	Author       string    `json:"author"`
	EditedBy     string    `json:"edited_by,omitempty"` // who last changed the content; may not approve it either
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	RequestedBy  string    `json:"requested_by,omitempty"`
	Approver     string    `json:"approver,omitempty"`
	ApprovedAt   time.Time `json:"approved_at,omitzero"`
	RejectedBy   string    `json:"rejected_by,omitempty"`
	RejectReason string    `json:"reject_reason,omitempty"`
	SentBy       string    `json:"sent_by,omitempty"`
	SentAt       time.Time `json:"sent_at,omitzero"`
	SendAt       time.Time `json:"send_at,omitzero"` // scheduled send time, zero for now
	CompletedAt  time.Time `json:"completed_at,omitzero"`

	// ApprovalCard is where the approval card was posted, so the bot can
	// edit it when the outcome is known.
	ApprovalCard MessageRef `json:"approval_card,omitzero"`
}

// MessageRef points at one Slack message.
type MessageRef struct {
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
}

// Scheduled reports whether the comm waits for a send time still ahead.
func (c *Comm) Scheduled(now time.Time) bool {
	return c.State == StateSending && c.SendAt.After(now)
}

// CommID formats the id of comm number n. Comms are numbered across
// incidents in the order they are drafted.
func CommID(n uint64) string { return "C-" + strconv.FormatUint(n, 10) }

// CommNumber returns n of a comm id "C-<n>": a larger n is a newer comm.
func CommNumber(id string) (uint64, bool) {
	digits, ok := strings.CutPrefix(id, "C-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}

// Name returns how people refer to the comm: "INC-4 update #2".
func (c *Comm) Name() string { return fmt.Sprintf("%s update #%d", c.IncidentID, c.Number) }

// NeedsApproval reports whether the comm must be approved before it is sent.
func (c *Comm) NeedsApproval() bool { return c.Audience == External }

// Actor is someone acting on a comm, with the role the approval policy gave
// them for this comm's incident.
type Actor struct {
	ID       string
	Approver bool // commander, configured approver or member of an approver group
}

// The comm actions, used in errors and the timeline.
const (
	ActionEdit            = "edit"
	ActionRequestApproval = "request_approval"
	ActionApprove         = "approve"
	ActionReject          = "reject"
	ActionSend            = "send"
	ActionCancel          = "cancel"
)

func (c *Comm) touch(now time.Time) {
	c.Version++
	c.UpdatedAt = now
}

func (c *Comm) mayChange(a Actor, verb string) error {
	if a.ID != c.Author && !a.Approver {
		return Errorf(EFORBIDDEN, "Only the author of %s or an approver may %s it.", c.Name(), verb)
	}
	if !c.State.Editable() {
		return Errorf(ECONFLICT, "%s is %s and can no longer change; post a new comm to correct it.",
			c.Name(), c.State.Label())
	}
	return nil
}

// Edit replaces the comm's content. Editing a comm that was awaiting approval,
// approved or rejected returns it to draft and clears the approval.
func (c *Comm) Edit(a Actor, now time.Time, d Draft) error {
	if err := c.mayChange(a, "edit"); err != nil {
		return err
	}
	c.Audience, c.Message, c.Status = d.Audience, d.Message, d.Status
	c.Recipients, c.IncludeLink = d.Recipients, d.IncludeLink
	c.State, c.EditedBy = StateDraft, a.ID
	c.clearDecision()
	c.touch(now)
	return nil
}

// Same reports whether d is the comm's content as it stands: submitting it
// again is no edit.
func (c *Comm) Same(d Draft) bool {
	a, _ := json.Marshal(Draft{Audience: c.Audience, Message: c.Message, Status: c.Status, Recipients: c.Recipients, IncludeLink: c.IncludeLink})
	b, _ := json.Marshal(d)
	return string(a) == string(b)
}

func (c *Comm) clearDecision() {
	c.RequestedBy, c.Approver, c.ApprovedAt = "", "", time.Time{}
	c.RejectedBy, c.RejectReason = "", ""
}

// RequestApproval asks the approvers to approve an external comm.
func (c *Comm) RequestApproval(a Actor, now time.Time) error {
	if err := c.mayChange(a, "submit"); err != nil {
		return err
	}
	switch {
	case !c.NeedsApproval():
		return Errorf(ECONFLICT, "%s is internal and needs no approval: send it.", c.Name())
	case c.State == StateAwaitingApproval:
		return Errorf(ECONFLICT, "%s is already awaiting approval.", c.Name())
	case c.State == StateApproved:
		return Errorf(ECONFLICT, "%s is already approved: send it.", c.Name())
	}
	c.clearDecision()
	c.State, c.RequestedBy = StateAwaitingApproval, a.ID
	c.touch(now)
	return nil
}

// Approve approves an external comm for release. Approvers may approve a
// draft directly (the modal's "Approved for release" toggle); the author may
// approve their own comm only when selfApproval is allowed.
func (c *Comm) Approve(a Actor, now time.Time, selfApproval bool) error {
	if err := c.mayDecide(a, "approve", selfApproval); err != nil {
		return err
	}
	if c.State != StateAwaitingApproval && c.State != StateDraft {
		return Errorf(ECONFLICT, "%s is %s, so there is nothing to approve.", c.Name(), c.State.Label())
	}
	c.State, c.Approver, c.ApprovedAt = StateApproved, a.ID, now
	c.RejectedBy, c.RejectReason = "", ""
	c.touch(now)
	return nil
}

// Reject turns an approval request down with a reason the author will see.
func (c *Comm) Reject(a Actor, now time.Time, reason string, selfApproval bool) error {
	if err := c.mayDecide(a, "reject", selfApproval); err != nil {
		return err
	}
	if c.State != StateAwaitingApproval {
		return Errorf(ECONFLICT, "%s is %s, not awaiting approval, so it cannot be rejected.", c.Name(), c.State.Label())
	}
	if reason == "" {
		return &Error{Code: EINVALID, Message: "Say why the comm is rejected.", Fields: map[string]string{FieldReason: "Say why, so the author can fix it."}}
	}
	c.State, c.RejectedBy, c.RejectReason = StateRejected, a.ID, reason
	c.touch(now)
	return nil
}

func (c *Comm) mayDecide(a Actor, verb string, selfApproval bool) error {
	switch {
	case !c.NeedsApproval():
		return Errorf(ECONFLICT, "%s is internal and needs no approval.", c.Name())
	case !a.Approver:
		return Errorf(EFORBIDDEN, "Only the incident commander or a configured approver may %s %s.", verb, c.Name())
	case (a.ID == c.Author || a.ID == c.EditedBy) && !selfApproval:
		return Errorf(EFORBIDDEN, "You wrote or edited %s, so another approver must %s it.", c.Name(), verb)
	case !c.State.Editable():
		return Errorf(ECONFLICT, "%s is %s and can no longer change.", c.Name(), c.State.Label())
	}
	return nil
}

// Send starts delivery. Internal comms go from draft; external comms only
// once approved. at is the scheduled time, zero for now.
func (c *Comm) Send(a Actor, now, at time.Time) error {
	if err := c.mayChange(a, "send"); err != nil {
		return err
	}
	switch {
	case c.Recipients.Empty():
		return Errorf(EINVALID, "%s has no recipients: add a channel, an e-mail address, an SMS recipient or Statuspage.", c.Name())
	case c.NeedsApproval() && c.State != StateApproved:
		return Errorf(EFORBIDDEN, "%s is external and must be approved before it is sent (it is %s).", c.Name(), c.State.Label())
	case !c.NeedsApproval() && c.State != StateDraft:
		return Errorf(ECONFLICT, "%s is %s and cannot be sent.", c.Name(), c.State.Label())
	}
	c.State, c.SentBy, c.SentAt, c.SendAt = StateSending, a.ID, now, at
	c.touch(now)
	return nil
}

// Cancel withdraws a comm that has not been sent, including one scheduled
// for later whose send time has not come.
func (c *Comm) Cancel(a Actor, now time.Time) error {
	if c.Scheduled(now) {
		if a.ID != c.Author && a.ID != c.SentBy && !a.Approver {
			return Errorf(EFORBIDDEN, "Only the author of %s, who scheduled it, or an approver may cancel it.", c.Name())
		}
		c.State = StateCancelled
		c.touch(now)
		return nil
	}
	if err := c.mayChange(a, "cancel"); err != nil {
		return err
	}
	c.State = StateCancelled
	c.touch(now)
	return nil
}

// Complete records that every delivery reached a final state: sent, or
// partially failed when some failed, or superseded when a newer comm
// replaced every delivery before any went out.
func (c *Comm) Complete(now time.Time, counts map[Medium]Counts) error {
	if c.State != StateSending {
		return Errorf(ECONFLICT, "%s is %s, not sending.", c.Name(), c.State.Label())
	}
	var sent, failed int
	for _, n := range counts {
		sent, failed = sent+n.Sent, failed+n.Failed
	}
	switch {
	case failed > 0:
		c.State = StatePartiallyFailed
	case sent == 0:
		c.State = StateSuperseded
	default:
		c.State = StateSent
	}
	c.CompletedAt = now
	c.touch(now)
	return nil
}

// Retry puts a partially failed comm back to sending, for its failed rows.
func (c *Comm) Retry(a Actor, now time.Time) error {
	if a.ID != c.Author && !a.Approver {
		return Errorf(EFORBIDDEN, "Only the author of %s or an approver may retry it.", c.Name())
	}
	if c.State != StatePartiallyFailed {
		return Errorf(ECONFLICT, "%s is %s; only a partially failed comm can be retried.", c.Name(), c.State.Label())
	}
	c.State, c.CompletedAt = StateSending, time.Time{}
	c.touch(now)
	return nil
}
