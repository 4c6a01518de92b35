package main

import (
	"fmt"
	"io"
	"strings"
)

const slackSetup = `Create the Slack app from manifest.yaml: at https://api.slack.com/apps choose
"Create New App" → "From an app manifest", paste manifest.yaml, and install it
to your workspace. Then set
  SLACK_BOT_TOKEN  the Bot User OAuth Token (xoxb-…) from "OAuth & Permissions"
  SLACK_APP_TOKEN  an app-level token (xapp-…) with the connections:write scope,
                   from "Basic Information" → "App-Level Tokens"
`

// check validates the configuration and prints which media are enabled.
func check(getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "herald: configuration errors:\n%s\n", indent(err.Error()))
		return 1
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "herald: warning: %s\n", w)
	}
	fmt.Fprint(stdout, describeMedia(cfg))
	if miss := cfg.MissingSlack(); len(miss) > 0 {
		fmt.Fprintf(stderr, "herald: missing %s.\n%s", strings.Join(miss, " and "), slackSetup)
		return 1
	}
	fmt.Fprintln(stdout, "Configuration OK.")
	return 0
}

// describeMedia says, one line per medium, whether it is enabled and how.
func describeMedia(c *Config) string {
	var b strings.Builder
	m := c.Media()
	slack := "tokens set"
	if miss := c.MissingSlack(); len(miss) > 0 {
		slack = "missing " + strings.Join(miss, ", ")
	}
	fmt.Fprintf(&b, "Slack:      %s (API %s)\n", slack, c.SlackAPIURL)
	if m["email"] {
		fmt.Fprintf(&b, "E-mail:     enabled (%s:%d, %s, from %s)\n", c.SMTP.Host, c.SMTP.Port, c.SMTP.TLS, c.SMTP.From)
	} else {
		fmt.Fprintln(&b, "E-mail:     disabled (set SMTP_HOST and SMTP_FROM)")
	}
	if m["sms"] {
		sender := c.Twilio.From
		if sender == "" {
			sender = "messaging service " + c.Twilio.MessagingServiceSID
		}
		fmt.Fprintf(&b, "SMS:        enabled (Twilio account %s, from %s)\n", c.Twilio.AccountSID, sender)
	} else {
		fmt.Fprintln(&b, "SMS:        disabled (set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID)")
	}
	if m["statuspage"] {
		fmt.Fprintf(&b, "Statuspage: enabled (page %s)\n", c.Statuspage.PageID)
	} else {
		fmt.Fprintln(&b, "Statuspage: disabled (set STATUSPAGE_API_KEY and STATUSPAGE_PAGE_ID)")
	}
	f := c.File
	if c.ConfigFile != "" {
		fmt.Fprintf(&b, "Config:     %s: %d approvers, %d approver groups, %d audiences, %d directory entries, self-approval %v\n",
			c.ConfigFile, len(f.Approvers), len(f.ApproverGroups), len(f.Audiences), len(f.Directory), f.AllowSelfApproval)
	} else {
		fmt.Fprintln(&b, "Config:     no HERALD_CONFIG file (approvers: incident commanders only)")
	}
	fmt.Fprintf(&b, "Database:   %s\n", c.DB)
	return b.String()
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
