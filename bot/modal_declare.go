package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/herald-comms/herald/comms"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
)

// declareMeta is the declare modal's private_metadata.
type declareMeta struct {
	Channel string `json:"ch,omitempty"`
}

// openDeclare opens the declare modal: title, severity and commander.
func (b *Bot) openDeclare(ctx context.Context, r *request, title string) {
	md, _ := json.Marshal(declareMeta{Channel: r.channel})
	t := slack.NewPlainTextInputBlockElement(plainText("Checkout fails for some card payments", 150), actTitle)
	t.InitialValue, t.MaxLength = truncate(strings.TrimSpace(title), 200), 200
	var sevs []*slack.OptionBlockObject
	for _, s := range comms.Severities {
		o := option(string(s), string(s))
		o.Description = plainText(severityMeaning(s), maxOptionText)
		sevs = append(sevs, o)
	}
	sev := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Choose a severity", 150), actSeverity, sevs...)
	sev.InitialOption = sevs[2]
	cmd := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plainText("Choose a commander", 150), actCommander)
	cmd.InitialUser = r.user
	v := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbDeclare, PrivateMetadata: string(md),
		Title:  plainText("Declare an incident", maxModalTitle),
		Submit: plainText("Declare", maxModalTitle), Close: plainText("Cancel", maxModalTitle),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			input(blkTitle, "Title", t, false, "Short and specific: what is broken, for whom."),
			input(blkSeverity, "Severity", sev, false, ""),
			input(blkCommander, "Commander", cmd, false, "Leads the response and approves external updates."),
		}},
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := b.api.OpenViewContext(cctx, r.trigger, v); err != nil {
		r.log.Warn().Err(err).Msg("views.open failed for the declare modal")
		b.reply(ctx, r, ":warning: Slack would not open the form in time. Please run the command again.")
	}
}

func severityMeaning(s comms.Severity) string {
	switch s {
	case comms.SEV1:
		return "Critical, customer-facing outage"
	case comms.SEV2:
		return "Major degradation"
	case comms.SEV3:
		return "Minor impact"
	}
	return "No customer impact"
}

// submitDeclare declares the incident, then (after the ack) creates and
// sets up its channel.
func (b *Bot) submitDeclare(ctx context.Context, r *request) {
	var md declareMeta
	_ = json.Unmarshal([]byte(r.cb.View.PrivateMetadata), &md)
	var in comms.DeclareInput
	if st := r.cb.View.State; st != nil {
		in.Title = st.Values[blkTitle][actTitle].Value
		in.Severity = comms.Severity(st.Values[blkSeverity][actSeverity].SelectedOption.Value)
		in.Commander = st.Values[blkCommander][actCommander].SelectedUser
	}
	inc, err := b.svc.Declare(ctx, r.user, in)
	if err != nil {
		errs := map[string]string{}
		for k, msg := range comms.ErrorFields(err) {
			if k == "severity" {
				errs[blkSeverity] = msg
			} else {
				errs[blkTitle] = msg
			}
		}
		if len(errs) == 0 {
			errs[blkTitle] = comms.ErrorMessage(err)
		}
		r.ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	r.ack(nil)
	log := r.log.With().Str("incident_id", inc.ID).Logger()
	log.Info().Str("severity", string(inc.Severity)).Msg("incident declared")
	b.setupIncident(ctx, log, inc, r.user, md.Channel)
}

// setupIncident creates the incident channel inc-<n>-<slug> (with -2, -3…
// when the name is taken), invites the declarer and the commander, records
// the channel, and has the summary posted and pinned.
func (b *Bot) setupIncident(ctx context.Context, log zerolog.Logger, inc comms.Incident, declarer, origin string) {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ch, err := b.createChannel(cctx, inc.DefaultChannelName())
	if err != nil {
		log.Error().Err(err).Msg("could not create the incident channel")
		if origin != "" {
			_ = b.ephemeral(ctx, origin, declarer, fmt.Sprintf(":warning: %s is declared, but Herald could not create its channel: %s", inc.ID, slackErr(err)))
		}
		return
	}
	var invite []string
	for _, u := range []string{declarer, inc.Commander} {
		if u != "" && u != b.botUserID() && !contains(invite, u) {
			invite = append(invite, u)
		}
	}
	if len(invite) > 0 {
		if _, err := b.api.InviteUsersToConversationContext(cctx, ch.ID, invite...); err != nil {
			log.Warn().Err(err).Msg("could not invite the declarer and commander")
		}
	}
	if _, err := b.svc.AttachSlack(cctx, inc.ID, comms.SlackRefs{Channel: ch.ID, ChannelName: ch.Name}); err != nil {
		log.Error().Err(err).Msg("could not record the incident channel")
		return
	}
	b.RefreshSummary(ctx, inc.ID)
	if origin != "" && origin != ch.ID {
		note := fmt.Sprintf(":rotating_light: Declared *%s* (%s): %s. Join <#%s>.", inc.ID, inc.Severity, escape(inc.Title), ch.ID)
		if err := b.ephemeral(ctx, origin, declarer, note); err != nil {
			log.Debug().Err(err).Msg("could not confirm the declaration where it was asked")
		}
	}
}

// createChannel creates a public channel, adding -2, -3… while the name is taken.
func (b *Bot) createChannel(ctx context.Context, name string) (*slack.Channel, error) {
	for i := 1; i <= 20; i++ {
		try := name
		if i > 1 {
			suffix := fmt.Sprintf("-%d", i)
			try = truncateBytes(name, 80-len(suffix)) + suffix
		}
		ch, err := b.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: try})
		var se slack.SlackErrorResponse
		if errors.As(err, &se) && se.Err == "name_taken" {
			continue
		}
		if err != nil {
			return nil, err
		}
		return ch, nil
	}
	return nil, fmt.Errorf("bot: every name from %s to %s-20 is taken", name, name)
}

func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.TrimRight(s[:n], "-")
}

// slackErr is a Slack error's code, safe to show.
func slackErr(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return "Slack did not answer"
}
