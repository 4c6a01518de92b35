package comms

import (
	"bufio"
	"strings"
	"testing"
	"time"
)

// workflow is the comm state machine as a table: for each audience, state
// and action, the outcome for four actors — the author (not an approver), an
// approver who is not the author, an author who is also an approver, and a
// stranger. An outcome is the resulting state, or F (EFORBIDDEN) or
// C (ECONFLICT). Self-approval is not allowed here.
const workflow = `
internal draft edit:                         draft             draft             draft             F
internal draft request_approval:             C                 C                 C                 F
internal draft approve:                      C                 C                 C                 C
internal draft reject:                       C                 C                 C                 C
internal draft send:                         sending           sending           sending           F
internal draft cancel:                       cancelled         cancelled         cancelled         F
internal awaiting_approval edit:             draft             draft             draft             F
internal awaiting_approval request_approval: C                 C                 C                 F
internal awaiting_approval approve:          C                 C                 C                 C
internal awaiting_approval reject:           C                 C                 C                 C
internal awaiting_approval send:             C                 C                 C                 F
internal awaiting_approval cancel:           cancelled         cancelled         cancelled         F
internal approved edit:                      draft             draft             draft             F
internal approved request_approval:          C                 C                 C                 F
internal approved approve:                   C                 C                 C                 C
internal approved reject:                    C                 C                 C                 C
internal approved send:                      C                 C                 C                 F
internal approved cancel:                    cancelled         cancelled         cancelled         F
internal rejected edit:                      draft             draft             draft             F
internal rejected request_approval:          C                 C                 C                 F
internal rejected approve:                   C                 C                 C                 C
internal rejected reject:                    C                 C                 C                 C
internal rejected send:                      C                 C                 C                 F
internal rejected cancel:                    cancelled         cancelled         cancelled         F
internal sending edit:                       C                 C                 C                 F
internal sending request_approval:           C                 C                 C                 F
internal sending approve:                    C                 C                 C                 C
internal sending reject:                     C                 C                 C                 C
internal sending send:                       C                 C                 C                 F
internal sending cancel:                     C                 C                 C                 F
internal sent edit:                          C                 C                 C                 F
internal sent request_approval:              C                 C                 C                 F
internal sent approve:                       C                 C                 C                 C
internal sent reject:                        C                 C                 C                 C
internal sent send:                          C                 C                 C                 F
internal sent cancel:                        C                 C                 C                 F
internal partially_failed edit:              C                 C                 C                 F
internal partially_failed request_approval:  C                 C                 C                 F
internal partially_failed approve:           C                 C                 C                 C
internal partially_failed reject:            C                 C                 C                 C
internal partially_failed send:              C                 C                 C                 F
internal partially_failed cancel:            C                 C                 C                 F
internal cancelled edit:                     C                 C                 C                 F
internal cancelled request_approval:         C                 C                 C                 F
internal cancelled approve:                  C                 C                 C                 C
internal cancelled reject:                   C                 C                 C                 C
internal cancelled send:                     C                 C                 C                 F
internal cancelled cancel:                   C                 C                 C                 F
internal superseded edit:                    C                 C                 C                 F
internal superseded request_approval:        C                 C                 C                 F
internal superseded approve:                 C                 C                 C                 C
internal superseded reject:                  C                 C                 C                 C
internal superseded send:                    C                 C                 C                 F
internal superseded cancel:                  C                 C                 C                 F
external draft edit:                         draft             draft             draft             F
external draft request_approval:             awaiting_approval awaiting_approval awaiting_approval F
external draft approve:                      F                 approved          F                 F
external draft reject:                       F                 C                 F                 F
external draft send:                         F                 F                 F                 F
external draft cancel:                       cancelled         cancelled         cancelled         F
external awaiting_approval edit:             draft             draft             draft             F
external awaiting_approval request_approval: C                 C                 C                 F
external awaiting_approval approve:          F                 approved          F                 F
external awaiting_approval reject:           F                 rejected          F                 F
external awaiting_approval send:             F                 F                 F                 F
external awaiting_approval cancel:           cancelled         cancelled         cancelled         F
external approved edit:                      draft             draft             draft             F
external approved request_approval:          C                 C                 C                 F
external approved approve:                   F                 C                 F                 F
external approved reject:                    F                 C                 F                 F
external approved send:                      sending           sending           sending           F
external approved cancel:                    cancelled         cancelled         cancelled         F
external rejected edit:                      draft             draft             draft             F
external rejected request_approval:          awaiting_approval awaiting_approval awaiting_approval F
external rejected approve:                   F                 C                 F                 F
external rejected reject:                    F                 C                 F                 F
external rejected send:                      F                 F                 F                 F
external rejected cancel:                    cancelled         cancelled         cancelled         F
external sending edit:                       C                 C                 C                 F
external sending request_approval:           C                 C                 C                 F
external sending approve:                    F                 C                 F                 F
external sending reject:                     F                 C                 F                 F
external sending send:                       C                 C                 C                 F
external sending cancel:                     C                 C                 C                 F
external sent edit:                          C                 C                 C                 F
external sent request_approval:              C                 C                 C                 F
external sent approve:                       F                 C                 F                 F
external sent reject:                        F                 C                 F                 F
external sent send:                          C                 C                 C                 F
external sent cancel:                        C                 C                 C                 F
external partially_failed edit:              C                 C                 C                 F
external partially_failed request_approval:  C                 C                 C                 F
external partially_failed approve:           F                 C                 F                 F
external partially_failed reject:            F                 C                 F                 F
external partially_failed send:              C                 C                 C                 F
external partially_failed cancel:            C                 C                 C                 F
external cancelled edit:                     C                 C                 C                 F
external cancelled request_approval:         C                 C                 C                 F
external cancelled approve:                  F                 C                 F                 F
external cancelled reject:                   F                 C                 F                 F
external cancelled send:                     C                 C                 C                 F
external cancelled cancel:                   C                 C                 C                 F
external superseded edit:                    C                 C                 C                 F
external superseded request_approval:        C                 C                 C                 F
external superseded approve:                 F                 C                 F                 F
external superseded reject:                  F                 C                 F                 F
external superseded send:                    C                 C                 C                 F
external superseded cancel:                  C                 C                 C                 F
`

func TestCommWorkflow(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	actors := []Actor{{ID: "UAUTHOR"}, {ID: "UAPPROVER", Approver: true}, {ID: "UAUTHOR", Approver: true}, {ID: "USTRANGER"}}
	names := []string{"author", "approver", "self", "stranger"}
	rows := 0
	sc := bufio.NewScanner(strings.NewReader(workflow))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		head, tail, _ := strings.Cut(line, ":")
		key := strings.Fields(head)
		want := strings.Fields(tail)
		if len(key) != 3 || len(want) != 4 {
			t.Fatalf("bad table row %q", line)
		}
		rows++
		for i, a := range actors {
			t.Run(strings.Join(key, "/")+"/"+names[i], func(t *testing.T) {
				c := &Comm{ID: "C-1", IncidentID: "INC-1", Number: 1, Audience: Audience(key[0]), State: CommState(key[1]),
					Author: "UAUTHOR", Message: "m", Status: Identified, Recipients: Recipients{Channels: []string{"C1"}}}
				err := apply(c, key[2], a, now)
				got := string(c.State)
				switch ErrorCode(err) {
				case EFORBIDDEN:
					got = "F"
				case ECONFLICT:
					got = "C"
				case "":
				default:
					t.Fatalf("%s: unexpected error %v", key[2], err)
				}
				if got != want[i] {
					t.Errorf("%s by %s on %s %s comm: got %s (err %v); want %s", key[2], names[i], key[1], key[0], got, err, want[i])
				}
				if err != nil && string(c.State) != key[1] {
					t.Errorf("refused %s changed the state to %s", key[2], c.State)
				}
				if err != nil && ErrorMessage(err) == "" {
					t.Errorf("refusal has no message")
				}
			})
		}
	}
	if want := len(CommStates) * 6 * 2; rows != want {
		t.Errorf("table has %d rows; want %d (every state, action and audience)", rows, want)
	}
}

func apply(c *Comm, action string, a Actor, now time.Time) error {
	switch action {
	case ActionEdit:
		return c.Edit(a, now, Draft{Audience: c.Audience, Message: "new", Status: Monitoring, Recipients: c.Recipients})
	case ActionRequestApproval:
		return c.RequestApproval(a, now)
	case ActionApprove:
		return c.Approve(a, now, false)
	case ActionReject:
		return c.Reject(a, now, "wrong status", false)
	case ActionSend:
		return c.Send(a, now, time.Time{})
	case ActionCancel:
		return c.Cancel(a, now)
	}
	panic(action)
}

func TestSelfApprovalWhenAllowed(t *testing.T) {
	now := time.Now()
	c := &Comm{ID: "C-1", Audience: External, State: StateAwaitingApproval, Author: "U1"}
	if err := c.Approve(Actor{ID: "U1", Approver: true}, now, true); err != nil {
		t.Fatalf("self-approval with the config allowing it: %v", err)
	}
	if c.State != StateApproved || c.Approver != "U1" {
		t.Errorf("got state %s approver %q; want approved by U1", c.State, c.Approver)
	}
}

func TestEditClearsApproval(t *testing.T) {
	now := time.Now()
	c := &Comm{ID: "C-1", Audience: External, State: StateAwaitingApproval, Author: "U1", Version: 3}
	if err := c.Approve(Actor{ID: "U2", Approver: true}, now, false); err != nil {
		t.Fatal(err)
	}
	if err := c.Edit(Actor{ID: "U1"}, now, Draft{Audience: External, Message: "changed", Status: Identified}); err != nil {
		t.Fatal(err)
	}
	if c.State != StateDraft || c.Approver != "" || !c.ApprovedAt.IsZero() {
		t.Errorf("after edit: state %s approver %q approved at %v; want draft with no approval", c.State, c.Approver, c.ApprovedAt)
	}
	if c.Version != 5 {
		t.Errorf("version = %d; want 5 (bumped by approve and edit)", c.Version)
	}
}

func TestRejectNeedsReason(t *testing.T) {
	c := &Comm{ID: "C-1", Audience: External, State: StateAwaitingApproval, Author: "U1"}
	err := c.Reject(Actor{ID: "U2", Approver: true}, time.Now(), "", false)
	if ErrorCode(err) != EINVALID || ErrorFields(err)[FieldReason] == "" {
		t.Errorf("reject without reason: got %v; want EINVALID on the reason field", err)
	}
}

func TestCompleteAndRetry(t *testing.T) {
	now := time.Now()
	c := &Comm{ID: "C-1", Audience: Internal, State: StateSending, Author: "U1"}
	if err := c.Complete(now, map[Medium]Counts{MediumSlack: {Sent: 1}, MediumSMS: {Failed: 1}}); err != nil || c.State != StatePartiallyFailed {
		t.Fatalf("Complete(failed) = %v, state %s; want partially_failed", err, c.State)
	}
	if err := c.Retry(Actor{ID: "U9"}, now); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("retry by a stranger: got %v; want EFORBIDDEN", err)
	}
	if err := c.Retry(Actor{ID: "U1"}, now); err != nil || c.State != StateSending {
		t.Errorf("retry by author = %v, state %s; want sending", err, c.State)
	}
	if err := c.Complete(now, map[Medium]Counts{MediumSlack: {Sent: 1}, MediumSMS: {Sent: 1}}); err != nil || c.State != StateSent {
		t.Errorf("Complete = %v, state %s; want sent", err, c.State)
	}
	if err := c.Retry(Actor{ID: "U1"}, now); ErrorCode(err) != ECONFLICT {
		t.Errorf("retry of a sent comm: got %v; want ECONFLICT", err)
	}
	c.State = StateSending
	if err := c.Complete(now, map[Medium]Counts{MediumSlack: {Superseded: 2}}); err != nil || c.State != StateSuperseded {
		t.Errorf("Complete with every row superseded = %v, state %s; want superseded", err, c.State)
	}
	if err := c.Retry(Actor{ID: "U1"}, now); ErrorCode(err) != ECONFLICT {
		t.Errorf("retry of a sent comm: got %v; want ECONFLICT", err)
	}
}
