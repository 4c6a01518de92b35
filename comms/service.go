package comms

import (
	"context"
	"fmt"
	"time"
)

// DefaultCommDeadline bounds how long Herald keeps trying to deliver a comm.
const DefaultCommDeadline = 30 * time.Minute

// Service is what the bot calls: every operation on incidents and comms,
// with the workflow rules applied and the results stored.
type Service struct {
	Store    Store
	Rules    Rules
	Policy   Policy
	Groups   GroupMembers // optional: resolves Policy.ApproverGroups
	Links    Links
	Cadence  map[Severity]time.Duration // how often an update is due, per severity
	Deadline time.Duration              // per-comm delivery deadline; DefaultCommDeadline when 0
	Now      func() time.Time

	// Superseded is called for each comm whose undelivered rows a newer
	// comm replaced, so it can be finished like a comm whose deliveries
	// all ended; when nil, Send finishes those comms itself.
	Superseded func(ctx context.Context, commID string)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// IsApprover reports whether user may approve inc's external comms.
func (s *Service) IsApprover(ctx context.Context, user string, inc *Incident) (bool, error) {
	return s.Policy.IsApprover(ctx, user, inc, s.Groups)
}

func (s *Service) actor(ctx context.Context, user string, incidentID string) (Actor, error) {
	inc, err := s.Store.Incident(ctx, incidentID)
	if err != nil {
		return Actor{}, err
	}
	ok, err := s.IsApprover(ctx, user, &inc)
	if err != nil {
		return Actor{}, fmt.Errorf("resolve approvers: %w", err)
	}
	return Actor{ID: user, Approver: ok}, nil
}
