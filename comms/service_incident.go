package comms

import (
	"context"
	"slices"
	"strings"
	"time"
)

// DeclareInput is what the declare modal collects.
type DeclareInput struct {
	Title     string
	Severity  Severity
	Commander string // defaults to the declarer
}

// Declare opens a new incident.
func (s *Service) Declare(ctx context.Context, actor string, in DeclareInput) (Incident, error) {
	in.Title = strings.TrimSpace(in.Title)
	bad := map[string]string{}
	if in.Title == "" {
		bad[FieldTitle] = "Give the incident a short title."
	} else if len([]rune(in.Title)) > 200 {
		bad[FieldTitle] = "Keep the title under 200 characters."
	}
	if _, err := ParseSeverity(string(in.Severity)); err != nil {
		bad[FieldSeverity] = ErrorMessage(err)
	}
	if err := FieldErrors(bad); err != nil {
		return Incident{}, err
	}
	if in.Commander == "" {
		in.Commander = actor
	}
	now := s.now()
	return s.Store.CreateIncident(ctx, func(ch *IncidentChange) error {
		inc := ch.Incident
		inc.Title, inc.Severity, inc.Status, inc.Commander = in.Title, in.Severity, Investigating, in.Commander
		inc.DeclaredBy, inc.DeclaredAt, inc.UpdatedAt = actor, now, now
		inc.NextUpdateDue = s.nextDue(inc, now)
		ch.Entries = append(ch.Entries, Entry(now, actor, KindDeclared, "",
			"Declared %s %s: %s, commander <@%s>", inc.ID, inc.Severity, inc.Title, inc.Commander))
		return nil
	})
}

func (s *Service) nextDue(inc *Incident, now time.Time) time.Time {
	d, ok := s.Cadence[inc.Severity]
	if !ok || d <= 0 || inc.Status == Resolved {
		return time.Time{}
	}
	return now.Add(d)
}

// SlackRefs are where an incident lives in Slack.
type SlackRefs struct {
	Channel, ChannelName, SummaryTS, Permalink string
}

// AttachSlack records the incident channel and its pinned summary.
func (s *Service) AttachSlack(ctx context.Context, id string, r SlackRefs) (Incident, error) {
	return s.Store.UpdateIncident(ctx, id, func(ch *IncidentChange) error {
		inc := ch.Incident
		if r.Channel != "" {
			inc.Channel, inc.ChannelName = r.Channel, r.ChannelName
		}
		if r.SummaryTS != "" {
			inc.SummaryTS = r.SummaryTS
		}
		if r.Permalink != "" {
			inc.Permalink = r.Permalink
		}
		return nil
	})
}

// AttachStatuspage records the Statuspage incident a comm created.
func (s *Service) AttachStatuspage(ctx context.Context, id, spID, shortlink string) (Incident, error) {
	return s.Store.UpdateIncident(ctx, id, func(ch *IncidentChange) error {
		ch.Incident.StatuspageIncidentID = spID
		if shortlink != "" {
			ch.Incident.StatuspageShortlink = shortlink
		}
		return nil
	})
}

// ChangeStatus moves the incident to status; resolving is a status change.
func (s *Service) ChangeStatus(ctx context.Context, actor, id string, status Status) (Incident, error) {
	if _, err := ParseStatus(string(status)); err != nil {
		return Incident{}, err
	}
	now := s.now()
	return s.Store.UpdateIncident(ctx, id, func(ch *IncidentChange) error {
		inc := ch.Incident
		if inc.Status == status {
			return Errorf(ECONFLICT, "%s is already %s.", inc.ID, status.Title())
		}
		ch.Entries = append(ch.Entries, s.setStatus(inc, actor, status, now)...)
		return nil
	})
}

func (s *Service) setStatus(inc *Incident, actor string, status Status, now time.Time) []TimelineEntry {
	if inc.Status == status {
		return nil
	}
	old := inc.Status
	inc.Status, inc.UpdatedAt = status, now
	inc.ResolvedAt = time.Time{}
	if status == Resolved {
		inc.ResolvedAt = now
	}
	inc.NextUpdateDue = s.nextDue(inc, now)
	return []TimelineEntry{Entry(now, actor, KindStatusChanged, "", "Status %s → %s", old.Title(), status.Title())}
}

// ChangeSeverity changes the incident's severity.
func (s *Service) ChangeSeverity(ctx context.Context, actor, id string, sev Severity) (Incident, error) {
	if _, err := ParseSeverity(string(sev)); err != nil {
		return Incident{}, err
	}
	now := s.now()
	return s.Store.UpdateIncident(ctx, id, func(ch *IncidentChange) error {
		inc := ch.Incident
		if inc.Severity == sev {
			return Errorf(ECONFLICT, "%s is already %s.", inc.ID, sev)
		}
		ch.Entries = append(ch.Entries, Entry(now, actor, KindSeverityChanged, "", "Severity %s → %s", inc.Severity, sev))
		inc.Severity, inc.UpdatedAt = sev, now
		return nil
	})
}

// ChangeCommander hands the incident to another commander. Only the
// commander or an approver may: the commander approves external comms.
func (s *Service) ChangeCommander(ctx context.Context, actor, id, commander string) (Incident, error) {
	a, err := s.actor(ctx, actor, id)
	if err != nil {
		return Incident{}, err
	}
	if !a.Approver {
		return Incident{}, Errorf(EFORBIDDEN, "Only the incident commander or a configured approver may hand %s to a new commander.", id)
	}
	now := s.now()
	return s.Store.UpdateIncident(ctx, id, func(ch *IncidentChange) error {
		inc := ch.Incident
		if commander == "" || inc.Commander == commander {
			return Errorf(EINVALID, "Choose a new commander for %s.", inc.ID)
		}
		ch.Entries = append(ch.Entries, Entry(now, actor, KindCommanderChanged, "", "Commander <@%s> → <@%s>", inc.Commander, commander))
		inc.Commander, inc.UpdatedAt = commander, now
		return nil
	})
}

// AddNote adds a free-text note to the timeline.
func (s *Service) AddNote(ctx context.Context, actor, id, text string) (Incident, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Incident{}, Errorf(EINVALID, "Write the note to add.")
	}
	now := s.now()
	return s.Store.UpdateIncident(ctx, id, func(ch *IncidentChange) error {
		ch.Entries = append(ch.Entries, Entry(now, actor, KindNote, "", "%s", text))
		return nil
	})
}

// Incident returns one incident.
func (s *Service) Incident(ctx context.Context, id string) (Incident, error) {
	return s.Store.Incident(ctx, id)
}

// IncidentByChannel returns the incident whose channel is channelID.
func (s *Service) IncidentByChannel(ctx context.Context, channelID string) (Incident, error) {
	return s.Store.IncidentByChannel(ctx, channelID)
}

// OpenIncidents lists the incidents not yet resolved, newest first.
func (s *Service) OpenIncidents(ctx context.Context) ([]Incident, error) {
	all, err := s.Store.Incidents(ctx)
	if err != nil {
		return nil, err
	}
	open := slices.DeleteFunc(all, func(i Incident) bool { return !i.Open() })
	slices.SortFunc(open, func(a, b Incident) int { return int(b.Number) - int(a.Number) })
	return open, nil
}
