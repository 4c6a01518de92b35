package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/herald-comms/herald/comms"
	"github.com/slack-go/slack"
)

// mediumNames are the media as people call them.
var mediumNames = map[comms.Medium]string{
	comms.MediumSlack: "Slack", comms.MediumEmail: "E-mail", comms.MediumSMS: "SMS", comms.MediumStatuspage: "Statuspage",
}

// CommFinished is called by the dispatcher after comms.Service.Finish
// completed a comm. It refreshes the pinned summary and the approval card,
// and shows the author a delivery report: per medium how many deliveries
// were sent, failed and are pending, the failures, and a Retry failed button.
// Once Run has returned it does nothing.
func (b *Bot) CommFinished(ctx context.Context, commID string) {
	log := b.log.With().Str("comm_id", commID).Logger()
	if !b.enter() {
		log.Info().Msg("delivery report not sent: the bot has stopped")
		return
	}
	defer b.leave()
	c, err := b.svc.Comm(ctx, commID)
	if err != nil {
		log.Error().Err(err).Msg("delivery report: load comm")
		return
	}
	log = log.With().Str("incident_id", c.IncidentID).Logger()
	b.RefreshSummary(ctx, c.IncidentID)
	b.refreshCard(ctx, log, &c)
	inc, err := b.svc.Incident(ctx, c.IncidentID)
	if err != nil {
		log.Error().Err(err).Msg("delivery report: load incident")
		return
	}
	ds, err := b.svc.Deliveries(ctx, commID)
	if err != nil {
		log.Error().Err(err).Msg("delivery report: load deliveries")
		return
	}
	text, blocks := reportBlocks(&c, ds)
	to := []string{c.Author}
	if c.SentBy != "" && c.SentBy != c.Author {
		to = append(to, c.SentBy)
	}
	for _, u := range to {
		if err := b.tell(ctx, inc.Channel, u, text, blocks...); err != nil {
			log.Warn().Err(err).Str("user", u).Msg("could not deliver the delivery report")
		}
	}
}

// tell shows userID a message: ephemerally in channel when they are in it,
// else in a direct message.
func (b *Bot) tell(ctx context.Context, channel, userID, text string, blocks ...slack.Block) error {
	if channel != "" {
		if err := b.ephemeral(ctx, channel, userID, text, blocks...); err == nil {
			return nil
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	dm, _, _, err := b.api.OpenConversationContext(cctx, &slack.OpenConversationParameters{Users: []string{userID}})
	if err != nil {
		return fmt.Errorf("open DM: %w", err)
	}
	_, _, err = b.api.PostMessageContext(cctx, dm.ID, slack.MsgOptionText(comms.Truncate(text, maxMessageText), false), slack.MsgOptionBlocks(blocks...))
	return err
}

// reportBlocks renders the delivery report.
func reportBlocks(c *comms.Comm, ds []comms.Delivery) (string, []slack.Block) {
	counts := comms.CountDeliveries(ds)
	var lines []string
	for _, m := range comms.Media {
		if n, ok := counts[m]; ok {
			lines = append(lines, fmt.Sprintf("*%s*: %s", mediumNames[m], strings.Join(n.Words(true), " · ")))
		}
	}
	var title string
	switch c.State {
	case comms.StateSuperseded:
		title = fmt.Sprintf(":fast_forward: *%s* was replaced by a newer update before it went out; nothing of it was sent.", c.Name())
	case comms.StatePartiallyFailed:
		title = fmt.Sprintf(":warning: Delivery report for *%s* (%s)", c.Name(), c.State.Label())
	default:
		title = fmt.Sprintf(":white_check_mark: Delivery report for *%s* (%s)", c.Name(), c.State.Label())
	}
	blocks := []slack.Block{section(blkReport, title+"\n"+strings.Join(lines, "\n"))}
	var failed []string
	for _, d := range ds {
		if d.State != comms.DeliveryFailedPerm {
			continue
		}
		if len(failed) == 10 {
			failed = append(failed, "…")
			break
		}
		target := firstNonEmpty(d.TargetName, d.Target)
		if d.Medium == comms.MediumSlack {
			target = "<#" + d.Target + ">"
		}
		failed = append(failed, fmt.Sprintf("• %s %s: %s", mediumNames[d.Medium], escape(target), escape(comms.Truncate(d.LastError, 200))))
	}
	if len(failed) > 0 {
		blocks = append(blocks, section(blkReportFailures, "*Failed*\n"+strings.Join(failed, "\n")))
		if c.State == comms.StatePartiallyFailed {
			blocks = append(blocks, slack.NewActionBlock(blkReportActions, button(actRetry, c.ID, "Retry failed", slack.StylePrimary)))
		}
	}
	if c.State == comms.StateSuperseded {
		return fmt.Sprintf("%s was replaced by a newer update before it went out; nothing of it was sent.", c.Name()), blocks
	}
	return fmt.Sprintf("Delivery report for %s: %s", c.Name(), comms.FormatCounts(counts)), blocks
}

// actRetry queues a comm's failed deliveries again.
func (b *Bot) actRetry(ctx context.Context, r *request) {
	r.ack(nil)
	c, err := b.svc.RetryFailed(ctx, r.user, r.action().Value)
	if err != nil {
		b.replyErr(ctx, r, "retry refused", err)
		return
	}
	log := commLog(r, &c)
	log.Info().Msg("retrying failed deliveries")
	b.notify()
	b.reply(ctx, r, fmt.Sprintf(":repeat: Retrying the failed deliveries of *%s*. A new report follows.", c.Name()))
}
