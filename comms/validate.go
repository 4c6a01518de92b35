package comms

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Field names used as keys of Error.Fields. The bot maps them to its inputs.
const (
	FieldMessage         = "message"
	FieldStatus          = "status"
	FieldEmails          = "emails"
	FieldAudiences       = "audiences"
	FieldSMS             = "sms"
	FieldChannels        = "channels"
	FieldStatuspage      = "statuspage"
	FieldStatuspageTitle = "statuspage_title"
	FieldReason          = "reason"
	FieldSendAt          = "send_at"
	FieldTitle           = "title"
	FieldSeverity        = "severity"
)

// Per-medium length limits (limits.md §1.3, §2.3, §3).
const (
	SlackTextMax           = 3000  // one section block
	StatuspageBodyMax      = 25000 // incident update body
	StatuspageNameMax      = 255   // incident name
	EmailBodyMax           = 100000
	MessageMax             = 3000 // the modal input's max_length
	DefaultSMSSegmentLimit = 4
)

// Draft is a validated comm content, ready to store.
type Draft struct {
	Audience    Audience
	Message     string
	Status      Status
	Recipients  Recipients
	IncludeLink bool
}

// Input is a comm as typed into the modal, before validation.
type Input struct {
	Audience    Audience
	Message     string
	Status      Status
	Emails      string   // free text: commas, semicolons, spaces or new lines between addresses
	Audiences   []string // configured audience names
	SMSNames    []string // directory names, one per person
	SMSUsers    []Person // Slack users the bot looked up; Phone is as on their profile, maybe empty
	Channels    []string // Slack channel ids
	Statuspage  *StatuspageTarget
	IncludeLink bool
}

// AudienceGroup is a configured, named group of recipients.
type AudienceGroup struct {
	Emails   []string
	SMS      []string // directory names
	Channels []string // channel ids
}

// Rules are the configured parts of validation.
type Rules struct {
	DefaultRegion    string // ISO 3166 region for numbers without +, e.g. "US"
	SMSSegmentLimit  int    // the most segments one SMS may take
	NormalizeSMS     bool   // replace smart quotes and dashes to stay GSM-7
	Directory        map[string]Person
	Audiences        map[string]AudienceGroup
	Media            map[Medium]bool // the configured media
	StatuspageActive bool
}

// ParseEmails splits free text into addresses, dropping duplicates. The
// error names every address that is not valid.
func ParseEmails(text string) ([]string, error) {
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\t' || r == '\r'
	})
	var out, bad []string
	for _, f := range fields {
		a, err := mail.ParseAddress(f)
		if err != nil || a.Name != "" || !strings.Contains(a.Address[strings.LastIndexByte(a.Address, '@')+1:], ".") {
			bad = append(bad, f)
			continue
		}
		addr := strings.ToLower(a.Address)
		if !slices.Contains(out, addr) {
			out = append(out, addr)
		}
	}
	switch len(bad) {
	case 0:
		return out, nil
	case 1:
		return nil, Errorf(EINVALID, "%q is not a valid e-mail address.", bad[0])
	}
	return nil, Errorf(EINVALID, "These are not valid e-mail addresses: %s.", strings.Join(quoteAll(bad), ", "))
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// NormalizePhone returns number in E.164 form, reading numbers without a
// leading + as numbers of region.
func NormalizePhone(number, region string) (string, error) {
	p, err := phonenumbers.Parse(number, strings.ToUpper(region))
	if err != nil || !phonenumbers.IsValidNumber(p) {
		return "", Errorf(EINVALID, "%q is not a phone number that can receive SMS (use the international form, e.g. +14155550100).", number)
	}
	return phonenumbers.Format(p, phonenumbers.E164), nil
}

// ValidRegion reports whether region is a region phonenumbers knows.
func ValidRegion(region string) bool {
	return phonenumbers.GetCountryCodeForRegion(strings.ToUpper(region)) != 0
}

// Validate checks in against the rules and returns the draft to store, or an
// EINVALID error with a message per field. Nothing is partially accepted.
func (r Rules) Validate(in Input) (Draft, error) {
	d := Draft{Audience: in.Audience, Message: strings.TrimSpace(in.Message), Status: in.Status, IncludeLink: in.IncludeLink}
	bad := map[string]string{}
	if d.Audience != Internal && d.Audience != External {
		d.Audience = Internal
	}
	if d.Message == "" {
		bad[FieldMessage] = "Write the update people will read."
	}
	if d.Status == "" {
		bad[FieldStatus] = "Choose the incident status this update reports."
	} else if _, err := ParseStatus(string(d.Status)); err != nil {
		bad[FieldStatus] = ErrorMessage(err)
	}

	rc := &d.Recipients
	if strings.TrimSpace(in.Emails) != "" {
		if emails, err := ParseEmails(in.Emails); err != nil {
			bad[FieldEmails] = ErrorMessage(err)
		} else {
			rc.Emails = emails
		}
	}
	var smsNames []string
	smsNames = append(smsNames, in.SMSNames...)
	for _, name := range in.Audiences {
		g, ok := r.Audiences[name]
		if !ok {
			bad[FieldAudiences] = fmt.Sprintf("There is no audience called %q.", name)
			continue
		}
		rc.Audiences = append(rc.Audiences, name)
		rc.Emails = appendNew(rc.Emails, g.Emails...)
		rc.Channels = appendNew(rc.Channels, g.Channels...)
		smsNames = append(smsNames, g.SMS...)
	}
	rc.Channels = appendNew(rc.Channels, in.Channels...)
	r.resolveSMS(rc, smsNames, in.SMSUsers, bad)

	if len(rc.Emails) > 0 && !r.Media[MediumEmail] {
		bad[FieldEmails] = "E-mail is not configured on this Herald."
	}
	if len(rc.SMS) > 0 && !r.Media[MediumSMS] {
		bad[FieldSMS] = "SMS is not configured on this Herald."
	}
	if sp := in.Statuspage; sp != nil {
		switch {
		case d.Audience != External:
			// Statuspage is public: internal comms never go there.
		case !r.StatuspageActive:
			bad[FieldStatuspage] = "Statuspage is not configured on this Herald."
		case sp.IncidentID == "" && strings.TrimSpace(sp.CreateTitle) == "":
			bad[FieldStatuspageTitle] = "Give the new Statuspage incident a title."
		case utf8.RuneCountInString(sp.CreateTitle) > StatuspageNameMax:
			bad[FieldStatuspageTitle] = fmt.Sprintf("Statuspage titles may have at most %d characters.", StatuspageNameMax)
		default:
			t := *sp
			t.CreateTitle = strings.TrimSpace(t.CreateTitle)
			rc.Statuspage = &t
		}
	}
	if _, ok := bad[FieldMessage]; !ok {
		r.checkLengths(d, r.measure(d), bad)
	}
	if len(bad) == 0 && d.Recipients.Empty() {
		bad[FieldChannels] = "Choose at least one recipient: a channel, an e-mail address, an SMS recipient or Statuspage."
	}
	if err := FieldErrors(bad); err != nil {
		return Draft{}, err
	}
	return d, nil
}

func (r Rules) resolveSMS(rc *Recipients, names []string, users []Person, bad map[string]string) {
	var problems []string
	add := func(p Person) {
		e164, err := NormalizePhone(p.Phone, r.DefaultRegion)
		switch {
		case err != nil && p.Name == p.Phone:
			problems = append(problems, fmt.Sprintf("%q cannot receive SMS: write it in full, e.g. +14155550100.", p.Phone))
			return
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s's phone number %q cannot receive SMS.", p.Name, p.Phone))
			return
		}
		p.Phone = e164
		if !slices.ContainsFunc(rc.SMS, func(q Person) bool { return q.Phone == e164 }) {
			rc.SMS = append(rc.SMS, p)
		}
	}
	for _, name := range names {
		p, ok := r.lookup(name)
		switch {
		case ok:
			add(p)
		case looksLikePhone(name):
			// A number typed in place of a name: someone not in the directory.
			add(Person{Name: name, Phone: name})
		default:
			problems = append(problems, fmt.Sprintf("Nobody called %q is in the directory.", name))
		}
	}
	for _, u := range users {
		if strings.TrimSpace(u.Phone) == "" {
			problems = append(problems, fmt.Sprintf("%s has no phone number on their Slack profile.", u.Name))
			continue
		}
		add(u)
	}
	if len(problems) > 0 {
		bad[FieldSMS] = strings.Join(problems, " ")
	}
}

func (r Rules) lookup(name string) (Person, bool) {
	name = strings.TrimSpace(name)
	if p, ok := r.Directory[name]; ok {
		if p.Name == "" {
			p.Name = name
		}
		return p, true
	}
	for k, p := range r.Directory {
		if strings.EqualFold(k, name) {
			if p.Name == "" {
				p.Name = k
			}
			return p, true
		}
	}
	return Person{}, false
}

// stand-ins for measuring a draft before it belongs to a stored incident: an
// incident id of five digits and a link as long as a Slack permalink.
var (
	standInIncident = Incident{ID: "INC-99999", Severity: SEV1, Permalink: "https://example.slack.com/archives/C0000000000/p1700000000000000",
		StatuspageShortlink: "https://example.slack.com/archives/C0000000000/p1700000000000000"}
)

// measure renders the draft with stand-ins, for checkLengths.
func (r Rules) measure(d Draft) Rendered {
	c := &Comm{IncidentID: standInIncident.ID, Number: 99, Audience: d.Audience, Message: d.Message, Status: d.Status, IncludeLink: d.IncludeLink, Recipients: d.Recipients}
	inc := standInIncident
	inc.Status = d.Status
	return Render(&inc, c, Links{}, r.NormalizeSMS)
}

// checkLengths checks that out, the draft rendered for each medium, fits each
// chosen medium's limits.
func (r Rules) checkLengths(d Draft, out Rendered, bad map[string]string) {
	var over []string
	if n := utf8.RuneCountInString(d.Message); n > MessageMax {
		over = append(over, fmt.Sprintf("the message has %d characters, at most %d fit", n, MessageMax))
	}
	if len(d.Recipients.Channels) > 0 {
		if n := utf8.RuneCountInString(out.Slack.Body); n > SlackTextMax {
			over = append(over, fmt.Sprintf("Slack takes at most %d characters (this is %d)", SlackTextMax, n))
		}
	}
	if len(d.Recipients.SMS) > 0 {
		limit := r.SMSSegmentLimit
		if limit <= 0 {
			limit = DefaultSMSSegmentLimit
		}
		if n := utf8.RuneCountInString(out.SMS.Text); n > SMSMaxChars || out.SMS.Info.Segments > limit {
			over = append(over, fmt.Sprintf("the SMS would be %d segments (%s), at most %d are allowed", out.SMS.Info.Segments, out.SMS.Info.Encoding, limit))
		}
	}
	if d.Recipients.Statuspage != nil && utf8.RuneCountInString(out.Statuspage.Body) > StatuspageBodyMax {
		over = append(over, fmt.Sprintf("Statuspage takes at most %d characters", StatuspageBodyMax))
	}
	if len(over) > 0 {
		bad[FieldMessage] = "Too long: " + strings.Join(over, "; ") + "."
	}
}

func appendNew(list []string, items ...string) []string {
	for _, s := range items {
		if s != "" && !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}

// looksLikePhone reports whether s is written like a phone number: digits,
// perhaps after a +, with spaces, dots, dashes or brackets between them.
func looksLikePhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+ ().-", r):
		default:
			return false
		}
	}
	return digits >= 3
}
