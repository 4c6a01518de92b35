package comms

import (
	"fmt"
	"html"
	"regexp"
	"strings"
)

// Links are the configured parts of the incident link.
type Links struct {
	PublicURL string // public status URL used for external comms when there is no Statuspage shortlink
}

// Rendered is one comm as each medium will receive it. Preview shows exactly
// this, and the senders send exactly this.
type Rendered struct {
	Slack      SlackMessage
	Email      EmailMessage
	SMS        SMSMessage
	Statuspage StatuspageUpdate
	Link       string // the incident link included, if any
}

// SlackMessage is a comm for Slack: Block Kit-ready parts plus the fallback
// text used for notifications.
type SlackMessage struct {
	Text    string // fallback and notification text, ≤ 4,000 characters
	Header  string // plain text, ≤ 150 characters
	Body    string // mrkdwn for one section block
	Context string // mrkdwn for a context block
}

// EmailMessage is a comm as an e-mail.
type EmailMessage struct {
	Subject string
	Text    string
	HTML    string
}

// SMSMessage is a comm as an SMS.
type SMSMessage struct {
	Text string
	Info SMSInfo
}

// StatuspageUpdate is a comm as a Statuspage incident update.
type StatuspageUpdate struct {
	Name   string // incident name, used when creating
	Status Status
	Body   string
	Notify bool
}

// IncidentLink returns the link a comm includes: the Slack permalink for
// internal comms, the Statuspage shortlink or the public URL for external
// ones.
func IncidentLink(inc *Incident, c *Comm, l Links) string {
	if c.Audience == Internal {
		return inc.Permalink
	}
	if inc.StatuspageShortlink != "" {
		return inc.StatuspageShortlink
	}
	return l.PublicURL
}

// Render renders c about inc for every medium.
func Render(inc *Incident, c *Comm, l Links, normalizeSMS bool) Rendered {
	var r Rendered
	if c.IncludeLink {
		r.Link = IncidentLink(inc, c, l)
	}
	status := c.Status.Title()
	title := inc.Title
	if title == "" {
		title = "Incident"
	}

	r.Slack.Header = Truncate(fmt.Sprintf("%s · %s · %s", inc.ID, status, title), 150)
	r.Slack.Body = c.Message
	if r.Link != "" {
		r.Slack.Body += fmt.Sprintf("\n\n<%s|Incident details>", r.Link)
	}
	r.Slack.Context = fmt.Sprintf("%s · %s update #%d · %s", inc.Severity, c.Audience.Title(), c.Number, status)
	if c.Author != "" {
		r.Slack.Context += fmt.Sprintf(" · by <@%s>", c.Author)
	}
	r.Slack.Text = Truncate(fmt.Sprintf("%s %s: %s", inc.ID, status, plain(c.Message)), 4000)

	plainMsg := plain(c.Message)
	r.Email.Subject = fmt.Sprintf("[%s · %s] %s", inc.ID, status, title)
	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\nStatus: %s\nSeverity: %s\n", plainMsg, status, inc.Severity)
	if r.Link != "" {
		fmt.Fprintf(&text, "Details: %s\n", r.Link)
	}
	r.Email.Text = text.String()
	var h strings.Builder
	fmt.Fprintf(&h, "<p>%s</p>\n<p><b>Status:</b> %s<br>\n<b>Severity:</b> %s</p>\n",
		htmlFromMrkdwn(c.Message), html.EscapeString(status), html.EscapeString(string(inc.Severity)))
	if r.Link != "" {
		fmt.Fprintf(&h, "<p><a href=\"%s\">Incident details</a></p>\n", html.EscapeString(r.Link))
	}
	r.Email.HTML = h.String()

	sms := fmt.Sprintf("%s %s: %s", inc.ID, status, plainMsg)
	if r.Link != "" {
		sms += " " + r.Link
	}
	if normalizeSMS {
		sms = NormalizeSMS(sms)
	}
	r.SMS = SMSMessage{Text: sms, Info: MeasureSMS(sms)}

	r.Statuspage = StatuspageUpdate{Name: inc.Title, Status: c.Status, Body: plainMsg}
	if sp := c.Recipients.Statuspage; sp != nil {
		r.Statuspage.Notify = sp.Notify
		if sp.CreateTitle != "" {
			r.Statuspage.Name = sp.CreateTitle
		}
	}
	return r
}

var (
	slackLink  = regexp.MustCompile(`<((?:https?|mailto):[^|>]+)\|([^>]+)>`)
	slackURL   = regexp.MustCompile(`<((?:https?|mailto):[^|>]+)>`)
	slackStyle = regexp.MustCompile(`(^|[\s(])[*_~]([^*_~\n]+)[*_~]`)
)

// anyLink finds both Slack link forms, <url|text> and <url>.
var anyLink = regexp.MustCompile(`<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>`)

// htmlStyles turn mrkdwn emphasis into HTML, applied to escaped text.
var htmlStyles = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`(^|[\s(])\*([^*\n]+)\*`), "$1<b>$2</b>"},
	{regexp.MustCompile(`(^|[\s(])_([^_\n]+)_`), "$1<i>$2</i>"},
	{regexp.MustCompile(`(^|[\s(])~([^~\n]+)~`), "$1<s>$2</s>"},
}

// htmlFromMrkdwn turns the Slack mrkdwn subset into HTML for e-mail: links
// stay links, emphasis stays emphasis, and everything else is escaped.
func htmlFromMrkdwn(s string) string {
	s = strings.TrimSpace(strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s))
	var b strings.Builder
	text := func(t string) {
		t = html.EscapeString(t)
		for _, st := range htmlStyles {
			t = st.re.ReplaceAllString(t, st.repl)
		}
		b.WriteString(strings.ReplaceAll(t, "\n", "<br>\n"))
	}
	last := 0
	for _, m := range anyLink.FindAllStringSubmatchIndex(s, -1) {
		text(s[last:m[0]])
		url := s[m[2]:m[3]]
		label := url
		if m[4] >= 0 {
			label = s[m[4]:m[5]]
		}
		fmt.Fprintf(&b, `<a href="%s">%s</a>`, html.EscapeString(url), html.EscapeString(label))
		last = m[1]
	}
	text(s[last:])
	return b.String()
}

// plain turns the Slack mrkdwn subset into plain text for e-mail, SMS and
// Statuspage: links become "text (url)" and emphasis marks go.
func plain(s string) string {
	s = slackLink.ReplaceAllString(s, "$2 ($1)")
	s = slackURL.ReplaceAllString(s, "$1")
	s = slackStyle.ReplaceAllString(s, "$1$2")
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
	return strings.TrimSpace(s)
}
