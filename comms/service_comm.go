package comms

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// DraftComm validates in and stores it as a new draft of the incident.
func (s *Service) DraftComm(ctx context.Context, actor, incidentID string, in Input) (Comm, error) {
	d, err := s.Rules.Validate(in)
	if err != nil {
		return Comm{}, err
	}
	now := s.now()
	return s.Store.CreateComm(ctx, incidentID, func(ch *CommChange) error {
		if !ch.Incident.Open() {
			return Errorf(ECONFLICT, "%s is resolved; reopen it with /incident status before posting updates.", ch.Incident.ID)
		}
		ch.Incident.CommCount++
		c := ch.Comm
		c.Number, c.Author, c.EditedBy, c.CreatedAt, c.UpdatedAt, c.State = ch.Incident.CommCount, actor, actor, now, now, StateDraft
		c.Audience, c.Message, c.Status, c.Recipients, c.IncludeLink = d.Audience, d.Message, d.Status, d.Recipients, d.IncludeLink
		c.Version = 1
		if err := s.fits(ch.Incident, c); err != nil {
			return err
		}
		ch.Entries = append(ch.Entries, Entry(now, actor, KindCommDrafted, c.ID, "%s drafted (%s)", c.Name(), c.Audience))
		return nil
	})
}

// UpdateDraft replaces a comm's content. version is the version the editor
// started from; a newer stored version is a conflict, so no edit is lost.
func (s *Service) UpdateDraft(ctx context.Context, actor, commID string, version int, in Input) (Comm, error) {
	d, err := s.Rules.Validate(in)
	if err != nil {
		return Comm{}, err
	}
	return s.changeComm(ctx, actor, commID, func(ch *CommChange, a Actor, now time.Time) error {
		c := ch.Comm
		if version != 0 && c.Version != version {
			return Errorf(ECONFLICT, "%s changed while you were editing it; reopen it to see the latest version.", c.Name())
		}
		if c.State.Editable() && c.Same(d) {
			return nil // nothing changed: the approval state and who edited it stay as they are
		}
		if err := c.Edit(a, now, d); err != nil {
			return err
		}
		if err := s.fits(ch.Incident, c); err != nil {
			return err
		}
		ch.Entries = append(ch.Entries, Entry(now, actor, KindCommEdited, c.ID, "%s edited", c.Name()))
		return nil
	})
}

// changeComm runs fn on a fresh copy of the comm inside a store transaction,
// with the actor's role for the comm's incident.
func (s *Service) changeComm(ctx context.Context, user, commID string, fn func(*CommChange, Actor, time.Time) error) (Comm, error) {
	c, err := s.Store.Comm(ctx, commID)
	if err != nil {
		return Comm{}, err
	}
	a, err := s.actor(ctx, user, c.IncidentID)
	if err != nil {
		return Comm{}, err
	}
	now := s.now()
	return s.Store.UpdateComm(ctx, commID, func(ch *CommChange) error { return fn(ch, a, now) })
}

// RequestApproval asks the approvers to approve an external comm.
func (s *Service) RequestApproval(ctx context.Context, actor, commID string) (Comm, error) {
	return s.changeComm(ctx, actor, commID, func(ch *CommChange, a Actor, now time.Time) error {
		if err := ch.Comm.RequestApproval(a, now); err != nil {
			return err
		}
		ch.Entries = append(ch.Entries, Entry(now, actor, KindApprovalRequested, ch.Comm.ID, "Approval requested for %s", ch.Comm.Name()))
		return nil
	})
}

// Approve approves version of an external comm: the version the approver
// saw, so that nobody approves words they have not read.
func (s *Service) Approve(ctx context.Context, actor, commID string, version int) (Comm, error) {
	return s.changeComm(ctx, actor, commID, func(ch *CommChange, a Actor, now time.Time) error {
		if err := sameVersion(ch.Comm, version); err != nil {
			return err
		}
		if err := ch.Comm.Approve(a, now, s.Policy.AllowSelfApproval); err != nil {
			return err
		}
		ch.Entries = append(ch.Entries, Entry(now, actor, KindCommApproved, ch.Comm.ID, "%s approved by <@%s>", ch.Comm.Name(), actor))
		return nil
	})
}

// Reject rejects version of an external comm with a reason.
func (s *Service) Reject(ctx context.Context, actor, commID string, version int, reason string) (Comm, error) {
	reason = strings.TrimSpace(reason)
	return s.changeComm(ctx, actor, commID, func(ch *CommChange, a Actor, now time.Time) error {
		if err := sameVersion(ch.Comm, version); err != nil {
			return err
		}
		if err := ch.Comm.Reject(a, now, reason, s.Policy.AllowSelfApproval); err != nil {
			return err
		}
		ch.Entries = append(ch.Entries, Entry(now, actor, KindCommRejected, ch.Comm.ID, "%s rejected by <@%s>: %s", ch.Comm.Name(), actor, reason))
		return nil
	})
}

func sameVersion(c *Comm, version int) error {
	if c.Version != version {
		return Errorf(ECONFLICT, "%s changed since you saw it (it is %s now); look at the current version before deciding.",
			c.Name(), c.State.Label())
	}
	return nil
}

// Cancel withdraws an unsent comm. A scheduled comm can be cancelled until
// its send time: its queued deliveries are cancelled with it.
func (s *Service) Cancel(ctx context.Context, actor, commID string) (Comm, error) {
	return s.changeComm(ctx, actor, commID, func(ch *CommChange, a Actor, now time.Time) error {
		scheduled := ch.Comm.Scheduled(now)
		if err := ch.Comm.Cancel(a, now); err != nil {
			return err
		}
		for i := range ch.Deliveries {
			d := &ch.Deliveries[i]
			switch {
			case d.State.Final():
				continue
			case scheduled && d.State != DeliveryPending:
				return Errorf(ECONFLICT, "%s is already going out and can no longer be cancelled.", ch.Comm.Name())
			}
			d.State, d.UpdatedAt, d.LastError = DeliveryCancelled, now, "cancelled by <@"+actor+">"
		}
		ch.Entries = append(ch.Entries, Entry(now, actor, KindCommCancelled, ch.Comm.ID, "%s cancelled", ch.Comm.Name()))
		return nil
	})
}

// Send starts delivering a comm: in one transaction the comm becomes
// sending, every delivery row is queued (due at at, or now when at is zero),
// the incident takes the status the comm reports, and the timeline records it.
func (s *Service) Send(ctx context.Context, actor, commID string, at time.Time) (Comm, error) {
	var change *CommChange // the store fills in Superseded after fn
	c, err := s.changeComm(ctx, actor, commID, func(ch *CommChange, a Actor, now time.Time) error {
		change = ch
		c, inc := ch.Comm, ch.Incident
		if !at.IsZero() && !at.After(now) {
			return &Error{Code: EINVALID, Message: "The scheduled time has passed.", Fields: map[string]string{FieldSendAt: "Choose a time in the future."}}
		}
		if err := c.Send(a, now, at); err != nil {
			return err
		}
		due := now
		if !at.IsZero() {
			due = at
		}
		deadline := s.Deadline
		if deadline <= 0 {
			deadline = DefaultCommDeadline
		}
		if err := s.fits(inc, c); err != nil {
			return err
		}
		ch.NewDeliveries = Deliveries(c, now, due, due.Add(deadline))
		if at.IsZero() {
			ch.Entries = append(ch.Entries, s.publish(inc, c, actor, now)...)
		}
		when := "now"
		if !at.IsZero() {
			when = "at " + at.UTC().Format("15:04 MST")
		}
		ch.Entries = append(ch.Entries, Entry(now, actor, KindCommSent, c.ID, "%s sent %s to %s: %s",
			c.Name(), when, DescribeRecipients(c.Recipients), FirstLine(c.Message, 80)))
		return nil
	})
	if err != nil {
		return c, err
	}
	for _, id := range change.Superseded {
		if s.Superseded != nil {
			s.Superseded(ctx, id)
		} else if _, _, _, err := s.Finish(ctx, id); err != nil {
			return c, fmt.Errorf("finish superseded %s: %w", id, err)
		}
	}
	return c, nil
}

// publish makes c the incident's latest update: the incident takes the
// status c reports, and the next update falls due. It happens when a comm is
// sent now, or when a scheduled one has gone out.
func (s *Service) publish(inc *Incident, c *Comm, actor string, now time.Time) []TimelineEntry {
	entries := s.setStatus(inc, actor, c.Status, now)
	inc.LastCommAt, inc.UpdatedAt = now, now
	inc.NextUpdateDue = s.nextDue(inc, now)
	if c.Audience == External {
		inc.LatestExternal = c.ID
	} else {
		inc.LatestInternal = c.ID
	}
	return entries
}

// fits checks c, rendered about the real incident with its real link, against
// each chosen medium's limits; validation measured it with a stand-in link.
func (s *Service) fits(inc *Incident, c *Comm) error {
	d := Draft{Audience: c.Audience, Message: c.Message, Status: c.Status, Recipients: c.Recipients, IncludeLink: c.IncludeLink}
	bad := map[string]string{}
	s.Rules.checkLengths(d, s.Preview(inc, c), bad)
	return FieldErrors(bad)
}

// Finish completes a comm whose deliveries are all final: it becomes sent or
// partially failed and the timeline records the counts per medium. done is
// false when some delivery is still under way.
func (s *Service) Finish(ctx context.Context, commID string) (c Comm, counts map[Medium]Counts, done bool, err error) {
	now := s.now()
	c, err = s.Store.UpdateComm(ctx, commID, func(ch *CommChange) error {
		counts = CountDeliveries(ch.Deliveries)
		if ch.Comm.State != StateSending {
			return nil
		}
		for _, n := range counts {
			if n.Pending > 0 {
				return nil
			}
		}
		if err := ch.Comm.Complete(now, counts); err != nil {
			return err
		}
		done = true
		if !ch.Comm.SendAt.IsZero() && ch.Comm.State != StateSuperseded {
			// A scheduled comm went out: now it is the latest update.
			ch.Entries = append(ch.Entries, s.publish(ch.Incident, ch.Comm, ch.Comm.SentBy, now)...)
		}
		if ch.Comm.State == StateSuperseded {
			ch.Entries = append(ch.Entries, Entry(now, "", KindDeliverySummary, ch.Comm.ID, "%s was replaced by a newer update before it went out; nothing of it was sent", ch.Comm.Name()))
			return nil
		}
		ch.Entries = append(ch.Entries, Entry(now, "", KindDeliverySummary, ch.Comm.ID, "%s delivered: %s", ch.Comm.Name(), FormatCounts(counts)))
		return nil
	})
	return c, counts, done, err
}

// RetryFailed queues the permanently failed deliveries of a partially failed
// comm again, and only those.
func (s *Service) RetryFailed(ctx context.Context, actor, commID string) (Comm, error) {
	return s.changeComm(ctx, actor, commID, func(ch *CommChange, a Actor, now time.Time) error {
		if err := ch.Comm.Retry(a, now); err != nil {
			return err
		}
		if latest := latestOf(ch.Incident, ch.Comm.Audience); latest != ch.Comm.ID && latest != "" {
			return Errorf(ECONFLICT, "A newer update has gone out since %s, so resending it would tell people an older status. Send a new comm instead.", ch.Comm.Name())
		}
		n := 0
		deadline := s.Deadline
		if deadline <= 0 {
			deadline = DefaultCommDeadline
		}
		for i := range ch.Deliveries {
			d := &ch.Deliveries[i]
			if d.State != DeliveryFailedPerm {
				continue
			}
			d.State, d.Attempts, d.NotBefore, d.GiveUpAt, d.UpdatedAt = DeliveryPending, 0, now, now.Add(deadline), now
			if d.Unconfirmed { // the last attempt may have arrived: look before sending again
				d.State, d.Unconfirmed = DeliveryUnknown, false
			}
			n++
		}
		ch.Entries = append(ch.Entries, Entry(now, actor, KindCommSent, ch.Comm.ID, "%s: retrying %d failed deliveries", ch.Comm.Name(), n))
		return nil
	})
}

// SetApprovalCard remembers where a comm's approval card was posted.
func (s *Service) SetApprovalCard(ctx context.Context, commID string, ref MessageRef) (Comm, error) {
	return s.Store.UpdateComm(ctx, commID, func(ch *CommChange) error {
		ch.Comm.ApprovalCard = ref
		return nil
	})
}

// Comm returns one comm.
func (s *Service) Comm(ctx context.Context, id string) (Comm, error) { return s.Store.Comm(ctx, id) }

// ListComms lists an incident's comms, oldest first.
func (s *Service) ListComms(ctx context.Context, incidentID string) ([]Comm, error) {
	return s.Store.Comms(ctx, incidentID)
}

// Deliveries lists a comm's delivery rows.
func (s *Service) Deliveries(ctx context.Context, commID string) ([]Delivery, error) {
	return s.Store.Deliveries(ctx, commID)
}

// Timeline returns the incident's timeline, oldest first.
func (s *Service) Timeline(ctx context.Context, incidentID string) ([]TimelineEntry, error) {
	return s.Store.Timeline(ctx, incidentID)
}

// Preview renders a comm exactly as each medium will receive it.
func (s *Service) Preview(inc *Incident, c *Comm) Rendered {
	return Render(inc, c, s.Links, s.Rules.NormalizeSMS)
}

func latestOf(inc *Incident, a Audience) string {
	if a == External {
		return inc.LatestExternal
	}
	return inc.LatestInternal
}
