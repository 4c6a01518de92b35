package comms

import (
	"fmt"
	"strings"
	"time"
)

// Severity ranks an incident's impact, SEV1 being the worst.
type Severity string

// The four severities.
const (
	SEV1 Severity = "SEV1"
	SEV2 Severity = "SEV2"
	SEV3 Severity = "SEV3"
	SEV4 Severity = "SEV4"
)

// Severities lists every severity, worst first.
var Severities = []Severity{SEV1, SEV2, SEV3, SEV4}

// ParseSeverity accepts "SEV2", "sev2" or "2".
func ParseSeverity(s string) (Severity, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !strings.HasPrefix(s, "SEV") {
		s = "SEV" + s
	}
	for _, v := range Severities {
		if Severity(s) == v {
			return v, nil
		}
	}
	return "", Errorf(EINVALID, "Unknown severity %q: use SEV1, SEV2, SEV3 or SEV4.", s)
}

// Status is an incident's lifecycle status; it is also the status a comm
// reports and, for external comms, the Statuspage incident status.
type Status string

// The four statuses, in lifecycle order.
const (
	Investigating Status = "investigating"
	Identified    Status = "identified"
	Monitoring    Status = "monitoring"
	Resolved      Status = "resolved"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{Investigating, Identified, Monitoring, Resolved}

// Title returns the status as shown to people: "Identified".
func (s Status) Title() string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// ParseStatus accepts a status in any letter case.
func ParseStatus(s string) (Status, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, v := range Statuses {
		if Status(s) == v {
			return v, nil
		}
	}
	return "", Errorf(EINVALID, "Unknown status %q: use investigating, identified, monitoring or resolved.", s)
}

// Incident is one incident, identified as INC-<Number>.
type Incident struct {
	ID          string    `json:"id"`
	Number      uint64    `json:"number"`
	Title       string    `json:"title"`
	Severity    Severity  `json:"severity"`
	Status      Status    `json:"status"`
	Commander   string    `json:"commander"` // Slack user id
	DeclaredBy  string    `json:"declared_by"`
	DeclaredAt  time.Time `json:"declared_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	ResolvedAt  time.Time `json:"resolved_at,omitzero"`
	Channel     string    `json:"channel,omitempty"` // incident channel id
	ChannelName string    `json:"channel_name,omitempty"`
	SummaryTS   string    `json:"summary_ts,omitempty"` // pinned summary message
	Permalink   string    `json:"permalink,omitempty"`  // Slack permalink of the summary

	StatuspageIncidentID string `json:"statuspage_incident_id,omitempty"`
	StatuspageShortlink  string `json:"statuspage_shortlink,omitempty"`

	LastCommAt     time.Time `json:"last_comm_at,omitzero"`
	NextUpdateDue  time.Time `json:"next_update_due,omitzero"`
	LatestInternal string    `json:"latest_internal,omitempty"` // comm id
	LatestExternal string    `json:"latest_external,omitempty"` // comm id
	CommCount      int       `json:"comm_count"`
}

// IncidentID formats the id of incident number n.
func IncidentID(n uint64) string { return fmt.Sprintf("INC-%d", n) }

// Open reports whether the incident is not yet resolved.
func (i *Incident) Open() bool { return i.Status != Resolved }

// Slug turns the title into a channel-name-safe slug of at most max bytes.
func Slug(title string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= max {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// DefaultChannelName returns the incident channel's name: inc-<n>-<slug>, within
// Slack's 80-character limit.
func (i *Incident) DefaultChannelName() string {
	name := fmt.Sprintf("inc-%d", i.Number)
	if s := Slug(i.Title, 60); s != "" {
		name += "-" + s
	}
	return name
}
