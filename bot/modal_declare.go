package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
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
	t.InitialValue, t.MaxLength = comms.Truncate(strings.TrimSpace(title), 200), 200
	var sevs []*slack.OptionBlockObject
	for _, s := range comms.Severities {
		o := option(string(s), string(s))
		o.Description = plainText(severityMeaning(s), maxOptionText)
		sevs = append(sevs, o)
	}
	// Radio buttons, not a select: only they show each option's meaning.
	sev := slack.NewRadioButtonsBlockElement(actSeverity, sevs...)
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
	if _, err := b.openView(ctx, r, v); err != nil {
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
			if k == comms.FieldSeverity {
				errs[blkSeverity] = msg
			} else {
				errs[blkTitle] = msg
			}
		}
		if len(errs) == 0 {
			errs[blkTitle] = comms.ErrorMessage(err)
		}
		b.ackOrTell(ctx, r, md.Channel, slack.NewErrorsViewSubmissionResponse(errs),
			":warning: The declare form closed before Herald could show what is wrong: "+strings.Join(slices.Sorted(maps.Values(errs)), " ")+
				" Nothing was declared. Run `/incident new` again.")
		return
	}
	r.ack(nil)
	log := r.log.With().Str("incident_id", inc.ID).Logger()
	log.Info().Str("severity", string(inc.Severity)).Msg("incident declared")
	ch := b.setupIncident(ctx, log, inc, r.user, md.Channel)
	if ch != nil && md.Channel != "" && md.Channel != ch.ID {
		note := fmt.Sprintf(":rotating_light: Declared *%s* (%s): %s. Join <#%s>.", inc.ID, inc.Severity, escape(inc.Title), ch.ID)
		if err := b.ephemeral(ctx, md.Channel, r.user, note); err != nil {
			log.Debug().Err(err).Msg("could not confirm the declaration where it was asked")
		}
	}
}

// setupIncident creates the incident channel inc-<n>-<slug> (with -2, -3…
// when the name is taken), invites the declarer, the commander and asker,
// records the channel, and has the summary posted and pinned. When the
// channel cannot be created it tells asker, with a Create channel button to
// try again, and returns nil: the incident stays declared without one.
func (b *Bot) setupIncident(ctx context.Context, log zerolog.Logger, inc comms.Incident, asker, origin string) *slack.Channel {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ch, err := b.createChannel(cctx, inc.DefaultChannelName())
	if err != nil {
		log.Error().Err(err).Msg("could not create the incident channel")
		text := fmt.Sprintf(":warning: *%s* is declared, but Herald could not create its channel (%s). "+
			"Its pinned summary and approval cards need one: press *Create channel* to try again, or find the same button later in `/incident list`.",
			inc.ID, slackErr(err))
		retry := slack.NewActionBlock(blkListActions, button(actCreateChannel, inc.ID, "Create channel", slack.StylePrimary))
		if err := b.tell(ctx, origin, asker, text, section("", text), retry); err != nil {
			log.Warn().Err(err).Msg("could not tell that the incident channel is missing")
		}
		return nil
	}
	var invite []string
	for _, u := range []string{inc.DeclaredBy, inc.Commander, asker} {
		if u != "" && u != b.botUserID() && !slices.Contains(invite, u) {
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
		return nil
	}
	b.RefreshSummary(ctx, inc.ID)
	return ch
}

// actCreateChannel tries again to create the channel of an incident
// declared without one.
func (b *Bot) actCreateChannel(ctx context.Context, r *request) {
	r.ack(nil)
	inc, ok := b.loadIncident(ctx, r, r.action().Value)
	if !ok {
		return
	}
	if inc.Channel != "" {
		b.reply(ctx, r, fmt.Sprintf("%s already has its channel: <#%s>.", inc.ID, inc.Channel))
		return
	}
	if !b.startCreating(inc.ID) {
		b.reply(ctx, r, fmt.Sprintf("Herald is already creating the channel of %s; it appears in a moment.", inc.ID))
		return
	}
	defer b.doneCreating(inc.ID)
	log := r.log.With().Str("incident_id", inc.ID).Logger()
	if ch := b.setupIncident(ctx, log, inc, r.user, r.channel); ch != nil {
		log.Info().Msg("incident channel created on request")
		b.reply(ctx, r, fmt.Sprintf(":white_check_mark: Created <#%s> for %s.", ch.ID, inc.ID))
	}
}

// startCreating claims the creation of an incident's channel, so that two
// presses of Create channel make one channel.
func (b *Bot) startCreating(incidentID string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.creating[incidentID] {
		return false
	}
	if b.creating == nil {
		b.creating = map[string]bool{}
	}
	b.creating[incidentID] = true
	return true
}

func (b *Bot) doneCreating(incidentID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.creating, incidentID)
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
