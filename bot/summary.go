package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/herald-comms/herald/comms"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// summaryEntries is how many timeline entries the pinned summary shows.
const summaryEntries = 5

// RefreshSummary asks for the incident's pinned summary to be rewritten.
// Edits are coalesced to at most one chat.update per incident per
// Config.SummaryInterval; the last one reads the state as it is then, so
// the final state is always written. It returns at once.
func (b *Bot) RefreshSummary(_ context.Context, incidentID string) {
	b.summaries.Trigger(incidentID)
}

// writeSummaryKey is the coalescer's run func.
func (b *Bot) writeSummaryKey(incidentID string) {
	log := b.log.With().Str("incident_id", incidentID).Logger()
	defer func() {
		if p := recover(); p != nil {
			log.Error().Interface("panic", p).Msg("summary write panicked")
		}
	}()
	ctx, cancel := context.WithTimeout(b.background(), 20*time.Second)
	defer cancel()
	if err := b.writeSummary(ctx, incidentID); err != nil {
		log.Warn().Err(err).Msg("could not write the pinned summary")
	}
}

// writeSummary posts, or edits in place, the incident's summary message,
// and makes sure it is pinned.
func (b *Bot) writeSummary(ctx context.Context, incidentID string) error {
	inc, err := b.svc.Incident(ctx, incidentID)
	if err != nil {
		return err
	}
	if inc.Channel == "" {
		return nil
	}
	blocks := b.summaryBlocks(ctx, &inc)
	text := comms.Truncate(fmt.Sprintf("%s %s · %s · %s", inc.ID, inc.Title, inc.Severity, inc.Status.Title()), maxMessageText)
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)}
	if inc.SummaryTS != "" {
		_, _, _, err := b.api.UpdateMessageContext(ctx, inc.Channel, inc.SummaryTS, opts...)
		if err == nil {
			b.checkPinned(ctx, &inc)
			return nil
		}
		var se slack.SlackErrorResponse
		if !errors.As(err, &se) || se.Err != "message_not_found" {
			return fmt.Errorf("chat.update summary: %w", err)
		}
		b.log.Info().Str("incident_id", inc.ID).Msg("the summary was deleted; posting a new one")
	}
	_, ts, err := b.api.PostMessageContext(ctx, inc.Channel, opts...)
	if err != nil {
		return fmt.Errorf("post summary: %w", err)
	}
	refs := comms.SlackRefs{SummaryTS: ts}
	if link, err := b.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: inc.Channel, Ts: ts}); err == nil {
		refs.Permalink = link
	}
	if _, err := b.svc.AttachSlack(ctx, inc.ID, refs); err != nil {
		return fmt.Errorf("record summary: %w", err)
	}
	return b.pin(ctx, inc.Channel, ts, inc.ID)
}

func (b *Bot) pin(ctx context.Context, channel, ts, incidentID string) error {
	err := b.api.AddPinContext(ctx, channel, slack.ItemRef{Channel: channel, Timestamp: ts})
	var se slack.SlackErrorResponse
	if err != nil && !(errors.As(err, &se) && se.Err == "already_pinned") {
		return fmt.Errorf("pin summary: %w", err)
	}
	b.markPinned(incidentID)
	return nil
}

// markPinned notes that the incident's summary was seen pinned just now.
func (b *Bot) markPinned(incidentID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pinChecked == nil {
		b.pinChecked = map[string]time.Time{}
	}
	b.pinChecked[incidentID] = b.now()
}

// checkPinned re-pins the summary if someone unpinned it. pin_removed
// events catch that at once; this pins.list check (Tier 2) runs at most
// once per PinCheckInterval per incident, for events missed while Herald
// was down.
func (b *Bot) checkPinned(ctx context.Context, inc *comms.Incident) {
	every := b.cfg.PinCheckInterval
	if every <= 0 {
		every = 10 * time.Minute
	}
	b.mu.Lock()
	last, ok := b.pinChecked[inc.ID]
	b.mu.Unlock()
	if ok && b.now().Sub(last) < every {
		return
	}
	items, _, err := b.api.ListPinsContext(ctx, inc.Channel)
	if err != nil {
		b.log.Info().Err(err).Str("incident_id", inc.ID).Msg("pins.list failed")
		return
	}
	for _, it := range items {
		if it.Message != nil && it.Message.Timestamp == inc.SummaryTS || it.Timestamp == inc.SummaryTS {
			b.markPinned(inc.ID)
			return
		}
	}
	if err := b.pin(ctx, inc.Channel, inc.SummaryTS, inc.ID); err != nil {
		b.log.Warn().Err(err).Str("incident_id", inc.ID).Msg("could not re-pin the summary")
	}
}

// onPinRemoved re-pins an incident's summary as soon as someone unpins it.
func (b *Bot) onPinRemoved(ctx context.Context, r *request) {
	r.ack(nil)
	var ev *slackevents.PinRemovedEvent
	switch d := r.event.InnerEvent.Data.(type) {
	case *slackevents.PinRemovedEvent:
		ev = d
	case slackevents.PinRemovedEvent:
		ev = &d
	default:
		return
	}
	channel := firstNonEmpty(ev.Channel, ev.Item.Channel)
	ts := ev.Item.Timestamp
	if ev.Item.Message != nil && ev.Item.Message.Timestamp != "" {
		ts = ev.Item.Message.Timestamp
	}
	inc, err := b.svc.IncidentByChannel(ctx, channel)
	if err != nil || inc.SummaryTS == "" || inc.SummaryTS != ts {
		return
	}
	r.log.Info().Str("incident_id", inc.ID).Str("unpinned_by", ev.User).Msg("summary unpinned; pinning it again")
	if err := b.pin(ctx, channel, ts, inc.ID); err != nil {
		r.log.Warn().Err(err).Str("incident_id", inc.ID).Msg("could not re-pin the summary")
	}
}

// summaryBlocks renders the pinned summary: status, severity, commander,
// last update, next update due, the latest internal and external comm, the
// last few timeline entries, and the Post update / Timeline buttons.
func (b *Bot) summaryBlocks(ctx context.Context, inc *comms.Incident) []slack.Block {
	now := b.now()
	due := slackDate(inc.NextUpdateDue)
	if !inc.NextUpdateDue.IsZero() && inc.NextUpdateDue.Before(now) && inc.Open() {
		due = ":alarm_clock: overdue since " + due
	}
	if inc.NextUpdateDue.IsZero() {
		due = "—"
	}
	lastUpdate := "no update yet"
	if !inc.LastCommAt.IsZero() {
		lastUpdate = slackDate(inc.LastCommAt)
	}
	fields := []*slack.TextBlockObject{
		mrkdwnText("*Status*\n" + statusEmoji(inc.Status) + " " + inc.Status.Title()),
		mrkdwnText("*Severity*\n" + string(inc.Severity)),
		mrkdwnText("*Commander*\n" + user(inc.Commander)),
		mrkdwnText("*Declared*\n" + slackDate(inc.DeclaredAt)),
		mrkdwnText("*Last update*\n" + lastUpdate),
		mrkdwnText("*Next update due*\n" + due),
	}
	blocks := []slack.Block{
		header(blkSummaryHeader, comms.Truncate(inc.ID+" · "+inc.Title, maxHeaderText)),
		slack.NewSectionBlock(nil, fields, nil, slack.SectionBlockOptionBlockID(blkSummaryFields)),
	}
	for _, latest := range []struct{ id, label, block string }{
		{inc.LatestInternal, "Latest internal update", blkSummaryInternal},
		{inc.LatestExternal, "Latest external update", blkSummaryExternal},
	} {
		if latest.id == "" {
			continue
		}
		c, err := b.svc.Comm(ctx, latest.id)
		if err != nil {
			continue
		}
		blocks = append(blocks, section(latest.block, fmt.Sprintf("*%s* · %s · %s\n%s",
			latest.label, c.Name(), slackDate(c.SentAt), quote(comms.Truncate(c.Message, 600)))))
	}
	if list, err := b.svc.ListComms(ctx, inc.ID); err == nil {
		var lines []string
		for _, c := range list {
			if c.Scheduled(now) {
				lines = append(lines, fmt.Sprintf("• *%s* · %s · Scheduled for %s · %s", c.Name(), c.Audience.Title(), slackDate(c.SendAt),
					escape(comms.FirstLine(c.Message, 120))))
			}
		}
		if len(lines) > 0 {
			blocks = append(blocks, section(blkSummaryScheduled, "*Scheduled updates*\n"+strings.Join(lines[max(0, len(lines)-5):], "\n")))
		}
	}
	if entries, err := b.svc.Timeline(ctx, inc.ID); err == nil && len(entries) > 0 {
		var lines []string
		for _, e := range entries[max(0, len(entries)-summaryEntries):] {
			lines = append(lines, "• "+timelineLine(e))
		}
		blocks = append(blocks, section(blkSummaryTimeline, "*Recent timeline*\n"+strings.Join(lines, "\n")))
	}
	blocks = append(blocks,
		slack.NewActionBlock(blkSummaryActions,
			button(actPostUpdate, inc.ID, "Post update", slack.StylePrimary),
			button(actTimeline, inc.ID, "Timeline", "")),
		contextBlock(blkSummaryFooter, "Herald keeps this pinned message current. Updated "+slackDate(now)+"."),
	)
	return blocks
}

func statusEmoji(s comms.Status) string {
	switch s {
	case comms.Investigating:
		return ":mag:"
	case comms.Identified:
		return ":dart:"
	case comms.Monitoring:
		return ":eyes:"
	case comms.Resolved:
		return ":white_check_mark:"
	}
	return ""
}

// timelineLine is one timeline entry in mrkdwn: time, text and actor.
func timelineLine(e comms.TimelineEntry) string {
	line := slackDate(e.At) + " " + comms.Truncate(e.Text, 300)
	if e.Actor != "" && !strings.Contains(e.Text, "<@"+e.Actor+">") {
		line += " — " + user(e.Actor)
	}
	return line
}

// actPostUpdate opens the comm modal from the summary's button.
func (b *Bot) actPostUpdate(ctx context.Context, r *request) {
	r.ack(nil)
	inc, ok := b.loadIncident(ctx, r, r.action().Value)
	if !ok {
		return
	}
	b.openComm(ctx, r, newForm(&inc, r.channel), &inc)
}

// actTimeline shows the clicker the latest timeline entries.
func (b *Bot) actTimeline(ctx context.Context, r *request) {
	r.ack(nil)
	inc, ok := b.loadIncident(ctx, r, r.action().Value)
	if !ok {
		return
	}
	b.showTimeline(ctx, r, &inc, false)
}
