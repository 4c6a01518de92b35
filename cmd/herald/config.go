package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/mail"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/herald-comms/herald/comms"
)

// Config is everything Herald reads from its environment and optional YAML
// file (DESIGN.md §5). Only this package reads them.
type Config struct {
	SlackAppToken string
	SlackBotToken string
	SlackAPIURL   string
	DB            string
	ConfigFile    string
	HTTPAddr      string
	LogLevel      string
	LogFormat     string

	SMTP       SMTPConfig
	Twilio     TwilioConfig
	Statuspage StatuspageConfig

	File FileConfig

	// Warnings are problems that do not stop Herald, such as unknown fields
	// in the YAML file.
	Warnings []string
}

// SMTPConfig configures e-mail; it is enabled when Host and From are set.
type SMTPConfig struct {
	Host, Username, Password, From, TLS string
	Port                                int
}

// TwilioConfig configures SMS; it is enabled with credentials and a sender.
type TwilioConfig struct {
	AccountSID, AuthToken, From, MessagingServiceSID, APIURL string
}

// StatuspageConfig configures Statuspage; enabled with a key and a page.
type StatuspageConfig struct {
	APIKey, PageID, APIURL string
}

// FileConfig is the optional YAML file: policy, audiences, directory,
// cadence and delivery tuning.
type FileConfig struct {
	Approvers          []string                  `yaml:"approvers"`
	ApproverGroups     []string                  `yaml:"approver_groups"`
	AllowSelfApproval  bool                      `yaml:"allow_self_approval"`
	DefaultPhoneRegion string                    `yaml:"default_phone_region"`
	SMSSegmentLimit    int                       `yaml:"sms_segment_limit"`
	NormalizeSMS       *bool                     `yaml:"normalize_sms"`
	PublicURL          string                    `yaml:"public_url"`
	Audiences          map[string]AudienceConfig `yaml:"audiences"`
	Directory          map[string]PersonConfig   `yaml:"directory"`
	Cadence            map[string]string         `yaml:"cadence"`
	Delivery           map[string]LaneConfig     `yaml:"delivery"`

	// Other spellings people reach for, folded into the fields above.
	ApproverGroup string            `yaml:"approver_group"`
	UpdateCadence map[string]string `yaml:"update_cadence"`
}

// mergeAliases folds the other spellings into the canonical fields.
func (f *FileConfig) mergeAliases() {
	if f.ApproverGroup != "" && !slices.Contains(f.ApproverGroups, f.ApproverGroup) {
		f.ApproverGroups = append(f.ApproverGroups, f.ApproverGroup)
	}
	for k, v := range f.UpdateCadence {
		if f.Cadence == nil {
			f.Cadence = map[string]string{}
		}
		if _, ok := f.Cadence[k]; !ok {
			f.Cadence[k] = v
		}
	}
}

// AudienceConfig is a named group of recipients.
type AudienceConfig struct {
	Emails   []string `yaml:"emails"`
	SMS      []string `yaml:"sms"`
	Channels []string `yaml:"channels"`
}

// PersonConfig is a directory entry: {phone, email}, or just the phone
// number as a string.
type PersonConfig struct {
	Phone string `yaml:"phone"`
	Email string `yaml:"email"`
}

// UnmarshalYAML accepts "Dana: +14155550101" as well as the mapping.
func (p *PersonConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		p.Phone = n.Value
		return nil
	}
	type plain PersonConfig
	return n.Decode((*plain)(p))
}

// UnmarshalYAML accepts a plain list of recipients as well as the mapping:
// addresses with @ are e-mails, C… or G… ids are channels, anything else is
// a directory name.
func (a *AudienceConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		type plain AudienceConfig
		return n.Decode((*plain)(a))
	}
	var items []string
	if err := n.Decode(&items); err != nil {
		return err
	}
	for _, it := range items {
		switch {
		case strings.Contains(it, "@"):
			a.Emails = append(a.Emails, it)
		case len(it) > 1 && (it[0] == 'C' || it[0] == 'G') && strings.ToUpper(it) == it:
			a.Channels = append(a.Channels, it)
		default:
			a.SMS = append(a.SMS, it)
		}
	}
	return nil
}

// LaneConfig overrides one delivery lane's limits.
type LaneConfig struct {
	Rate        float64 `yaml:"rate"`  // per second
	Burst       int     `yaml:"burst"` // tokens
	Concurrency int     `yaml:"concurrency"`
	MaxAttempts int     `yaml:"max_attempts"`
}

// LoadConfig reads the environment through getenv and, when HERALD_CONFIG
// names one, the YAML file. Every problem is reported, each naming its
// variable or field.
func LoadConfig(getenv func(string) string) (*Config, error) {
	env := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		SlackAppToken: env("SLACK_APP_TOKEN", ""),
		SlackBotToken: env("SLACK_BOT_TOKEN", ""),
		SlackAPIURL:   env("HERALD_SLACK_API_URL", "https://slack.com/api/"),
		DB:            env("HERALD_DB", "herald.db"),
		ConfigFile:    env("HERALD_CONFIG", ""),
		HTTPAddr:      env("HERALD_HTTP_ADDR", ""),
		LogLevel:      env("HERALD_LOG_LEVEL", "info"),
		LogFormat:     env("HERALD_LOG_FORMAT", "console"),
		SMTP: SMTPConfig{Host: env("SMTP_HOST", ""), Username: env("SMTP_USERNAME", ""), Password: getenv("SMTP_PASSWORD"),
			From: env("SMTP_FROM", ""), TLS: strings.ToLower(env("SMTP_TLS", "starttls"))},
		Twilio: TwilioConfig{AccountSID: env("TWILIO_ACCOUNT_SID", ""), AuthToken: env("TWILIO_AUTH_TOKEN", ""),
			From: env("TWILIO_FROM", ""), MessagingServiceSID: env("TWILIO_MESSAGING_SERVICE_SID", ""), APIURL: env("HERALD_TWILIO_API_URL", "")},
		Statuspage: StatuspageConfig{APIKey: env("STATUSPAGE_API_KEY", ""), PageID: env("STATUSPAGE_PAGE_ID", ""),
			APIURL: env("HERALD_STATUSPAGE_API_URL", "https://api.statuspage.io/v1")},
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}
	if c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken, "xapp-") {
		bad("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
	}
	if c.SlackBotToken != "" && !strings.HasPrefix(c.SlackBotToken, "xoxb-") {
		bad("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error", "trace"}, c.LogLevel) {
		bad("HERALD_LOG_LEVEL %q: use debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "json" && c.LogFormat != "console" {
		bad("HERALD_LOG_FORMAT %q: use json or console", c.LogFormat)
	}

	defPort := map[string]int{"starttls": 587, "tls": 465, "none": 25}
	if _, ok := defPort[c.SMTP.TLS]; !ok {
		bad("SMTP_TLS %q: use starttls, tls or none", c.SMTP.TLS)
	}
	c.SMTP.Port = defPort[c.SMTP.TLS]
	if p := env("SMTP_PORT", ""); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			bad("SMTP_PORT %q is not a port number", p)
		}
		c.SMTP.Port = n
	}
	if (c.SMTP.Host == "") != (c.SMTP.From == "") {
		bad("e-mail needs both SMTP_HOST and SMTP_FROM (only one is set)")
	}
	if c.SMTP.From != "" {
		// An address, or "Name <address>"; without a name, mail comes
		// from "Herald", so inboxes show who is writing.
		switch a, err := mail.ParseAddress(c.SMTP.From); {
		case err != nil:
			bad("SMTP_FROM %q is not an e-mail address (use ops@example.com or \"Herald <ops@example.com>\")", c.SMTP.From)
		case a.Name == "":
			a.Name = "Herald"
			c.SMTP.From = a.String()
		}
	}
	if (c.SMTP.Username == "") != (c.SMTP.Password == "") {
		bad("SMTP authentication needs both SMTP_USERNAME and SMTP_PASSWORD")
	}

	tw := c.Twilio
	if tw.AccountSID != "" || tw.AuthToken != "" || tw.From != "" || tw.MessagingServiceSID != "" {
		switch {
		case tw.AccountSID == "" || tw.AuthToken == "":
			bad("SMS needs both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
		case tw.From == "" && tw.MessagingServiceSID == "":
			bad("SMS needs TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID")
		case tw.From != "" && tw.MessagingServiceSID != "":
			bad("set only one of TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID")
		}
	}
	sp := c.Statuspage
	if (sp.APIKey == "") != (sp.PageID == "") {
		bad("Statuspage needs both STATUSPAGE_API_KEY and STATUSPAGE_PAGE_ID")
	}

	if c.ConfigFile != "" {
		if err := c.loadFile(); err != nil {
			bad("%s", err)
		}
	}
	if tw.From != "" && c.Twilio.AccountSID != "" {
		if _, err := comms.NormalizePhone(tw.From, c.region()); err != nil {
			bad("TWILIO_FROM: %s", comms.ErrorMessage(err))
		}
	}
	if len(problems) > 0 {
		return c, errors.New(strings.Join(problems, "\n"))
	}
	return c, nil
}

func (c *Config) region() string {
	if c.File.DefaultPhoneRegion == "" {
		return "US"
	}
	return c.File.DefaultPhoneRegion
}

func (c *Config) loadFile() error {
	data, err := os.ReadFile(c.ConfigFile)
	if err != nil {
		return fmt.Errorf("HERALD_CONFIG: %w", err)
	}
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&c.File); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %s", c.ConfigFile, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	// Fields Herald does not know are most likely typos: they are named as
	// warnings (herald check prints them, herald run logs them) rather than
	// stopping Herald, whose other settings are fine.
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	var te *yaml.TypeError
	if err := strict.Decode(&FileConfig{}); errors.As(err, &te) {
		for _, e := range te.Errors {
			if strings.Contains(e, "not found in type") {
				field := strings.TrimSuffix(e[strings.Index(e, "field ")+len("field "):], e[strings.Index(e, " not found in type"):])
				c.Warnings = append(c.Warnings, fmt.Sprintf("%s: %s: unknown field %q is ignored", c.ConfigFile, e[:strings.Index(e, ":")], field))
			}
		}
	}
	c.File.mergeAliases()
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: ", c.ConfigFile)+fmt.Sprintf(format, args...))
	}
	f := &c.File
	if f.DefaultPhoneRegion != "" && !comms.ValidRegion(f.DefaultPhoneRegion) {
		bad("default_phone_region %q is not an ISO 3166 region such as US or GB", f.DefaultPhoneRegion)
	}
	if f.SMSSegmentLimit < 0 || f.SMSSegmentLimit > 10 {
		bad("sms_segment_limit %d: use 1 to 10", f.SMSSegmentLimit)
	}
	for _, id := range f.Approvers {
		if !strings.HasPrefix(id, "U") && !strings.HasPrefix(id, "W") {
			bad("approvers: %q is not a Slack user id (U…)", id)
		}
	}
	for _, id := range f.ApproverGroups {
		if !strings.HasPrefix(id, "S") {
			bad("approver_groups: %q is not a Slack user group id (S…)", id)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(f.Directory)) {
		p := f.Directory[name]
		if _, err := comms.NormalizePhone(p.Phone, c.region()); err != nil {
			bad("directory.%s.phone: %s", name, comms.ErrorMessage(err))
		}
		if p.Email != "" {
			if _, err := comms.ParseEmails(p.Email); err != nil {
				bad("directory.%s.email: %s", name, comms.ErrorMessage(err))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(f.Audiences)) {
		a := f.Audiences[name]
		if _, err := comms.ParseEmails(strings.Join(a.Emails, " ")); err != nil {
			bad("audiences.%s.emails: %s", name, comms.ErrorMessage(err))
		}
		for _, n := range a.SMS {
			if _, ok := f.Directory[n]; !ok {
				bad("audiences.%s.sms: %q is not in the directory", name, n)
			}
		}
		for _, ch := range a.Channels {
			if !strings.HasPrefix(ch, "C") && !strings.HasPrefix(ch, "G") {
				bad("audiences.%s.channels: %q is not a Slack channel id (C…)", name, ch)
			}
		}
	}
	for _, sev := range slices.Sorted(maps.Keys(f.Cadence)) {
		if _, err := comms.ParseSeverity(sev); err != nil {
			bad("cadence.%s: %s", sev, comms.ErrorMessage(err))
		}
		if d, err := parseCadence(f.Cadence[sev]); err != nil || d <= 0 {
			bad("cadence.%s: %q is not a duration such as 30m", sev, f.Cadence[sev])
		}
	}
	for _, m := range slices.Sorted(maps.Keys(f.Delivery)) {
		if !slices.Contains(comms.Media, comms.Medium(m)) {
			bad("delivery.%s: not a medium (slack, email, sms, statuspage)", m)
		}
		if l := f.Delivery[m]; l.Rate < 0 || l.Burst < 0 || l.Concurrency < 0 || l.MaxAttempts < 0 {
			bad("delivery.%s: limits cannot be negative", m)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// MissingSlack names the Slack variables that are not set.
func (c *Config) MissingSlack() []string {
	var miss []string
	if c.SlackAppToken == "" {
		miss = append(miss, "SLACK_APP_TOKEN")
	}
	if c.SlackBotToken == "" {
		miss = append(miss, "SLACK_BOT_TOKEN")
	}
	return miss
}

// Media reports which media are configured. Slack is always on.
func (c *Config) Media() map[comms.Medium]bool {
	return map[comms.Medium]bool{
		comms.MediumSlack:      true,
		comms.MediumEmail:      c.SMTP.Host != "" && c.SMTP.From != "",
		comms.MediumSMS:        c.Twilio.AccountSID != "" && c.Twilio.AuthToken != "" && (c.Twilio.From != "" || c.Twilio.MessagingServiceSID != ""),
		comms.MediumStatuspage: c.Statuspage.APIKey != "" && c.Statuspage.PageID != "",
	}
}

// Rules turns the file's directory and audiences into validation rules.
func (c *Config) Rules() comms.Rules {
	f := c.File
	r := comms.Rules{
		DefaultRegion:    c.region(),
		SMSSegmentLimit:  f.SMSSegmentLimit,
		NormalizeSMS:     f.NormalizeSMS == nil || *f.NormalizeSMS,
		Directory:        map[string]comms.Person{},
		Audiences:        map[string]comms.AudienceGroup{},
		Media:            c.Media(),
		StatuspageActive: c.Media()[comms.MediumStatuspage],
	}
	for name, p := range f.Directory {
		r.Directory[name] = comms.Person{Name: name, Phone: p.Phone, Email: p.Email}
	}
	for name, a := range f.Audiences {
		emails, _ := comms.ParseEmails(strings.Join(a.Emails, " ")) // checked by LoadConfig; lower-cased like typed ones
		r.Audiences[name] = comms.AudienceGroup{Emails: emails, SMS: a.SMS, Channels: a.Channels}
	}
	return r
}

// Cadence returns how often an update is due per severity.
func (c *Config) Cadence() map[comms.Severity]time.Duration {
	out := map[comms.Severity]time.Duration{comms.SEV1: 30 * time.Minute, comms.SEV2: time.Hour}
	for k, v := range c.File.Cadence {
		sev, _ := comms.ParseSeverity(k)
		d, _ := parseCadence(v)
		out[sev] = d
	}
	return out
}

// mask shows that a secret is set without showing any of it, but for the
// kind of Slack token, which is no secret and tells a mix-up at a glance.
func mask(s string) string {
	switch {
	case s == "":
		return "(not set)"
	case strings.HasPrefix(s, "xoxb-"), strings.HasPrefix(s, "xapp-"):
		return s[:5] + "…(set)"
	}
	return "(set)"
}

// String prints the configuration with every secret masked.
func (c *Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "SLACK_APP_TOKEN=%s SLACK_BOT_TOKEN=%s HERALD_SLACK_API_URL=%s HERALD_DB=%s\n",
		mask(c.SlackAppToken), mask(c.SlackBotToken), c.SlackAPIURL, c.DB)
	fmt.Fprintf(&b, "SMTP %s:%d tls=%s from=%s user=%s password=%s\n", c.SMTP.Host, c.SMTP.Port, c.SMTP.TLS, c.SMTP.From, c.SMTP.Username, mask(c.SMTP.Password))
	fmt.Fprintf(&b, "Twilio account=%s token=%s from=%s service=%s\n", c.Twilio.AccountSID, mask(c.Twilio.AuthToken), c.Twilio.From, c.Twilio.MessagingServiceSID)
	fmt.Fprintf(&b, "Statuspage page=%s key=%s url=%s\n", c.Statuspage.PageID, mask(c.Statuspage.APIKey), c.Statuspage.APIURL)
	return b.String()
}

// parseCadence reads "30m", "1h" or a bare number of minutes.
func parseCadence(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		return time.Duration(n) * time.Minute, nil
	}
	return time.ParseDuration(s)
}
