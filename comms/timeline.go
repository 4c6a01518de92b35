package comms

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// Timeline entry kinds.
const (
	KindDeclared          = "declared"
	KindStatusChanged     = "status_changed"
	KindSeverityChanged   = "severity_changed"
	KindCommanderChanged  = "commander_changed"
	KindCommDrafted       = "comm_drafted"
	KindCommEdited        = "comm_edited"
	KindApprovalRequested = "approval_requested"
	KindCommApproved      = "comm_approved"
	KindCommRejected      = "comm_rejected"
	KindCommSent          = "comm_sent"
	KindCommCancelled     = "comm_cancelled"
	KindDeliverySummary   = "delivery_summary"
	KindNote              = "note"
)

// TimelineEntry is one append-only event of an incident. Each entry carries
// the hash of the one before it, so an exported timeline can be verified.
type TimelineEntry struct {
	IncidentID string    `json:"incident_id"`
	Seq        uint64    `json:"seq"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor,omitempty"` // Slack user id, "" for Herald itself
	Kind       string    `json:"kind"`
	Text       string    `json:"text"`
	CommID     string    `json:"comm_id,omitempty"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// Entry returns a new, unsealed timeline entry.
func Entry(at time.Time, actor, kind, commID, format string, args ...any) TimelineEntry {
	return TimelineEntry{At: at, Actor: actor, Kind: kind, CommID: commID, Text: fmt.Sprintf(format, args...)}
}

// Seal gives the entry its place: the sequence number and the previous
// entry's hash, and computes its own hash.
func (e *TimelineEntry) Seal(seq uint64, prevHash string) {
	e.Seq, e.PrevHash = seq, prevHash
	e.Hash = e.digest()
}

func (e *TimelineEntry) digest() string {
	h := sha256.New()
	for _, f := range []string{e.PrevHash, e.IncidentID, strconv.FormatUint(e.Seq, 10),
		e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Kind, e.CommID, e.Text} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// VerifyTimeline checks that entries, in order, form an unbroken hash chain
// starting from the empty hash, and names the first entry that does not.
func VerifyTimeline(entries []TimelineEntry) error {
	prev := ""
	for i, e := range entries {
		if e.Seq != uint64(i+1) {
			return Errorf(ECONFLICT, "timeline entry %d has sequence %d: an entry is missing", i+1, e.Seq)
		}
		if e.PrevHash != prev || e.digest() != e.Hash {
			return Errorf(ECONFLICT, "timeline entry %d (%s) does not match its hash: the timeline was altered", e.Seq, e.Kind)
		}
		prev = e.Hash
	}
	return nil
}
