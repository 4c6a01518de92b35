package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/herald-comms/herald/comms"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
)

// isApprover asks the service, within a second so a slow user-group lookup
// cannot cost the trigger_id; on doubt the answer is no (the approval card
// still works).
func (b *Bot) isApprover(ctx context.Context, userID string, inc *comms.Incident) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	ok, err := b.svc.IsApprover(ctx, userID, inc)
	if err != nil {
		b.log.Warn().Err(err).Str("incident_id", inc.ID).Msg("approver lookup failed")
	}
	return ok
}

// openComm opens the comm modal with trigger (views.open), or replaces view
// viewID when it is set (views.update).
func (b *Bot) openComm(ctx context.Context, r *request, f commForm, inc *comms.Incident) {
	v := b.commView(ctx, f, inc, r.user, b.isApprover(ctx, r.user, inc), "")
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := b.api.OpenViewContext(cctx, r.trigger, v)
	if err != nil {
		r.log.Warn().Err(err).Str("incident_id", inc.ID).Msg("views.open failed for the comm modal")
		b.reply(ctx, r, ":warning: Slack would not open the update form in time. Please run the command again.")
		return
	}
	b.forms.put(resp.ID, f)
}

// updateComm re-renders an open comm modal. A hash conflict means the
// person changed something meanwhile; the newer view wins.
func (b *Bot) updateComm(ctx context.Context, r *request, v slack.ModalViewRequest, viewID, hash string, f commForm) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := b.api.UpdateViewContext(cctx, v, "", hash, viewID)
	if err != nil {
		r.log.Info().Err(err).Str("incident_id", f.IncidentID).Msg("views.update of the comm modal failed")
		return
	}
	b.forms.put(resp.ID, f)
}

// actTab switches between the Draft and Preview tabs, keeping the values.
func (b *Bot) actTab(ctx context.Context, r *request) {
	r.ack(nil)
	v := r.cb.View
	f := b.parseForm(v)
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
	b.rerender(ctx, r, f, "")
}

// actRerender re-renders the Draft tab after a choice that changes which
// fields are shown (audience, communication action, new Statuspage incident).
func (b *Bot) actRerender(ctx context.Context, r *request) {
	r.ack(nil)
	v := r.cb.View
	f := b.parseForm(v)
	f.readState(v.State)
	b.rerender(ctx, r, f, "")
}

func (b *Bot) rerender(ctx context.Context, r *request, f commForm, banner string) {
	inc, err := b.svc.Incident(ctx, f.IncidentID)
	if err != nil {
		b.replyErr(ctx, r, "load incident", err)
		return
	}
	view := b.commView(ctx, f, &inc, r.user, b.isApprover(ctx, r.user, &inc), banner)
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
// closes. Posting cards and messages happens after the ack.
func (b *Bot) submitComm(ctx context.Context, r *request) {
	v := r.cb.View
	f := b.parseForm(v)
	if cached, ok := b.forms.get(v.ID); ok && f.CommID == "" && cached.CommID != "" {
		f.CommID, f.Version = cached.CommID, cached.Version // a previous submit stored the draft
	}
	if f.Tab == tabDraft {
		f.readState(v.State)
	}
	log := r.log.With().Str("incident_id", f.IncidentID).Logger()
	inc, err := b.svc.Incident(ctx, f.IncidentID)
	if err != nil {
		b.ackCommErrors(ctx, r, f, nil, false, map[string]string{blkAction: comms.ErrorMessage(err)})
		return
	}
	approver := b.isApprover(ctx, r.user, &inc)
	if f.Audience != comms.External && f.Action == actionRequest {
		f.Action = actionSave
	}
	in := b.commInput(ctx, &f)
	if errs := b.checkComm(ctx, &f, in, r.user, approver); len(errs) > 0 {
		b.ackCommErrors(ctx, r, f, &inc, approver, errs)
		return
	}
	c, err := b.applyComm(ctx, r.user, &f, in, approver)
	if err != nil {
		log.Info().Err(err).Str("comm_id", f.CommID).Msg("comm action refused")
		b.forms.put(v.ID, f)
		b.ackCommErrors(ctx, r, f, &inc, approver, b.fieldErrors(&f, in, approver, err))
		return
	}
	r.ack(nil)
	b.forms.drop(v.ID)
	log = log.With().Str("comm_id", c.ID).Logger()
	log.Info().Str("action", f.Action).Str("state", string(c.State)).Msg("comm submitted")
	b.afterComm(ctx, log, r.user, f.Channel, &inc, c, f.Action)
}

// ackCommErrors answers a submission with errors beside the fields. From the
// Preview tab, where the fields are not on screen, it switches to the Draft
// tab and lists the problems above the fields.
func (b *Bot) ackCommErrors(ctx context.Context, r *request, f commForm, inc *comms.Incident, approver bool, errs map[string]string) {
	if f.Tab == tabDraft || inc == nil {
		if inc == nil {
			errs = map[string]string{blkMessage: strings.Join(mapValues(errs), " ")}
		}
		r.ack(slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	f.Tab = tabDraft
	view := b.commView(ctx, f, inc, r.user, approver, strings.Join(mapValues(errs), " "))
	r.ack(slack.NewUpdateViewSubmissionResponse(&view))
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// checkComm finds everything wrong with the submission without storing
// anything: validation by comms.Rules, then what the chosen action needs.
func (b *Bot) checkComm(ctx context.Context, f *commForm, in comms.Input, userID string, approver bool) map[string]string {
	errs := map[string]string{}
	if _, err := b.svc.Rules.Validate(in); err != nil {
		errs = b.fieldErrors(f, in, approver, err)
	}
	s := b.shownFor(f, approver)
	external := f.Audience == comms.External
	approving := external && approver && f.Approved
	switch f.Action {
	case actionSendNow, actionSchedule:
		if external && !approving {
			msg := "External updates must be approved before they are sent. Choose Request approval so an approver can review it."
			if approver {
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
	if approving && s.approved && !b.svc.Policy.AllowSelfApproval {
		author := userID
		if f.CommID != "" {
			if c, err := b.svc.Comm(ctx, f.CommID); err == nil {
				author = c.Author
			}
		}
		if author == userID {
			errs[blkApproved] = "You wrote this update, so another approver must approve it: choose Request approval."
		}
	}
	return errs
}

// fieldErrors maps the service's per-field messages to the blocks on screen.
func (b *Bot) fieldErrors(f *commForm, in comms.Input, approver bool, err error) map[string]string {
	s := b.shownFor(f, approver)
	out := map[string]string{}
	add := func(block, msg string) {
		if prev := out[block]; prev != "" {
			msg = prev + " " + msg
		}
		out[block] = truncate(msg, 1000)
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
	for _, k := range sortedKeys(fields) {
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

// applyComm stores the draft and carries out the action. f's comm id and
// version follow each step, so a failed step can be retried from the modal.
func (b *Bot) applyComm(ctx context.Context, userID string, f *commForm, in comms.Input, approver bool) (comms.Comm, error) {
	var c comms.Comm
	var err error
	if f.CommID == "" {
		c, err = b.svc.DraftComm(ctx, userID, f.IncidentID, in)
	} else {
		c, err = b.svc.UpdateDraft(ctx, userID, f.CommID, f.Version, in)
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
	if c.NeedsApproval() && approver && f.Approved {
		if err := step(b.svc.Approve(ctx, userID, c.ID, c.Version)); err != nil {
			return c, err
		}
	}
	switch f.Action {
	case actionRequest:
		if c.State != comms.StateApproved {
			err = step(b.svc.RequestApproval(ctx, userID, c.ID))
		}
	case actionSendNow:
		err = step(b.svc.Send(ctx, userID, c.ID, time.Time{}))
	case actionSchedule:
		err = step(b.svc.Send(ctx, userID, c.ID, time.Unix(f.SendAt, 0)))
	}
	return c, err
}

// afterComm does the Slack side of a stored comm action: the approval card,
// the dispatcher's wake-up, the summary, and a note to the author.
func (b *Bot) afterComm(ctx context.Context, log zerolog.Logger, userID, channel string, inc *comms.Incident, c comms.Comm, action string) {
	if channel == "" {
		channel = inc.Channel
	}
	var note string
	switch {
	case c.State == comms.StateSending:
		b.notify()
		b.RefreshSummary(ctx, inc.ID)
		when := "now"
		if !c.SendAt.IsZero() {
			when = "at " + slackDate(c.SendAt)
		}
		note = fmt.Sprintf(":outbox_tray: Sending *%s* %s to %s. You will get a delivery report here.", c.Name(), when, describeRecipients(c.Recipients))
	case c.State == comms.StateAwaitingApproval:
		b.postApprovalCard(ctx, log, inc, &c)
		note = fmt.Sprintf(":hourglass_flowing_sand: Approval requested for *%s*; the card is in <#%s>.", c.Name(), inc.Channel)
	case c.State == comms.StateApproved:
		note = fmt.Sprintf(":white_check_mark: *%s* is approved. Send it from the card or with `/incident comms`.", c.Name())
	default:
		note = fmt.Sprintf(":memo: Saved *%s* as a draft. Reopen it with `/incident comms`.", c.Name())
	}
	if c.ApprovalCard.TS != "" && c.State != comms.StateAwaitingApproval {
		b.refreshCard(ctx, log, &c)
	}
	if channel != "" {
		if err := b.tell(ctx, channel, userID, note, section("", note), commButtons(&c)); err != nil {
			log.Info().Err(err).Msg("could not confirm the comm to its author")
		}
	}
}

// commButtons are the actions a comm offers in lists and confirmations.
func commButtons(c *comms.Comm) slack.Block {
	els := []slack.BlockElement{}
	if c.State.Editable() {
		els = append(els, button(actOpenComm, c.ID, "Edit", ""))
	}
	els = append(els, button(actPreviewComm, c.ID, "Preview", ""))
	if (c.State == comms.StateDraft && !c.NeedsApproval()) || c.State == comms.StateApproved {
		els = append(els, button(actSend, c.ID, "Send", slack.StylePrimary))
	}
	if c.State == comms.StateAwaitingApproval {
		els = append(els, button(actApprove, versioned(c), "Approve", slack.StylePrimary))
	}
	return slack.NewActionBlock("", els...)
}

// describeRecipients reads like "1 Slack channel, 2 e-mail addresses".
func describeRecipients(r comms.Recipients) string {
	n := r.Count()
	var parts []string
	if n[comms.MediumSlack] > 0 {
		parts = append(parts, plural(n[comms.MediumSlack], "Slack channel", "Slack channels"))
	}
	if n[comms.MediumEmail] > 0 {
		parts = append(parts, plural(n[comms.MediumEmail], "e-mail address", "e-mail addresses"))
	}
	if n[comms.MediumSMS] > 0 {
		parts = append(parts, plural(n[comms.MediumSMS], "SMS recipient", "SMS recipients"))
	}
	if n[comms.MediumStatuspage] > 0 {
		parts = append(parts, "Statuspage")
	}
	if len(parts) == 0 {
		return "nobody"
	}
	return strings.Join(parts, ", ")
}

// errNotFound reports whether err is the service's ENOTFOUND.
func errNotFound(err error) bool { return comms.ErrorCode(err) == comms.ENOTFOUND }
