package bot

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/herald-comms/herald/comms"
	"github.com/slack-go/slack"
)

// commInput turns the form into the service's input, looking up the phone
// numbers of the Slack users chosen as SMS recipients. Fields of media that
// are not configured, or not shown for the audience, are left out.
func (b *Bot) commInput(ctx context.Context, f *commForm) comms.Input {
	in := comms.Input{Audience: f.Audience, Message: f.Message, Status: f.Status, IncludeLink: f.Link}
	if in.Audience != comms.External {
		in.Audience = comms.Internal
	}
	if b.mediumOn(comms.MediumEmail) {
		in.Emails = f.Emails
	}
	if len(b.cfg.Audiences) > 0 {
		in.Audiences = f.Audiences
	}
	if b.mediumOn(comms.MediumSMS) {
		in.SMSNames = f.SMSNames
		in.SMSUsers = b.people(ctx, f.SMSUsers)
	}
	if b.mediumOn(comms.MediumSlack) {
		in.Channels = f.Channels
	}
	in.Statuspage = f.statuspageTarget(b.statuspageOn())
	return in
}

// people looks up Slack users (users.info, in parallel) for their name,
// profile phone and e-mail. A user who cannot be looked up comes back
// without a phone, which validation reports on the field. Users found with
// a phone are remembered for a few minutes, so that the submission after a
// preview does not ask Slack again before its ack.
func (b *Bot) people(ctx context.Context, ids []string) []comms.Person {
	out := make([]comms.Person, len(ids))
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i, id := range ids {
		if p, ok := b.phones.get(id); ok {
			out[i] = p
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := comms.Person{Name: id, SlackUser: id}
			u, err := b.api.GetUserInfoContext(ctx, id)
			if err != nil {
				b.log.Warn().Err(err).Str("user", id).Msg("users.info failed")
			} else {
				p.Name = firstNonEmpty(u.RealName, u.Profile.RealName, u.Profile.DisplayName, u.Name, id)
				p.Phone, p.Email = strings.TrimSpace(u.Profile.Phone), u.Profile.Email
				if p.Phone != "" {
					b.phones.put(id, p)
				}
			}
			out[i] = p
		}()
	}
	wg.Wait()
	return out
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// draftComm builds the comm the form describes, for previews. problems are
// the validation messages; the comm is rendered even when there are some.
func (b *Bot) draftComm(ctx context.Context, f *commForm, inc *comms.Incident, userID string) (comms.Comm, []string) {
	in := b.commInput(ctx, f)
	c := comms.Comm{
		IncidentID: inc.ID, Number: inc.CommCount + 1, Author: userID, State: comms.StateDraft,
		Audience: in.Audience, Message: strings.TrimSpace(in.Message), Status: in.Status, IncludeLink: in.IncludeLink,
	}
	if f.CommID != "" {
		if old, err := b.svc.Comm(ctx, f.CommID); err == nil {
			c.ID, c.Number, c.Author, c.State = old.ID, old.Number, old.Author, old.State
		}
	}
	d, err := b.svc.Rules.Validate(in)
	if err == nil {
		c.Recipients = d.Recipients
		return c, nil
	}
	c.Recipients = comms.Recipients{Channels: in.Channels, Statuspage: in.Statuspage}
	if emails, err := comms.ParseEmails(in.Emails); err == nil {
		c.Recipients.Emails = emails
	}
	var problems []string
	fields := comms.ErrorFields(err)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		problems = append(problems, fields[k])
	}
	if len(problems) == 0 {
		problems = append(problems, comms.ErrorMessage(err))
	}
	return c, problems
}

// previewBlocks shows exactly what each medium will receive (comms.Render
// through Service.Preview): the Slack message, the e-mail subject and text,
// the SMS text with its segment count and encoding, and the Statuspage update.
func (b *Bot) previewBlocks(inc *comms.Incident, c *comms.Comm, problems []string) []slack.Block {
	r := b.svc.Preview(inc, c)
	n := c.Recipients.Count()
	var out []slack.Block
	if len(problems) > 0 {
		out = append(out, section(blkPreviewHeader, ":warning: *Fix before sending:*\n• "+escape(strings.Join(problems, "\n• "))))
	}
	if b.mediumOn(comms.MediumSlack) {
		to := "no channel chosen yet"
		if len(c.Recipients.Channels) > 0 {
			var chans []string
			for _, ch := range c.Recipients.Channels {
				chans = append(chans, "<#"+ch+">")
			}
			to = "to " + strings.Join(chans, ", ")
		}
		out = append(out,
			section(blkPrevSlackHead, fmt.Sprintf(":speech_balloon: *Slack message* · %s", to)),
			section(blkPrevSlack, quote("*"+escape(r.Slack.Header)+"*\n"+r.Slack.Body)),
			contextBlock(blkPrevSlackCtx, r.Slack.Context),
		)
	}
	if b.mediumOn(comms.MediumEmail) {
		out = append(out,
			slack.NewDividerBlock(),
			section(blkPrevEmailHead, fmt.Sprintf(":email: *E-mail* · %s", recipientsText(n[comms.MediumEmail], "address", "addresses"))),
			section(blkPrevEmail, "*Subject:* "+escape(r.Email.Subject)+"\n"+codeBlock(escape(r.Email.Text))),
		)
	}
	if b.mediumOn(comms.MediumSMS) {
		out = append(out,
			slack.NewDividerBlock(),
			section(blkPrevSMSHead, fmt.Sprintf(":iphone: *SMS* · %s · %s", recipientsText(n[comms.MediumSMS], "person", "people"), smsInfo(r.SMS.Info))),
			section(blkPrevSMS, codeBlock(escape(r.SMS.Text))),
		)
	}
	if c.Audience == comms.External && b.statuspageOn() {
		target := "no Statuspage incident chosen yet"
		if sp := c.Recipients.Statuspage; sp != nil {
			if sp.Create() {
				target = "creates a new incident “" + escape(sp.CreateTitle) + "”"
			} else {
				target = "updates “" + escape(firstNonEmpty(sp.IncidentName, sp.IncidentID)) + "”"
			}
		}
		notify := "no"
		if r.Statuspage.Notify {
			notify = "yes"
		}
		out = append(out,
			slack.NewDividerBlock(),
			section(blkPrevSPHead, fmt.Sprintf(":globe_with_meridians: *Statuspage* · %s", target)),
			section(blkPrevSP, fmt.Sprintf("*Status:* %s · *Notify subscribers:* %s\n%s", r.Statuspage.Status.Title(), notify, codeBlock(escape(r.Statuspage.Body)))),
		)
	}
	return out
}

// smsInfo reads like "2 segments · GSM-7".
func smsInfo(i comms.SMSInfo) string {
	return fmt.Sprintf("%s · %s", comms.Plural(i.Segments, "segment", "segments"), i.Encoding)
}

func recipientsText(n int, one, many string) string {
	if n == 0 {
		return "no recipients yet"
	}
	return "to " + comms.Plural(n, one, many)
}
