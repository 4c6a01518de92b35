package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/herald-comms/herald/comms"
	"github.com/slack-go/slack"
)

// usage is the help text; unknown input gets it rather than silence.
const usage = "*Herald* keeps everyone up to date during an incident.\n" +
	"`/incident new [title]` declare an incident and open its channel\n" +
	"`/incident comm` draft, preview, approve and send a status update\n" +
	"`/incident comms` list this incident's updates\n" +
	"`/incident timeline [export]` latest timeline entries, or the full verifiable export\n" +
	"`/incident status <investigating|identified|monitoring|resolved>` change the status\n" +
	"`/incident severity <SEV1|SEV2|SEV3|SEV4>` change the severity\n" +
	"`/incident commander @person` hand the incident to a new commander\n" +
	"`/incident note <text>` add a note to the timeline\n" +
	"`/incident list` open incidents\n" +
	"`/incident resolve` resolve this incident\n" +
	"`/incident help` this help"

func (b *Bot) cmdHelp(ctx context.Context, r *request) {
	b.reply(ctx, r, usage, section("", usage))
}

// cmdUsage answers input Herald does not understand.
func (b *Bot) cmdUsage(ctx context.Context, r *request) {
	what := strings.TrimSpace(r.cmd.Command + " " + r.cmd.Text)
	text := fmt.Sprintf("Herald does not know `%s`.\n\n%s", escape(comms.Truncate(what, 200)), usage)
	b.reply(ctx, r, text, section("", text))
}

// cmdNew opens the declare modal, with the title typed after "new".
func (b *Bot) cmdNew(ctx context.Context, r *request) {
	r.ack(nil)
	b.openDeclare(ctx, r, r.args)
}

// cmdComm opens the comm modal for this channel's incident, or first asks
// which open incident when the channel is not an incident channel.
func (b *Bot) cmdComm(ctx context.Context, r *request) {
	r.ack(nil)
	inc, err := b.svc.IncidentByChannel(ctx, r.channel)
	if err == nil {
		if !inc.Open() {
			b.reply(ctx, r, fmt.Sprintf("%s is resolved. Reopen it with `/incident status investigating` before posting updates.", inc.ID))
			return
		}
		b.openComm(ctx, r, newForm(&inc, r.channel), &inc)
		return
	}
	if !errNotFound(err) {
		b.replyErr(ctx, r, "incident by channel", err)
		return
	}
	b.openPicker(ctx, r)
}

// incidentHere finds this channel's incident, telling the user why not when
// there is none.
func (b *Bot) incidentHere(ctx context.Context, r *request) (comms.Incident, bool) {
	inc, err := b.svc.IncidentByChannel(ctx, r.channel)
	if err == nil {
		return inc, true
	}
	if !errNotFound(err) {
		b.replyErr(ctx, r, "incident by channel", err)
		return comms.Incident{}, false
	}
	var text string
	if !b.canSee(ctx, r.channel) {
		text = "Herald cannot see this channel (a private channel or conversation it is not in), so it cannot tell which incident you mean. Run the command in the incident's channel."
	} else {
		text = "This is not an incident channel. Run the command in the incident's channel."
	}
	if list := b.openList(ctx); list != "" {
		text += "\n\n" + list
	}
	b.reply(ctx, r, text, section("", text))
	return comms.Incident{}, false
}

// canSee reports whether Herald can read the channel at all.
func (b *Bot) canSee(ctx context.Context, channel string) bool {
	if channel == "" {
		return false
	}
	_, err := b.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && (se.Err == "channel_not_found" || se.Err == "not_in_channel" || se.Err == "missing_scope") {
		return false
	}
	return true
}

// openList lists the open incidents with their channels, or "".
func (b *Bot) openList(ctx context.Context) string {
	open, err := b.svc.OpenIncidents(ctx)
	if err != nil || len(open) == 0 {
		return ""
	}
	lines := []string{"*Open incidents*"}
	for i, inc := range open {
		if i == 20 {
			lines = append(lines, fmt.Sprintf("…and %d more", len(open)-20))
			break
		}
		where := " · no channel yet"
		if inc.Channel != "" {
			where = " · <#" + inc.Channel + ">"
		}
		lines = append(lines, fmt.Sprintf("• *%s* %s · %s · %s%s", inc.ID, escape(comms.Truncate(inc.Title, 80)), inc.Severity, inc.Status.Title(), where))
	}
	return strings.Join(lines, "\n")
}

// cmdList lists the open incidents, with a Create channel button for each
// one whose channel could not be created.
func (b *Bot) cmdList(ctx context.Context, r *request) {
	r.ack(nil)
	list := b.openList(ctx)
	if list == "" {
		list = "No open incidents. Declare one with `/incident new`."
	}
	blocks := []slack.Block{section("", list)}
	if open, err := b.svc.OpenIncidents(ctx); err == nil {
		var els []slack.BlockElement
		for _, inc := range open {
			if inc.Channel == "" && len(els) < 5 {
				els = append(els, button(actCreateChannel, inc.ID, "Create channel for "+inc.ID, ""))
			}
		}
		if len(els) > 0 {
			blocks = append(blocks, slack.NewActionBlock(blkListActions, els...))
		}
	}
	b.reply(ctx, r, list, blocks...)
}

// cmdStatus changes the incident's status.
func (b *Bot) cmdStatus(ctx context.Context, r *request) {
	r.ack(nil)
	if r.args == "" {
		b.reply(ctx, r, "Say which status: `/incident status investigating|identified|monitoring|resolved`.")
		return
	}
	st, err := comms.ParseStatus(r.args)
	if err != nil {
		b.replyErr(ctx, r, "parse status", err)
		return
	}
	b.changeStatus(ctx, r, st)
}

func (b *Bot) cmdResolve(ctx context.Context, r *request) {
	r.ack(nil)
	b.changeStatus(ctx, r, comms.Resolved)
}

func (b *Bot) changeStatus(ctx context.Context, r *request, st comms.Status) {
	inc, ok := b.incidentHere(ctx, r)
	if !ok {
		return
	}
	inc, err := b.svc.ChangeStatus(ctx, r.user, inc.ID, st)
	if err != nil {
		b.replyErr(ctx, r, "change status", err)
		return
	}
	r.log.Info().Str("incident_id", inc.ID).Str("status", string(st)).Msg("status changed")
	b.RefreshSummary(ctx, inc.ID)
	b.announce(ctx, r, &inc, fmt.Sprintf("%s %s set the status of %s to *%s*.", statusEmoji(st), user(r.user), inc.ID, st.Title()))
}

// announce tells the incident channel about a change to the incident, or
// only the person who made it when Herald cannot post there.
func (b *Bot) announce(ctx context.Context, r *request, inc *comms.Incident, text string) {
	if inc.Channel != "" {
		if _, _, err := b.api.PostMessageContext(ctx, inc.Channel, slack.MsgOptionText(text, false)); err == nil {
			return
		}
	}
	b.reply(ctx, r, text)
}

// cmdSeverity changes the incident's severity: /incident severity SEV2.
func (b *Bot) cmdSeverity(ctx context.Context, r *request) {
	r.ack(nil)
	if r.args == "" {
		b.reply(ctx, r, "Say which severity: `/incident severity SEV1|SEV2|SEV3|SEV4`.")
		return
	}
	sev, err := comms.ParseSeverity(r.args)
	if err != nil {
		b.replyErr(ctx, r, "parse severity", err)
		return
	}
	inc, ok := b.incidentHere(ctx, r)
	if !ok {
		return
	}
	inc, err = b.svc.ChangeSeverity(ctx, r.user, inc.ID, sev)
	if err != nil {
		b.replyErr(ctx, r, "change severity", err)
		return
	}
	r.log.Info().Str("incident_id", inc.ID).Str("severity", string(sev)).Msg("severity changed")
	b.RefreshSummary(ctx, inc.ID)
	b.announce(ctx, r, &inc, fmt.Sprintf(":rotating_light: %s set the severity of %s to *%s*.", user(r.user), inc.ID, sev))
}

// mention matches a user as Slack writes it in slash command text,
// <@U123|name> or <@U123>, or a bare user id.
var mention = regexp.MustCompile(`^(?:<@([UW][A-Z0-9]+)(?:\|[^>]*)?>|([UW][A-Z0-9]{2,}))$`)

// parseUser returns the user id of a mention, or "".
func parseUser(s string) string {
	m := mention.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return ""
	}
	return m[1] + m[2]
}

// cmdCommander hands the incident to another commander:
// /incident commander @person.
func (b *Bot) cmdCommander(ctx context.Context, r *request) {
	r.ack(nil)
	who := parseUser(r.args)
	if who == "" {
		b.reply(ctx, r, "Mention the new commander, picking them from the list as you type: `/incident commander @person`.")
		return
	}
	inc, ok := b.incidentHere(ctx, r)
	if !ok {
		return
	}
	inc, err := b.svc.ChangeCommander(ctx, r.user, inc.ID, who)
	if err != nil {
		b.replyErr(ctx, r, "change commander", err)
		return
	}
	log := r.log.With().Str("incident_id", inc.ID).Logger()
	log.Info().Str("commander", who).Msg("commander changed")
	if inc.Channel != "" && who != b.botUserID() {
		if _, err := b.api.InviteUsersToConversationContext(ctx, inc.Channel, who); err != nil && slackErr(err) != "already_in_channel" {
			log.Info().Err(err).Msg("could not invite the new commander")
		}
	}
	b.RefreshSummary(ctx, inc.ID)
	b.announce(ctx, r, &inc, fmt.Sprintf(":busts_in_silhouette: %s made %s the commander of %s.", user(r.user), user(who), inc.ID))
}

// cmdNote adds a note to the incident's timeline: /incident note <text>.
func (b *Bot) cmdNote(ctx context.Context, r *request) {
	r.ack(nil)
	if r.args == "" {
		b.reply(ctx, r, "Write the note after the command: `/incident note <text>`.")
		return
	}
	inc, ok := b.incidentHere(ctx, r)
	if !ok {
		return
	}
	inc, err := b.svc.AddNote(ctx, r.user, inc.ID, r.args)
	if err != nil {
		b.replyErr(ctx, r, "add note", err)
		return
	}
	r.log.Info().Str("incident_id", inc.ID).Msg("note added")
	b.RefreshSummary(ctx, inc.ID)
	b.reply(ctx, r, fmt.Sprintf(":memo: Added your note to the timeline of %s.", inc.ID))
}

// cmdComms lists the incident's comms with the buttons that fit each.
func (b *Bot) cmdComms(ctx context.Context, r *request) {
	r.ack(nil)
	inc, ok := b.incidentHere(ctx, r)
	if !ok {
		return
	}
	list, err := b.svc.ListComms(ctx, inc.ID)
	if err != nil {
		b.replyErr(ctx, r, "list comms", err)
		return
	}
	if len(list) == 0 {
		b.reply(ctx, r, fmt.Sprintf("%s has no updates yet. Post one with `/incident comm`.", inc.ID))
		return
	}
	const most = (maxMsgBlocks - 2) / 2
	blocks := []slack.Block{section(blkCommsHeader, fmt.Sprintf("*Updates of %s* (%d)", inc.ID, len(list)))}
	start := max(0, len(list)-most)
	if start > 0 {
		blocks = append(blocks, contextBlock(blkCommsMore, fmt.Sprintf("Showing the latest %d of %d.", most, len(list))))
	}
	for _, c := range list[start:] {
		line := fmt.Sprintf("*%s* · %s · *%s* · by %s · %s\n%s", c.Name(), c.Audience.Title(), b.stateLabel(&c), user(c.Author),
			slackDate(c.UpdatedAt), quote(escape(comms.FirstLine(c.Message, 200))))
		blocks = append(blocks, section("", line), b.commButtons(&c))
	}
	b.reply(ctx, r, fmt.Sprintf("Updates of %s", inc.ID), blocks...)
}

// cmdTimeline shows the latest entries, or with "export" the whole chain.
func (b *Bot) cmdTimeline(ctx context.Context, r *request) {
	r.ack(nil)
	inc, ok := b.incidentHere(ctx, r)
	if !ok {
		return
	}
	b.showTimeline(ctx, r, &inc, strings.EqualFold(strings.TrimSpace(r.args), "export"))
}
