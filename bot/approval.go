package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herald-comms/herald/comms"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
)

// cardBlocks renders a comm's approval card: what it says on each medium,
// where it stands, and the buttons that fit its state (Approve, Reject, Edit
// and Cancel while awaiting approval; Send, Edit and Cancel once approved;
// Cancel while it waits for its send time; none once sent, superseded or
// cancelled).
func (b *Bot) cardBlocks(ctx context.Context, inc *comms.Incident, c *comms.Comm) []slack.Block {
	title := "Approval requested: " + c.Name()
	var outcome string
	var els []slack.BlockElement
	switch c.State {
	case comms.StateAwaitingApproval:
		outcome = fmt.Sprintf(":hourglass_flowing_sand: Waiting for an approver (the incident commander %s or a configured approver).", user(inc.Commander))
		els = append(els, button(actApprove, versioned(c), "Approve", slack.StylePrimary), button(actReject, versioned(c), "Reject", slack.StyleDanger), button(actEdit, c.ID, "Edit", ""))
	case comms.StateApproved:
		title = "Approved: " + c.Name()
		outcome = fmt.Sprintf(":white_check_mark: Approved by %s %s. The author or an approver can send it now.", user(c.Approver), slackDate(c.ApprovedAt))
		els = append(els, button(actSend, c.ID, "Send", slack.StylePrimary), button(actEdit, c.ID, "Edit", ""))
	case comms.StateRejected:
		title = "Rejected: " + c.Name()
		outcome = fmt.Sprintf(":x: Rejected by %s: %s", user(c.RejectedBy), escape(c.RejectReason))
		els = append(els, button(actEdit, c.ID, "Edit", ""))
	case comms.StateDraft:
		title = "Back to draft: " + c.Name()
		outcome = ":pencil2: Edited after the request, so it is a draft again and needs a new request for approval."
		els = append(els, button(actEdit, c.ID, "Edit", ""))
	case comms.StateCancelled:
		title = "Cancelled: " + c.Name()
		outcome = ":no_entry_sign: Cancelled"
		if who := b.cancelledBy(ctx, c); who != "" {
			outcome += " by " + user(who)
		}
		outcome += " " + slackDate(c.UpdatedAt) + "."
	case comms.StateSuperseded:
		title = "Superseded: " + c.Name()
		outcome = fmt.Sprintf(":fast_forward: Superseded: a newer update replaced it before it went out, so nothing of it was sent (approved by %s).", user(c.Approver))
	default:
		if c.Scheduled(b.now()) {
			title = "Scheduled: " + c.Name()
			outcome = fmt.Sprintf(":calendar: Scheduled for %s by %s (approved by %s). It can be cancelled until then.", slackDate(c.SendAt), user(c.SentBy), user(c.Approver))
			break
		}
		title = "Sent: " + c.Name()
		outcome = fmt.Sprintf(":outbox_tray: Sent by %s %s (approved by %s).", user(c.SentBy), slackDate(c.SentAt), user(c.Approver))
	}
	if b.cancellable(c) {
		els = append(els, cancelButton(c))
	}
	blocks := []slack.Block{
		header(blkCardHeader, title),
		contextBlock(blkCardContext, fmt.Sprintf("%s update by %s · reports *%s*", c.Audience.Title(), user(c.Author), c.Status.Title())),
	}
	blocks = append(blocks, b.previewBlocks(inc, c, nil)...)
	blocks = append(blocks, slack.NewDividerBlock(), section(blkCardOutcome, outcome))
	if len(els) > 0 {
		blocks = append(blocks, slack.NewActionBlock(blkCardActions, els...))
	}
	return blocks
}

// cancelledBy finds who cancelled c in the timeline, or "".
func (b *Bot) cancelledBy(ctx context.Context, c *comms.Comm) string {
	entries, err := b.svc.Timeline(ctx, c.IncidentID)
	if err != nil {
		return ""
	}
	for _, e := range slices.Backward(entries) {
		if e.CommID == c.ID && e.Kind == comms.KindCommCancelled {
			return e.Actor
		}
	}
	return ""
}

// postApprovalCard posts the card in the incident channel and remembers it.
// It fails when the card could not be posted; failing to remember it is
// only logged, as the card is there for the approvers.
func (b *Bot) postApprovalCard(ctx context.Context, log zerolog.Logger, inc *comms.Incident, c *comms.Comm) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, ts, err := b.api.PostMessageContext(cctx, inc.Channel,
		slack.MsgOptionText(comms.Truncate("Approval requested: "+c.Name(), maxMessageText), false),
		slack.MsgOptionBlocks(b.cardBlocks(ctx, inc, c)...))
	if err != nil {
		log.Error().Err(err).Msg("could not post the approval card")
		return err
	}
	stored, err := b.svc.SetApprovalCard(ctx, c.ID, comms.MessageRef{Channel: inc.Channel, TS: ts})
	if err != nil {
		log.Error().Err(err).Msg("could not record the approval card")
		return nil
	}
	if stored.Version != c.Version {
		// An approver decided between the post and the record, when the
		// decision could not yet find the card to edit it.
		b.refreshCard(ctx, log, &stored)
	}
	return nil
}

// replaceCard redraws c's approval card, before a new request posts a new
// one, so that its Approve and Reject buttons (which could only conflict
// now) are gone: it says the request was replaced and keeps no buttons and
// no preview, as the comm may have changed since the card was drawn.
func (b *Bot) replaceCard(ctx context.Context, log zerolog.Logger, c *comms.Comm) {
	if c.ApprovalCard.TS == "" {
		return
	}
	outcome := fmt.Sprintf(":arrows_counterclockwise: Replaced by a newer request: approval of *%s* was requested again. "+
		"Approvers decide on the newer card in this channel, or from `/incident comms`.", c.Name())
	blocks := []slack.Block{
		header(blkCardHeader, "Replaced: "+c.Name()),
		contextBlock(blkCardContext, fmt.Sprintf("%s update by %s", c.Audience.Title(), user(c.Author))),
		section(blkCardOutcome, outcome),
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, _, _, err := b.api.UpdateMessageContext(cctx, c.ApprovalCard.Channel, c.ApprovalCard.TS,
		slack.MsgOptionText(comms.Truncate(c.Name()+": Replaced by a newer request", maxMessageText), false),
		slack.MsgOptionBlocks(blocks...))
	if err != nil {
		log.Warn().Err(err).Msg("could not mark the previous approval card as replaced")
	}
}

// refreshCard edits the approval card to show the comm's current state.
func (b *Bot) refreshCard(ctx context.Context, log zerolog.Logger, c *comms.Comm) {
	if c.ApprovalCard.TS == "" {
		return
	}
	// Handlers of one comm may refresh its card at the same time (a click's
	// handler and the delivery report): one at a time, each drawing the comm
	// as stored now, so a slower handler never draws an older state last.
	mu, _ := b.cardLocks.LoadOrStore(c.ID, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	if fresh, err := b.svc.Comm(ctx, c.ID); err == nil {
		c = &fresh
	}
	inc, err := b.svc.Incident(ctx, c.IncidentID)
	if err != nil {
		log.Error().Err(err).Msg("load incident for the approval card")
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, _, _, err = b.api.UpdateMessageContext(cctx, c.ApprovalCard.Channel, c.ApprovalCard.TS,
		slack.MsgOptionText(comms.Truncate(c.Name()+": "+c.State.Label(), maxMessageText), false),
		slack.MsgOptionBlocks(b.cardBlocks(ctx, &inc, c)...))
	if err != nil {
		log.Warn().Err(err).Msg("could not update the approval card")
	}
}

// commLog returns a logger with the comm's fields.
func commLog(r *request, c *comms.Comm) zerolog.Logger {
	return r.log.With().Str("incident_id", c.IncidentID).Str("comm_id", c.ID).Logger()
}

// actApprove approves a comm; anyone who may not gets the reason, ephemerally.
func (b *Bot) actApprove(ctx context.Context, r *request) {
	r.ack(nil)
	id, version := parseVersioned(r.action().Value)
	c, err := b.svc.Approve(ctx, r.user, id, version)
	if err != nil {
		b.replyErr(ctx, r, "approve refused", err)
		return
	}
	log := commLog(r, &c)
	log.Info().Str("approver", r.user).Msg("comm approved")
	b.refreshCard(ctx, log, &c)
	if c.ApprovalCard.TS == "" {
		b.reply(ctx, r, fmt.Sprintf(":white_check_mark: Approved *%s*.", c.Name()), section("", fmt.Sprintf(":white_check_mark: Approved *%s*.", c.Name())), b.commButtons(&c))
	}
}

// rejectMeta is the reject modal's private_metadata.
type rejectMeta struct {
	CommID  string `json:"c"`
	Version int    `json:"v"`
	Channel string `json:"ch,omitempty"`
}

// actReject asks an approver why, in a small modal. Anyone else is refused
// at once, with the reason the workflow gives.
func (b *Bot) actReject(ctx context.Context, r *request) {
	r.ack(nil)
	id, version := parseVersioned(r.action().Value)
	c, ok := b.loadComm(ctx, r, id)
	if !ok {
		return
	}
	if c.Version != version {
		b.replyErr(ctx, r, "reject refused", comms.Errorf(comms.ECONFLICT,
			"%s changed since this card was drawn (it is %s now); look at the current version first.", c.Name(), c.State.Label()))
		return
	}
	inc, ok := b.loadIncident(ctx, r, c.IncidentID)
	if !ok {
		return
	}
	trial := c // the state machine on a copy says whether the rejection could stand
	actor := comms.Actor{ID: r.user, Approver: b.isApprover(ctx, r.user, &inc)}
	if err := trial.Reject(actor, b.now(), "reason", b.svc.Policy.AllowSelfApproval); err != nil {
		b.replyErr(ctx, r, "reject refused", err)
		return
	}
	md, _ := json.Marshal(rejectMeta{CommID: c.ID, Version: c.Version, Channel: r.channel})
	reason := slack.NewPlainTextInputBlockElement(plainText("What must change before it can go out?", 150), actReason)
	reason.Multiline, reason.MaxLength = true, 1000
	v := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbReject, PrivateMetadata: string(md),
		Title:  plainText("Reject update", maxModalTitle),
		Submit: plainText("Reject", maxModalTitle), Close: plainText("Cancel", maxModalTitle),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(blkRejectIntro, fmt.Sprintf("Rejecting *%s* by %s. The author sees your reason.", c.Name(), user(c.Author))),
			input(blkReason, "Reason", reason, false, ""),
		}},
	}
	if _, err := b.openView(ctx, r, v); err != nil {
		log := commLog(r, &c)
		log.Warn().Err(err).Msg("views.open failed for the reject modal")
		b.reply(ctx, r, ":warning: Slack would not open the form in time. Please press Reject again.")
	}
}

// submitReject records the rejection; a missing reason shows on its field.
func (b *Bot) submitReject(ctx context.Context, r *request) {
	var md rejectMeta
	_ = json.Unmarshal([]byte(r.cb.View.PrivateMetadata), &md)
	reason := ""
	if st := r.cb.View.State; st != nil {
		reason = st.Values[blkReason][actReason].Value
	}
	c, err := b.svc.Reject(ctx, r.user, md.CommID, md.Version, reason)
	if err != nil {
		msg := comms.ErrorFields(err)[comms.FieldReason]
		if msg == "" {
			msg = comms.ErrorMessage(err)
		}
		b.ackOrTell(ctx, r, md.Channel, slack.NewErrorsViewSubmissionResponse(map[string]string{blkReason: msg}),
			":warning: The reject form closed before Herald could show what is wrong: "+msg+" The update was not rejected; press Reject again.")
		return
	}
	r.ack(nil)
	log := commLog(r, &c)
	log.Info().Str("rejected_by", r.user).Msg("comm rejected")
	b.refreshCard(ctx, log, &c)
	if inc, err := b.svc.Incident(ctx, c.IncidentID); err == nil && inc.Channel != "" && c.Author != r.user {
		note := fmt.Sprintf(":x: %s rejected *%s*: %s", user(r.user), c.Name(), escape(c.RejectReason))
		if err := b.tell(ctx, inc.Channel, c.Author, note, section("", note), b.commButtons(&c)); err != nil {
			log.Info().Err(err).Msg("could not tell the author about the rejection")
		}
	}
}

// actEdit reopens a comm in the comm modal.
func (b *Bot) actEdit(ctx context.Context, r *request) {
	r.ack(nil)
	c, inc, ok := b.loadCommIncident(ctx, r, r.action().Value)
	if !ok {
		return
	}
	trial := c
	actor := comms.Actor{ID: r.user, Approver: b.isApprover(ctx, r.user, &inc)}
	if err := trial.Edit(actor, b.now(), comms.Draft{Audience: c.Audience}); err != nil {
		b.replyErr(ctx, r, "edit refused", err)
		return
	}
	b.openComm(ctx, r, formFromComm(&c, r.channel), &inc)
}

// actSend sends an approved external comm or a drafted internal one.
func (b *Bot) actSend(ctx context.Context, r *request) {
	r.ack(nil)
	c, err := b.svc.Send(ctx, r.user, r.action().Value, time.Time{})
	if err != nil {
		b.replyErr(ctx, r, "send refused", err)
		return
	}
	log := commLog(r, &c)
	log.Info().Msg("comm sent")
	b.notify()
	b.RefreshSummary(ctx, c.IncidentID)
	b.refreshCard(ctx, log, &c)
	b.reply(ctx, r, fmt.Sprintf(":outbox_tray: Sending *%s* to %s. The author gets a delivery report.", c.Name(), comms.DescribeRecipients(c.Recipients)))
}

// actCancel withdraws a comm that has not gone out: a draft, one awaiting
// approval or approved, or one scheduled for later. The approval card then
// says who cancelled it.
func (b *Bot) actCancel(ctx context.Context, r *request) {
	r.ack(nil)
	c, err := b.svc.Cancel(ctx, r.user, r.action().Value)
	if err != nil {
		b.replyErr(ctx, r, "cancel refused", err)
		return
	}
	log := commLog(r, &c)
	log.Info().Str("cancelled_by", r.user).Msg("comm cancelled")
	b.refreshCard(ctx, log, &c)
	b.RefreshSummary(ctx, c.IncidentID)
	b.reply(ctx, r, fmt.Sprintf(":no_entry_sign: Cancelled *%s*; it will not be sent.", c.Name()))
}

// actPreviewComm shows a stored comm as each medium will receive it.
func (b *Bot) actPreviewComm(ctx context.Context, r *request) {
	r.ack(nil)
	c, inc, ok := b.loadCommIncident(ctx, r, r.action().Value)
	if !ok {
		return
	}
	blocks := append([]slack.Block{contextBlock(blkCardContext, fmt.Sprintf("*%s* · %s · %s", c.Name(), c.Audience.Title(), c.State.Label()))}, b.previewBlocks(&inc, &c, nil)...)
	v := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: cbCommPreview,
		Title: plainText(fmt.Sprintf("%s #%d", c.IncidentID, c.Number), maxModalTitle),
		Close: plainText("Close", maxModalTitle), Blocks: slack.Blocks{BlockSet: blocks},
	}
	if _, err := b.openView(ctx, r, v); err != nil {
		log := commLog(r, &c)
		log.Warn().Err(err).Msg("views.open failed for the preview")
	}
}

// versioned is the value of an Approve or Reject button: the comm and the
// version the person pressing it is looking at, so that nobody approves
// words they have not seen.
func versioned(c *comms.Comm) string { return fmt.Sprintf("%s@%d", c.ID, c.Version) }

// parseVersioned splits a versioned button value; a value without a
// version gets version -1, which never matches.
func parseVersioned(v string) (id string, version int) {
	id, ver, ok := strings.Cut(v, "@")
	n, err := strconv.Atoi(ver)
	if !ok || err != nil {
		return id, -1
	}
	return id, n
}
