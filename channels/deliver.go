package channels

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/herald-comms/herald/comms"
)

// outcome is what one claim of a row ended in, to be written to the row.
type outcome struct {
	state     comms.DeliveryState
	attempts  int       // the row's Attempts to store
	notBefore time.Time // for failed_temp, unknown and returned rows
	lastError string
	// unconfirmed marks a final failure whose last attempt may have
	// arrived, so that a retry reconciles before it sends again.
	unconfirmed bool
	res         Result
	err         *Error // the failure behind the outcome, for the log
	msg         string // the log message
}

// deliver works on one due row: load its comm, wait for the lane's turn,
// render the comm again, claim the row, reconcile or send, record. It
// reports whether the row was left in sending because its outcome could not
// be written (the sweep turns it into unknown once its deadline passes).
//
// The turn comes before the claim: a claimed row (sending) is one whose
// provider call is about to start or under way, so a row a crash leaves in
// sending may have reached the provider, and only such rows are reconciled
// (an e-mail sender's Reconcile answers "found" without looking). A turn
// that ends up unused (the claim failed, reconciliation found the earlier
// attempt) is given back to the limiter.
//
// The text sent is rendered after the turn, not before: on a slow lane the
// wait lasts seconds or minutes, and the incident may have changed
// meanwhile (a Statuspage shortlink replacing the public URL). The render
// before the wait only sizes the turn (SMS segments).
func (l *lane) deliver(ctx, hard context.Context, fin *finisher, due comms.Delivery) (leftSending bool) {
	if l.sender == nil {
		if row, ok := l.claim(ctx, due); ok {
			return !l.record(hard, fin, row, l.unconfigured(row, due.State))
		}
		return false
	}
	msg, loadErr := l.message(hard, due)
	var t *turn
	if loadErr == nil && l.mayCall(due) {
		var err error
		if t, err = l.takeTurn(ctx, l.cost(msg)); err != nil {
			if ctx.Err() == nil {
				logRow(l.d.log.Error(), &due).Err(err).Msg("channels: waiting for the lane's turn")
			}
			return false // nothing claimed: the row stays as it is
		}
		if msg, err = l.rerender(ctx, hard, msg, t); err != nil {
			t.giveBack()
			if ctx.Err() != nil {
				return false // shut down while waiting for more tokens: nothing claimed
			}
			t, loadErr = nil, err
		}
	}
	row, ok := l.claim(ctx, due)
	if !ok {
		t.giveBack()
		return false
	}
	var o outcome
	if loadErr != nil {
		o = l.loadFailed(row, due.State, loadErr)
	} else {
		msg.Delivery = row
		o = l.attempt(hard, due.State, msg, t)
	}
	return !l.record(hard, fin, row, o)
}

// rerenderRounds bounds how often rerender renders again after taking the
// tokens of a longer text, against an incident that keeps changing.
const rerenderRounds = 3

// rerender renders msg's comm again from the incident as stored now, once
// the lane's turn t is granted, so the text sent is no older than the turn.
// A text that needs more than t's tokens (an SMS that grew a segment) takes
// the difference first; the text is then rendered again, since that wait
// may have been long too. On error t may hold more than before, and ctx
// done means shutdown.
func (l *lane) rerender(ctx, hard context.Context, msg Message, t *turn) (Message, error) {
	for round := 1; ; round++ {
		inc, err := l.d.q.Incident(hard, msg.Delivery.IncidentID)
		if err != nil {
			return msg, fmt.Errorf("load incident %s: %w", msg.Delivery.IncidentID, err)
		}
		msg.Incident = inc
		msg.Rendered = comms.Render(&msg.Incident, &msg.Comm, l.d.cfg.Links, l.d.cfg.NormalizeSMS)
		extra := l.cost(msg) - t.tokens
		if extra <= 0 {
			return msg, nil
		}
		more, err := l.takeTurn(ctx, extra)
		if err != nil {
			return msg, err
		}
		t.add(more)
		if round == rerenderRounds {
			return msg, nil // the tokens cover this text
		}
	}
}

// claim moves due to sending. Its deadline allows a reconciliation and a
// send, each bounded by SendTimeout. false when the row is no longer
// claimable (superseded, final or taken since Due read it) or the claim
// failed.
func (l *lane) claim(ctx context.Context, due comms.Delivery) (comms.Delivery, bool) {
	now := l.d.cfg.Now()
	row, ok, err := l.d.q.Claim(ctx, due.ID, now, now.Add(2*l.cfg.SendTimeout))
	if err != nil {
		if ctx.Err() == nil {
			logRow(l.d.log.Error(), &due).Err(err).Msg("channels: claiming row")
		}
		return comms.Delivery{}, false
	}
	return row, ok
}

// mayCall reports whether a claim of due may send, and so needs a turn: an
// unknown row may have to be sent again after reconciliation; a row out of
// attempts or past its comm's deadline is only failed.
func (l *lane) mayCall(due comms.Delivery) bool {
	return due.State == comms.DeliveryUnknown || !l.outOfTries(due, due.Attempts+1)
}

// cost is what sending msg takes from the lane's limiter: its segments for
// SMS, one for the other media.
func (l *lane) cost(msg Message) int {
	if l.medium == comms.MediumSMS {
		return msg.Rendered.SMS.Info.Segments
	}
	return 1
}

// loadFailed is the outcome of a claimed row whose comm could not be loaded.
// prev is the state the row was claimed from.
func (l *lane) loadFailed(row comms.Delivery, prev comms.DeliveryState, err error) outcome {
	made := row.Attempts - 1
	if comms.ErrorCode(err) == comms.ENOTFOUND {
		return outcome{state: comms.DeliveryFailedPerm, attempts: made, err: Classify(err),
			lastError: "Herald could not find this comm's record, so it could not send it.", msg: "comm or incident missing"}
	}
	return outcome{state: prev, attempts: made, lastError: row.LastError, err: Classify(err),
		notBefore: l.d.cfg.Now().Add(l.d.cfg.backoff(1, 0)), msg: "could not load the comm; retrying later"}
}

// notConfigured says, for the comm's author, why a medium's rows cannot
// leave: this Herald has no sender for it.
var notConfigured = map[comms.Medium]string{
	comms.MediumSlack:      "Slack is not configured on this Herald (no bot token).",
	comms.MediumEmail:      "E-mail is not configured on this Herald (no SMTP server).",
	comms.MediumSMS:        "SMS is not configured on this Herald (no Twilio credentials).",
	comms.MediumStatuspage: "Statuspage is not configured on this Herald (no API key or page id).",
}

// unconfigured ends a claimed row of a medium without a Sender (turned off
// after the row was queued, or a restart without the provider's
// credentials): it would never leave, and its comm never finish.
func (l *lane) unconfigured(row comms.Delivery, prev comms.DeliveryState) outcome {
	why := notConfigured[l.medium]
	if why == "" {
		why = fmt.Sprintf("%s is not configured on this Herald.", l.medium)
	}
	if prev == comms.DeliveryUnknown {
		why = "Herald could not check whether the last attempt arrived: " + why
	}
	return outcome{state: comms.DeliveryFailedPerm, attempts: row.Attempts - 1, lastError: why, msg: "medium not configured",
		unconfirmed: prev == comms.DeliveryUnknown}
}

// attempt reconciles and sends a claimed row. prev is the state the row was
// claimed from; t is its turn, nil when mayCall said no call is needed.
func (l *lane) attempt(hard context.Context, prev comms.DeliveryState, msg Message, t *turn) outcome {
	row := msg.Delivery
	// made is the number of provider attempts before this claim.
	made := row.Attempts - 1
	if prev == comms.DeliveryUnknown {
		rctx, cancel := context.WithTimeout(hard, l.cfg.SendTimeout)
		o, done := l.reconcile(rctx, msg, row, made)
		cancel()
		if done {
			t.giveBack()
			return o
		}
	}
	if o, done := l.exhausted(row, made); done {
		t.giveBack()
		return o
	}
	if t == nil || hard.Err() != nil {
		// The call does not start: the row goes back as it was, so it is
		// never taken for one that may have arrived.
		t.giveBack()
		o := outcome{state: prev, attempts: made, notBefore: row.NotBefore, lastError: row.LastError, msg: "returned to the queue at shutdown"}
		if t == nil {
			o.msg = "returned to the queue: claimed without a turn"
		}
		return o
	}
	// The timeout starts now, after the reconciliation.
	callCtx, cancel := context.WithTimeout(hard, l.cfg.SendTimeout)
	defer cancel()
	res, err := l.sender.Send(callCtx, msg)
	if err == nil {
		return l.sent(hard, msg, row.Attempts, res, "sent")
	}
	return l.failed(row, Classify(err))
}

// reconcile asks the Reconciler whether the earlier, ambiguous attempt of an
// unknown row arrived. done is false when the row should be sent again.
func (l *lane) reconcile(ctx context.Context, msg Message, row comms.Delivery, made int) (o outcome, done bool) {
	r, ok := l.sender.(Reconciler)
	if !ok {
		// No way to look: send again (at least once). Senders whose
		// ambiguous failures must not be resent implement Reconciler.
		return outcome{}, false
	}
	res, found, err := r.Reconcile(ctx, msg)
	switch {
	case err != nil:
		e := Classify(err)
		if l.outOfTries(row, row.Attempts) {
			return outcome{state: comms.DeliveryFailedPerm, attempts: row.Attempts, err: e,
				lastError: fmt.Sprintf("%s; Herald could not check whether the last one arrived: %s", gaveUp(made, ""), e.UserMessage()),
				msg:       "gave up: could not reconcile", unconfirmed: true}, true
		}
		return outcome{state: comms.DeliveryUnknown, attempts: row.Attempts, err: e, lastError: row.LastError,
			notBefore: l.d.cfg.Now().Add(l.d.cfg.backoff(row.Attempts, e.RetryAfter)), msg: "could not reconcile; trying again later"}, true
	case found:
		// This claim sent nothing: the attempt that arrived was the last one.
		return l.sent(ctx, msg, made, res, "reconciled: the earlier attempt arrived"), true
	}
	return outcome{}, false
}

// exhausted ends a row that is out of attempts or past its comm's deadline.
func (l *lane) exhausted(row comms.Delivery, made int) (outcome, bool) {
	if !l.outOfTries(row, row.Attempts) {
		return outcome{}, false
	}
	return outcome{state: comms.DeliveryFailedPerm, attempts: made, lastError: gaveUp(made, row.LastError), msg: "gave up"}, true
}

// outOfTries reports whether a claim of row that counts attempts provider
// calls would be one too many, or the comm's deadline has passed.
func (l *lane) outOfTries(row comms.Delivery, attempts int) bool {
	return attempts > l.cfg.MaxAttempts || (!row.GiveUpAt.IsZero() && !l.d.cfg.Now().Before(row.GiveUpAt))
}

// sent is the outcome of an accepted message. A Statuspage incident the
// sender created or found is attached to the Herald incident first, so a
// crash in between is repaired by reconciliation, which finds it again.
func (l *lane) sent(ctx context.Context, msg Message, attempts int, res Result, logMsg string) outcome {
	if id := res.StatuspageIncidentID; id != "" && l.d.hooks.StatuspageIncident != nil &&
		(id != msg.Incident.StatuspageIncidentID || res.Shortlink != msg.Incident.StatuspageShortlink) {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), hookTimeout)
		err := l.d.hooks.StatuspageIncident(hctx, msg.Incident.ID, id, res.Shortlink)
		cancel()
		if err != nil {
			logRow(l.d.log.Error(), &msg.Delivery).Err(err).Str("statuspage_incident", id).Msg("channels: attaching Statuspage incident")
		}
	}
	return outcome{state: comms.DeliverySent, attempts: attempts, res: res, msg: logMsg}
}

// failed turns a classified send failure into the row's next state.
func (l *lane) failed(row comms.Delivery, e *Error) outcome {
	now := l.d.cfg.Now()
	n := row.Attempts
	switch e.Class {
	case Permanent:
		return outcome{state: comms.DeliveryFailedPerm, attempts: n, err: e, lastError: e.UserMessage(), msg: "refused"}
	case Ambiguous:
		// Reconciled at the next claim, before any resend; the cap and the
		// deadline are checked there too.
		return outcome{state: comms.DeliveryUnknown, attempts: n, err: e, lastError: e.UserMessage(),
			notBefore: now.Add(l.d.cfg.backoff(n, e.RetryAfter)), msg: "outcome unknown; reconciling before any resend"}
	}
	next := now.Add(l.d.cfg.backoff(n, e.RetryAfter))
	if e.RateLimited() {
		// Never processed (limits.md §2.4, §1.2): pause the lane and give
		// the attempt back.
		l.pause(e.RetryAfter)
		n--
		next = now.Add(e.RetryAfter)
	} else if n >= l.cfg.MaxAttempts {
		return outcome{state: comms.DeliveryFailedPerm, attempts: n, err: e, lastError: gaveUp(n, e.UserMessage()), msg: "gave up"}
	}
	if !row.GiveUpAt.IsZero() && next.After(row.GiveUpAt) {
		return outcome{state: comms.DeliveryFailedPerm, attempts: n, err: e, lastError: gaveUp(n, e.UserMessage()), msg: "gave up: past the comm's deadline"}
	}
	return outcome{state: comms.DeliveryFailedTemp, attempts: n, err: e, lastError: e.UserMessage(), notBefore: next, msg: "failed; retrying"}
}

// gaveUp words a final failure after n attempts.
func gaveUp(n int, last string) string {
	if n <= 0 {
		return "not sent: the comm's delivery deadline passed before Herald could send it"
	}
	s := fmt.Sprintf("gave up after %d attempts", n)
	if n == 1 {
		s = "gave up after 1 attempt"
	}
	if last != "" {
		s += ": " + last
	}
	return s
}

// message loads what a sender needs for row and renders the comm.
func (l *lane) message(ctx context.Context, row comms.Delivery) (Message, error) {
	c, err := l.d.q.Comm(ctx, row.CommID)
	if err != nil {
		return Message{}, fmt.Errorf("load comm %s: %w", row.CommID, err)
	}
	inc, err := l.d.q.Incident(ctx, row.IncidentID)
	if err != nil {
		return Message{}, fmt.Errorf("load incident %s: %w", row.IncidentID, err)
	}
	return Message{Delivery: row, Comm: c, Incident: inc,
		Rendered: comms.Render(&inc, &c, l.d.cfg.Links, l.d.cfg.NormalizeSMS)}, nil
}

// recordTries is how often a result write is tried before the row is left
// in sending for the next start to reconcile.
const recordTries = 3

// record writes an outcome to the claimed row and logs it once. false when
// every write failed, leaving the row in sending.
func (l *lane) record(ctx context.Context, fin *finisher, row comms.Delivery, o outcome) bool {
	ctx = context.WithoutCancel(ctx)
	var err error
	for try := range recordTries {
		if try > 0 {
			time.Sleep(time.Duration(try) * 100 * time.Millisecond)
		}
		now := l.d.cfg.Now()
		_, err = l.d.q.UpdateDelivery(ctx, row.ID, func(x *comms.Delivery) error {
			if x.State != comms.DeliverySending {
				return errNotOurs
			}
			x.State, x.Attempts, x.LastError, x.Deadline, x.UpdatedAt = o.state, o.attempts, o.lastError, time.Time{}, now
			x.Unconfirmed = o.unconfirmed
			switch o.state {
			case comms.DeliverySent:
				x.ProviderRef, x.SentAt, x.LastError = o.res.Ref, now, ""
			case comms.DeliveryFailedPerm:
			default:
				x.NotBefore = o.notBefore
			}
			return nil
		})
		if err == nil || errors.Is(err, errNotOurs) {
			break
		}
	}
	ev := l.event(o)
	if err != nil {
		ev = l.d.log.Error().Err(err).Str("outcome", string(o.state))
		o.msg = "recording the outcome failed; the row stays in sending until its deadline, then is reconciled"
	}
	logRow(ev, &row).Msg("channels: " + o.msg)
	if err == nil && o.state.Final() {
		fin.mark(row.CommID)
	}
	return err == nil
}

// event starts the one log line of an outcome.
func (l *lane) event(o outcome) *zerolog.Event {
	ev := l.d.log.Warn()
	if o.state == comms.DeliverySent {
		ev = l.d.log.Info()
	}
	ev = ev.Str("state", string(o.state)).Int("attempts", o.attempts)
	if o.res.Ref != "" {
		ev = ev.Str("provider_ref", o.res.Ref)
	}
	if o.err != nil {
		ev = ev.Str("class", o.err.Class.String()).AnErr("error", o.err.Err)
		if o.err.Message != "" {
			ev = ev.Str("reason", o.err.Message)
		}
	}
	if !o.notBefore.IsZero() && o.state != comms.DeliverySent && o.state != comms.DeliveryFailedPerm {
		ev = ev.Time("retry_at", o.notBefore)
	}
	return ev
}
