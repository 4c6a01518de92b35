package bot

import (
	"context"
	"errors"
	"fmt"
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
	"`/incident list` open incidents\n" +
	"`/incident resolve` resolve this incident\n" +
	"`/incident help` this help"

func (b *Bot) cmdHelp(ctx context.Context, r *request) {
	b.reply(ctx, r, usage, section("", usage))
}

// cmdUsage answers input Herald does not understand.
func (b *Bot) cmdUsage(ctx context.Context, r *request) {
	what := strings.TrimSpace(r.cmd.Command + " " + r.cmd.Text)
	text := fmt.Sprintf("Herald does not know `%s`.\n\n%s", escape(truncate(what, 200)), usage)
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
		where := ""
		if inc.Channel != "" {
			where = " · <#" + inc.Channel + ">"
		}
		lines = append(lines, fmt.Sprintf("• *%s* %s · %s · %s%s", inc.ID, escape(truncate(inc.Title, 80)), inc.Severity, inc.Status.Title(), where))
	}
	return strings.Join(lines, "\n")
}

func (b *Bot) cmdList(ctx context.Context, r *request) {
	r.ack(nil)
	list := b.openList(ctx)
	if list == "" {
		list = "No open incidents. Declare one with `/incident new`."
	}
	b.reply(ctx, r, list, section("", list))
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
	text := fmt.Sprintf("%s %s set the status of %s to *%s*.", statusEmoji(st), user(r.user), inc.ID, st.Title())
	if _, _, err := b.api.PostMessageContext(ctx, inc.Channel, slack.MsgOptionText(text, false)); err != nil {
		b.reply(ctx, r, text)
	}
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
		line := fmt.Sprintf("*%s* · %s · *%s* · by %s · %s\n%s", c.Name(), c.Audience.Title(), c.State.Label(), user(c.Author),
			slackDate(c.UpdatedAt), quote(escape(truncate(firstLineOf(c.Message), 200))))
		blocks = append(blocks, section("", line), commButtons(&c))
	}
	b.reply(ctx, r, fmt.Sprintf("Updates of %s", inc.ID), blocks...)
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
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
