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
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
)

// isApprover asks the service whether userID approves inc's external comms.
func (b *Bot) isApprover(ctx context.Context, userID string, inc *comms.Incident) bool {
	return b.approverVia(ctx, b.svc, userID, inc)
}

// approverVia asks svc, within a second so a slow user-group lookup cannot
// cost the trigger_id; on doubt the answer is no (the approval card still
// works).
func (b *Bot) approverVia(ctx context.Context, svc *comms.Service, userID string, inc *comms.Incident) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	ok, err := svc.IsApprover(ctx, userID, inc)
	if err != nil {
		b.log.Warn().Err(err).Str("incident_id", inc.ID).Msg("approver lookup failed")
	}
	return ok
}

// offersApproval reports whether the comm modal offers userID the
// "Approved for release" toggle: they approve inc's external comms, and the
// comm is not theirs, unless self-approval is allowed. A new comm is its
// viewer's own, and whoever wrote or last edited a comm may not approve it,
// so ticking the toggle there could only be refused. Whether an edit made
// in the modal itself costs the approval is decided on submission.
func (b *Bot) offersApproval(ctx context.Context, svc *comms.Service, f *commForm, userID string, inc *comms.Incident) bool {
	if !b.approverVia(ctx, svc, userID, inc) {
		return false
	}
	if svc.Policy.AllowSelfApproval {
		return true
	}
	if f.CommID == "" {
		return false
	}
	c, err := svc.Comm(ctx, f.CommID)
	if err != nil {
		return false
	}
	return userID != c.Author && userID != c.EditedBy
}

// submitService is the service as one submission uses it: approver-group
// members are looked up once and remembered, so the approver role is
// resolved once however many steps (edit, approve, send) the submission
// takes, each of which checks the actor.
func (b *Bot) submitService() *comms.Service {
	svc := *b.svc
	if svc.Groups != nil {
		svc.Groups = &groupsOnce{inner: svc.Groups, members: map[string][]string{}}
	}
	return &svc
}

// groupsOnce remembers the user groups it has looked up.
type groupsOnce struct {
	inner   comms.GroupMembers
	mu      sync.Mutex
	members map[string][]string
}

func (g *groupsOnce) GroupMembers(ctx context.Context, group string) ([]string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if m, ok := g.members[group]; ok {
		return m, nil
	}
	m, err := g.inner.GroupMembers(ctx, group)
	if err == nil {
		g.members[group] = m
	}
	return m, err
}

// openComm opens the comm modal with trigger (views.open), or replaces view
// viewID when it is set (views.update).
func (b *Bot) openComm(ctx context.Context, r *request, f commForm, inc *comms.Incident) {
	v := b.commView(ctx, f, inc, r.user, b.offersApproval(ctx, b.svc, &f, r.user, inc), "")
	resp, err := b.openView(ctx, r, v)
	if err != nil {
		r.log.Warn().Err(err).Str("incident_id", inc.ID).Msg("views.open failed for the comm modal")
		b.reply(ctx, r, ":warning: Slack would not open the update form in time. Please run the command again.")
		return
	}
	b.forms.put(resp.ID, f)
}

// updateComm re-renders an open comm modal. A hash conflict means the
// person changed something meanwhile; the newer view wins. Any other
// failure leaves the form as it was, which the person is told, since their
// click seemed to do nothing.
func (b *Bot) updateComm(ctx context.Context, r *request, v slack.ModalViewRequest, viewID, hash string, f commForm) {
	// Kept before the call, not after its answer: handlers of two quick
	// clicks may get their answers in either order, but they start in the
	// order of the clicks, and the last click's form must be the one kept.
	b.forms.put(viewID, f)
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := b.api.UpdateViewContext(cctx, v, "", hash, viewID)
	if err != nil {
		log := r.log.With().Str("incident_id", f.IncidentID).Logger()
		if slackErr(err) == "hash_conflict" {
			log.Info().Err(err).Msg("views.update of the comm modal lost to a newer change")
			return
		}
		log.Warn().Err(err).Msg("views.update of the comm modal failed")
		b.tellUser(ctx, r, fmt.Sprintf(":warning: Herald could not refresh the update form (%s), so your last click changed nothing. "+
			"The form still holds what you typed: press the button again, or submit the form as it is. "+
			"If it keeps failing, close it and reopen it with `/incident comm`.", slackErr(err)))
		return
	}
}

// tellUser shows the person behind r a message, in the channel the request
// came from or else in a direct message, when there is no reply to give.
func (b *Bot) tellUser(ctx context.Context, r *request, text string, blocks ...slack.Block) {
	if len(blocks) == 0 {
		blocks = []slack.Block{section("", text)}
	}
	if err := b.tell(ctx, r.channel, r.user, text, blocks...); err != nil {
		r.log.Warn().Err(err).Msg("could not tell the user")
	}
}

// actTab switches between the Draft and Preview tabs, keeping the values.
func (b *Bot) actTab(ctx context.Context, r *request) {
	r.ack(nil)
	v := r.cb.View
	f, whole := b.parseForm(v)
	if f.Tab == tabDraft {
		f.readState(v.State)
	}
	want := tabDraft
	if r.action().ActionID == actTabPreview {
		want = tabPreview
	}
	if f.Tab == want {
		return
	}
	f.Tab = want
	banner := ""
	if !whole {
		banner = formLost
	}
	b.rerender(ctx, r, f, banner)
}

// actRerender re-renders the Draft tab after a choice that changes which
// fields are shown (audience, communication action, new Statuspage incident).
func (b *Bot) actRerender(ctx context.Context, r *request) {
	r.ack(nil)
	v := r.cb.View
	f, _ := b.parseForm(v) // the Draft tab's state fills in what a lost form left out
	f.readState(v.State)
	b.rerender(ctx, r, f, "")
}

func (b *Bot) rerender(ctx context.Context, r *request, f commForm, banner string) {
	inc, ok := b.loadIncident(ctx, r, f.IncidentID)
	if !ok {
		return
	}
	view := b.commView(ctx, f, &inc, r.user, b.offersApproval(ctx, b.svc, &f, r.user, &inc), banner)
	b.updateComm(ctx, r, view, r.cb.View.ID, r.cb.View.Hash, f)
}

// closedComm forgets a closed modal's cached form.
func (b *Bot) closedComm(_ context.Context, r *request) {
	r.ack(nil)
	b.forms.drop(r.cb.View.ID)
}

// submitComm validates the modal and carries out the communication action.
// Everything that can fail is checked before anything is stored, and the
// answer comes back in the ack: field errors on the fields, or the modal
// closes. Posting cards and messages happens after the ack. Before the ack
// the only network calls are one approver lookup and the phones of Slack
// users that no preview has looked up yet.
func (b *Bot) submitComm(ctx context.Context, r *request) {
	v := r.cb.View
	f, whole := b.parseForm(v)
	if cached, ok := b.forms.get(v.ID); ok && f.CommID == "" && cached.CommID != "" {
		f.CommID, f.Version = cached.CommID, cached.Version // a previous submit stored the draft
	}
	if f.Tab == tabDraft {
		f.readState(v.State)
	}
	log := r.log.With().Str("incident_id", f.IncidentID).Logger()
	inc, err := b.svc.Incident(ctx, f.IncidentID)
	if err != nil {
		b.refuseComm(ctx, r, f, nil, false, map[string]string{blkMessage: comms.ErrorMessage(err)}, nil)
		return
	}
	svc := b.submitService()
	mayApprove := b.offersApproval(ctx, svc, &f, r.user, &inc)
	if !whole {
		log.Warn().Msg("the form cache lost a long comm form; asking to check it")
		b.refuseComm(ctx, r, f, &inc, mayApprove, map[string]string{blkMessage: formLost}, nil)
		return
	}
	if f.Audience != comms.External && f.Action == actionRequest {
		f.Action = actionSave
	}
	in := b.commInput(ctx, &f)
	if errs := b.checkComm(ctx, &f, &inc, in, r.user, mayApprove); len(errs) > 0 {
		b.refuseComm(ctx, r, f, &inc, mayApprove, errs, nil)
		return
	}
	c, err := b.applyComm(ctx, svc, r.user, &f, in, mayApprove)
	if err != nil {
		log.Info().Err(err).Str("comm_id", f.CommID).Msg("comm action refused")
		b.forms.put(v.ID, f)
		b.refuseComm(ctx, r, f, &inc, mayApprove, b.fieldErrors(&f, in, mayApprove, err), &c)
		return
	}
	r.ack(nil)
	b.forms.drop(v.ID)
	log = log.With().Str("comm_id", c.ID).Logger()
	log.Info().Str("action", f.Action).Str("state", string(c.State)).Msg("comm submitted")
	b.afterComm(ctx, log, r.user, f.Channel, &inc, c)
}

// refuseComm answers a submission with its problems. When Slack no longer
// waits for the answer (the router's watchdog acked for a slow handler, and
// the modal closed), it tells the person the problems in a message instead,
// and whether anything was saved: saved is the comm as stored so far, if any.
func (b *Bot) refuseComm(ctx context.Context, r *request, f commForm, inc *comms.Incident, mayApprove bool, errs map[string]string, saved *comms.Comm) {
	if b.ackCommErrors(ctx, r, f, inc, mayApprove, errs) {
		return
	}
	var problems []string
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		problems = append(problems, errs[k])
	}
	text := ":warning: The update form closed before Herald could show you what is wrong:\n• " + strings.Join(problems, "\n• ")
	blocks := []slack.Block{}
	if saved != nil && saved.ID != "" {
		text += fmt.Sprintf("\nHerald saved what you wrote as *%s* (%s), but did not do what you asked. Fix it with *Edit* below or from `/incident comms`.",
			saved.Name(), b.stateLabel(saved))
		blocks = append(blocks, section("", text), b.commButtons(saved))
	} else {
		text += "\nNothing was saved or sent. Run `/incident comm` again."
		blocks = append(blocks, section("", text))
	}
	channel := f.Channel
	if channel == "" && inc != nil {
		channel = inc.Channel
	}
	if err := b.tell(ctx, channel, r.user, text, blocks...); err != nil {
		r.log.Warn().Err(err).Msg("could not tell the author why the update was refused")
	}
}

// ackCommErrors answers a submission with errors beside the fields. From the
// Preview tab, where the fields are not on screen, it switches to the Draft
// tab and lists the problems above the fields. It reports whether the answer
// reached Slack.
func (b *Bot) ackCommErrors(ctx context.Context, r *request, f commForm, inc *comms.Incident, mayApprove bool, errs map[string]string) bool {
	var msgs []string
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		msgs = append(msgs, errs[k])
	}
	if inc == nil {
		if f.Tab != tabDraft { // no field to show it on
			r.ack(nil)
			return false
		}
		return r.ack(slack.NewErrorsViewSubmissionResponse(map[string]string{blkMessage: strings.Join(msgs, " ")}))
	}
	if f.Tab == tabDraft {
		return r.ack(slack.NewErrorsViewSubmissionResponse(errs))
	}
	f.Tab = tabDraft
	view := b.commView(ctx, f, inc, r.user, mayApprove, strings.Join(msgs, " "))
	b.forms.put(r.cb.View.ID, f)
	return r.ack(slack.NewUpdateViewSubmissionResponse(&view))
}

// checkComm finds everything wrong with the submission without storing
// anything: validation by comms.Rules, then what the chosen action needs.
func (b *Bot) checkComm(ctx context.Context, f *commForm, inc *comms.Incident, in comms.Input, userID string, mayApprove bool) map[string]string {
	errs := map[string]string{}
	if _, err := b.svc.Rules.Validate(in); err != nil {
		errs = b.fieldErrors(f, in, mayApprove, err)
	}
	s := b.shownFor(f, mayApprove)
	external := f.Audience == comms.External
	approving := external && mayApprove && f.Approved
	switch f.Action {
	case actionSendNow, actionSchedule:
		if external && !approving {
			msg := "External updates must be approved before they are sent. Choose Request approval so an approver can review it."
			if mayApprove {
				msg = "External updates must be approved before they are sent. Tick Approved for release, or choose Request approval."
			}
			errs[blkAction] = msg
		}
	}
	if f.Action == actionSchedule && s.sendAt {
		switch {
		case f.SendAt == 0:
			errs[blkSendAt] = "Choose when to send it."
		case !time.Unix(f.SendAt, 0).After(b.now()):
			errs[blkSendAt] = "Choose a time in the future."
		}
	}
	if approving && s.approved {
		if msg := b.approvalRefusal(ctx, f, inc, in, userID, mayApprove); msg != "" {
			errs[blkApproved] = msg
		}
	}
	return errs
}

// approvalRefusal tries the approval the submission asks for on a copy of
// the comm as the submission will leave it, so that who may approve what is
// decided by comms.Comm alone. Submitting a stored comm unchanged keeps it
// as it is (comms.Service.UpdateDraft), so only a real change makes userID
// its editor. It returns why the approval would be refused, or "".
func (b *Bot) approvalRefusal(ctx context.Context, f *commForm, inc *comms.Incident, in comms.Input, userID string, mayApprove bool) string {
	now := b.now()
	actor := comms.Actor{ID: userID, Approver: mayApprove}
	trial := comms.Comm{IncidentID: inc.ID, Number: inc.CommCount + 1, Audience: comms.External,
		State: comms.StateDraft, Author: userID, EditedBy: userID}
	if f.CommID != "" {
		c, err := b.svc.Comm(ctx, f.CommID)
		if err != nil {
			return "" // the submission fails on it anyway, with the reason
		}
		d, err := b.svc.Rules.Validate(in)
		if err != nil {
			return "" // likewise
		}
		trial = c
		if !c.State.Editable() || !c.Same(d) {
			if err := trial.Edit(actor, now, d); err != nil {
				return "" // likewise
			}
		}
	}
	if err := trial.Approve(actor, now, b.svc.Policy.AllowSelfApproval); err != nil {
		return comms.ErrorMessage(err) + " Choose " + wordRequest + " instead."
	}
	return ""
}

// fieldErrors maps the service's per-field messages to the blocks on screen.
func (b *Bot) fieldErrors(f *commForm, in comms.Input, mayApprove bool, err error) map[string]string {
	s := b.shownFor(f, mayApprove)
	out := map[string]string{}
	add := func(block, msg string) {
		if prev := out[block]; prev != "" {
			msg = prev + " " + msg
		}
		out[block] = comms.Truncate(msg, 1000)
	}
	fallback := func(blocks ...string) string {
		shownOf := map[string]bool{blkEmails: s.emails, blkSMSUsers: s.smsUsers, blkSMSNames: s.smsNames,
			blkChannels: s.channels, blkSPIncident: s.sp && !f.SPCreate, blkSPTitle: s.spTitle, blkSendAt: s.sendAt,
			blkAudiences: s.audiences, blkApproved: s.approved}
		for _, bl := range blocks {
			if shownOf[bl] {
				return bl
			}
		}
		return blkAction
	}
	fields := comms.ErrorFields(err)
	if len(fields) == 0 {
		add(blkAction, comms.ErrorMessage(err))
		return out
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		msg := fields[k]
		switch k {
		case comms.FieldMessage:
			add(blkMessage, msg)
		case comms.FieldStatus:
			add(blkStatus, msg)
		case comms.FieldEmails:
			add(fallback(blkEmails), msg)
		case comms.FieldAudiences:
			add(fallback(blkAudiences), msg)
		case comms.FieldChannels:
			add(fallback(blkChannels, blkEmails, blkSMSNames), msg)
		case comms.FieldStatuspage:
			add(fallback(blkSPIncident, blkSPTitle), msg)
		case comms.FieldStatuspageTitle:
			add(fallback(blkSPTitle, blkSPIncident), msg)
		case comms.FieldSendAt:
			add(fallback(blkSendAt), msg)
		case comms.FieldSMS:
			b.smsErrors(in, s, add, fallback)
		default:
			add(blkAction, msg)
		}
	}
	return out
}

// smsErrors puts each SMS problem on its own field: Slack users without a
// phone under the Slack users picker, unknown names under SMS recipients.
func (b *Bot) smsErrors(in comms.Input, s shown, add func(string, string), fallback func(...string) string) {
	users, names := in, in
	users.SMSNames, names.SMSUsers = nil, nil
	users.Audiences, names.Audiences = nil, nil
	found := false
	for _, part := range []struct {
		in    comms.Input
		block string
	}{{users, fallback(blkSMSUsers)}, {names, fallback(blkSMSNames, blkSMSUsers)}} {
		if _, err := b.svc.Rules.Validate(part.in); err != nil {
			if msg := comms.ErrorFields(err)[comms.FieldSMS]; msg != "" {
				add(part.block, msg)
				found = true
			}
		}
	}
	if !found { // from an audience's directory names, or SMS is not configured
		if _, err := b.svc.Rules.Validate(in); err != nil {
			add(fallback(blkAudiences, blkSMSUsers), comms.ErrorFields(err)[comms.FieldSMS])
		}
	}
}

// applyComm stores the draft and carries out the action through svc. f's
// comm id and version follow each step, so a failed step can be retried
// from the modal.
func (b *Bot) applyComm(ctx context.Context, svc *comms.Service, userID string, f *commForm, in comms.Input, mayApprove bool) (comms.Comm, error) {
	var c comms.Comm
	var err error
	if f.CommID == "" {
		c, err = svc.DraftComm(ctx, userID, f.IncidentID, in)
	} else {
		c, err = svc.UpdateDraft(ctx, userID, f.CommID, f.Version, in)
	}
	if err != nil {
		return c, err
	}
	f.CommID, f.Version = c.ID, c.Version
	step := func(next comms.Comm, err error) error {
		if err == nil {
			c = next
			f.Version = c.Version
		}
		return err
	}
	if c.NeedsApproval() && mayApprove && f.Approved {
		if err := step(svc.Approve(ctx, userID, c.ID, c.Version)); err != nil {
			return c, err
		}
	}
	switch f.Action {
	case actionRequest:
		if c.State != comms.StateApproved {
			err = step(svc.RequestApproval(ctx, userID, c.ID))
		}
	case actionSendNow:
		err = step(svc.Send(ctx, userID, c.ID, time.Time{}))
	case actionSchedule:
		err = step(svc.Send(ctx, userID, c.ID, time.Unix(f.SendAt, 0)))
	}
	return c, err
}

// afterComm does the Slack side of a stored comm action: the approval card,
// the dispatcher's wake-up, the summary, and a note to the author that says
// what really happened.
func (b *Bot) afterComm(ctx context.Context, log zerolog.Logger, userID, channel string, inc *comms.Incident, c comms.Comm) {
	if channel == "" {
		channel = inc.Channel
	}
	var note string
	switch {
	case c.Scheduled(b.now()):
		b.notify()
		b.RefreshSummary(ctx, inc.ID)
		note = fmt.Sprintf(":calendar: Scheduled for %s: *%s* to %s. You can cancel it until then, here or from `/incident comms`.",
			slackDate(c.SendAt), c.Name(), comms.DescribeRecipients(c.Recipients))
	case c.State == comms.StateSending:
		b.notify()
		b.RefreshSummary(ctx, inc.ID)
		note = fmt.Sprintf(":outbox_tray: Sending *%s* now to %s. You will get a delivery report here.", c.Name(), comms.DescribeRecipients(c.Recipients))
	case c.State == comms.StateAwaitingApproval:
		note = b.requestApproval(ctx, log, inc, &c)
	case c.State == comms.StateApproved:
		note = fmt.Sprintf(":white_check_mark: *%s* is approved. Send it from the card or with `/incident comms`.", c.Name())
	default:
		note = fmt.Sprintf(":memo: Saved *%s* as a draft. Reopen it with `/incident comms`.", c.Name())
	}
	if c.ApprovalCard.TS != "" && c.State != comms.StateAwaitingApproval {
		b.refreshCard(ctx, log, &c)
	}
	if channel != "" {
		if err := b.tell(ctx, channel, userID, note, section("", note), b.commButtons(&c)); err != nil {
			log.Info().Err(err).Msg("could not confirm the comm to its author")
		}
	}
}

// requestApproval posts the approval card and returns the note for the
// author: where the card is, or why there is none and how approvers can
// still decide.
func (b *Bot) requestApproval(ctx context.Context, log zerolog.Logger, inc *comms.Incident, c *comms.Comm) string {
	if inc.Channel == "" {
		log.Warn().Msg("incident has no channel; approval card not posted")
		return fmt.Sprintf(":warning: Approval requested for *%s*, but %s has no incident channel, so Herald could not post the approval card. "+
			"Create the channel with its button in `/incident list`, then ask an approver to open `/incident comms` there.", c.Name(), inc.ID)
	}
	b.replaceCard(ctx, log, c) // the card of an earlier request, if any
	if err := b.postApprovalCard(ctx, log, inc, c); err != nil {
		return fmt.Sprintf(":warning: Approval requested for *%s*, but Herald could not post the approval card in <#%s>: %s. "+
			"Ask an approver to open `/incident comms` in <#%s> to approve it.", c.Name(), inc.Channel, slackErr(err), inc.Channel)
	}
	return fmt.Sprintf(":hourglass_flowing_sand: Approval requested for *%s*; the card is in <#%s>.", c.Name(), inc.Channel)
}

// commButtons are the actions a comm offers in lists and confirmations.
func (b *Bot) commButtons(c *comms.Comm) slack.Block {
	els := []slack.BlockElement{}
	if c.State.Editable() {
		els = append(els, button(actOpenComm, c.ID, "Edit", ""))
	}
	els = append(els, button(actPreviewComm, c.ID, "Preview", ""))
	if (c.State == comms.StateDraft && !c.NeedsApproval()) || c.State == comms.StateApproved {
		els = append(els, button(actSend, c.ID, "Send", slack.StylePrimary))
	}
	if c.State == comms.StateAwaitingApproval {
		els = append(els, button(actApprove, versioned(c), "Approve", slack.StylePrimary), button(actReject, versioned(c), "Reject", ""))
	}
	if b.cancellable(c) {
		els = append(els, cancelButton(c))
	}
	return slack.NewActionBlock("", els...)
}

// cancellable reports whether c may still be withdrawn: it has not been
// sent, or it waits for its send time.
func (b *Bot) cancellable(c *comms.Comm) bool {
	return c.State.Editable() || c.Scheduled(b.now())
}

// cancelButton withdraws a comm, after a confirmation.
func cancelButton(c *comms.Comm) *slack.ButtonBlockElement {
	btn := button(actCancel, c.ID, "Cancel", slack.StyleDanger)
	btn.Confirm = slack.NewConfirmationBlockObject(
		plainText("Cancel "+c.Name()+"?", 100),
		plainText("It will not be sent. To say something else, post a new update.", 300),
		plainText("Cancel it", 30), plainText("Keep it", 30))
	return btn
}

// stateLabel is a comm's state as people read it; a comm that waits for its
// send time reads "Scheduled for <time>".
func (b *Bot) stateLabel(c *comms.Comm) string {
	if c.Scheduled(b.now()) {
		return "Scheduled for " + slackDate(c.SendAt)
	}
	return c.State.Label()
}

// errNotFound reports whether err is the service's ENOTFOUND.
func errNotFound(err error) bool { return comms.ErrorCode(err) == comms.ENOTFOUND }
