package comms

import (
	"context"
	"slices"
)

// Policy says who approves external comms (DESIGN.md §2).
type Policy struct {
	Approvers         []string // Slack user ids
	ApproverGroups    []string // Slack user group ids
	AllowSelfApproval bool
}

// GroupMembers lists the members of a Slack user group.
type GroupMembers interface {
	GroupMembers(ctx context.Context, group string) ([]string, error)
}

// IsApprover reports whether user may approve the external comms of inc:
// its commander, a configured approver or a member of an approver group.
func (p Policy) IsApprover(ctx context.Context, user string, inc *Incident, groups GroupMembers) (bool, error) {
	if user == "" {
		return false, nil
	}
	if user == inc.Commander || slices.Contains(p.Approvers, user) {
		return true, nil
	}
	if groups == nil {
		return false, nil
	}
	for _, g := range p.ApproverGroups {
		members, err := groups.GroupMembers(ctx, g)
		if err != nil {
			return false, err
		}
		if slices.Contains(members, user) {
			return true, nil
		}
	}
	return false, nil
}
