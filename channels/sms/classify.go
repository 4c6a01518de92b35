package sms

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	twclient "github.com/twilio/twilio-go/client"

	"github.com/herald-comms/herald/channels"
)

// Waits when Twilio asks to slow down without a Retry-After.
const (
	defaultTooManyWait   = time.Second      // 20429: concurrency, clears fast
	defaultQueueFullWait = 30 * time.Second // 21611: the sender's queue must drain
)

// classify turns a twilio-go error into a *channels.Error.
func (s *Sender) classify(err error, rec *recorder, m channels.Message) error {
	to := m.Delivery.Target
	if m.Delivery.TargetName != "" {
		to = fmt.Sprintf("%s (%s)", m.Delivery.TargetName, m.Delivery.Target)
	}
	var te *twclient.TwilioRestError
	if !errors.As(err, &te) {
		// No Twilio error body: judge by what the transport saw.
		switch {
		case rec.status == http.StatusTooManyRequests:
			return &channels.Error{Class: channels.Retryable, RetryAfter: max(rec.wait(), defaultTooManyWait), Err: err}
		case rec.status >= 500:
			return &channels.Error{Class: channels.Ambiguous, Err: err}
		case rec.status >= 400:
			return &channels.Error{Class: channels.Permanent, Err: err, Message: fmt.Sprintf("Twilio refused the SMS to %s (HTTP %d).", to, rec.status)}
		}
		return channels.Classify(err)
	}
	status := te.Status
	if rec.status != 0 {
		status = rec.status
	}
	perm := func(format string, args ...any) error {
		return &channels.Error{Class: channels.Permanent, Err: err, Message: fmt.Sprintf(format, args...)}
	}
	switch te.Code {
	case 20429:
		return &channels.Error{Class: channels.Retryable, RetryAfter: max(rec.wait(), defaultTooManyWait), Err: err}
	case 21611:
		return &channels.Error{Class: channels.Retryable, RetryAfter: max(rec.wait(), defaultQueueFullWait), Err: err,
			Message: "Twilio's queue for Herald's sender is full; the SMS will be retried."}
	case 21211:
		return perm("%s is not a valid phone number: fix it in the directory or the person's Slack profile.", to)
	case 21610:
		return perm("%s has opted out of SMS (replied STOP); they must text START to Herald's number to receive SMS again.", to)
	case 21614:
		return perm("%s is not a mobile number that can receive SMS.", to)
	case 21635:
		return perm("%s is a landline and cannot receive SMS.", to)
	case 21408:
		return perm("Herald's Twilio account may not send SMS to %s's region: ask the Herald operator to enable it in Twilio's geo permissions.", to)
	case 21612:
		return perm("Twilio cannot route an SMS from Herald's number to %s.", to)
	case 20003, 20005:
		return perm("Twilio refused Herald's credentials (error %d): ask the Herald operator.", te.Code)
	case 21212, 21603, 21606, 21659:
		return perm("Herald's SMS sender is not set up right (Twilio error %d): ask the Herald operator.", te.Code)
	case 21617:
		return perm("The SMS is longer than Twilio's 1,600 characters: shorten the message.")
	}
	switch {
	case status == http.StatusTooManyRequests:
		return &channels.Error{Class: channels.Retryable, RetryAfter: max(rec.wait(), defaultTooManyWait), Err: err}
	case status >= 500 || status == 0:
		return &channels.Error{Class: channels.Ambiguous, Err: err}
	}
	return perm("Twilio refused the SMS to %s: %s (error %d).", to, te.Message, te.Code)
}
