package comms

// Medium is one way Herald publishes a comm.
type Medium string

// The four media.
const (
	MediumSlack      Medium = "slack"
	MediumEmail      Medium = "email"
	MediumSMS        Medium = "sms"
	MediumStatuspage Medium = "statuspage"
)

// Media lists every medium.
var Media = []Medium{MediumSlack, MediumEmail, MediumSMS, MediumStatuspage}

// Person is someone reachable by SMS (and maybe e-mail): a Slack user whose
// profile has a phone number, or an entry of the configured directory.
type Person struct {
	Name      string `json:"name"`
	SlackUser string `json:"slack_user,omitempty"`
	Phone     string `json:"phone"` // E.164
	Email     string `json:"email,omitempty"`
}

// StatuspageTarget says where an external comm goes on Statuspage: an
// existing incident, or a new one with a title.
type StatuspageTarget struct {
	IncidentID   string `json:"incident_id,omitempty"`
	IncidentName string `json:"incident_name,omitempty"` // shown to people
	CreateTitle  string `json:"create_title,omitempty"`  // set when creating a new incident
	Notify       bool   `json:"notify"`                  // deliver_notifications
}

// Create reports whether the target is a new Statuspage incident.
func (t *StatuspageTarget) Create() bool { return t != nil && t.IncidentID == "" }

// Recipients are everyone a comm goes to.
type Recipients struct {
	Emails     []string          `json:"emails,omitempty"`
	Audiences  []string          `json:"audiences,omitempty"` // configured audience names, already expanded below
	SMS        []Person          `json:"sms,omitempty"`
	Channels   []string          `json:"channels,omitempty"` // Slack channel ids
	Statuspage *StatuspageTarget `json:"statuspage,omitempty"`
}

// Count returns the number of targets per medium.
func (r Recipients) Count() map[Medium]int {
	n := map[Medium]int{
		MediumSlack: len(r.Channels),
		MediumEmail: len(r.Emails),
		MediumSMS:   len(r.SMS),
	}
	if r.Statuspage != nil {
		n[MediumStatuspage] = 1
	}
	return n
}

// Empty reports whether there is no target at all.
func (r Recipients) Empty() bool {
	for _, n := range r.Count() {
		if n > 0 {
			return false
		}
	}
	return true
}
