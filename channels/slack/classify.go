package slack

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"github.com/herald-comms/herald/channels"
)

// defaultRetryAfter is the pause after a rate-limit answer that carries no
// Retry-After; Slack usually asks for 1 s on chat.postMessage (limits.md §1.2).
const defaultRetryAfter = time.Second

// slackCode returns the Slack error code ("channel_not_found") of err, or "".
func slackCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// channelName names the delivery's channel for people: "#ops", or Slack's
// channel mention when the name is not known.
func channelName(m channels.Message) string {
	if n := m.Delivery.TargetName; n != "" {
		if n[0] != '#' {
			n = "#" + n
		}
		return n
	}
	return "<#" + m.Delivery.Target + ">"
}

// classify turns a slack-go error into a *channels.Error.
func (s *Sender) classify(err error, m channels.Message) error {
	if e := channels.AsError(err); e != nil {
		return e
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &channels.Error{Class: channels.Retryable, RetryAfter: max(rl.RetryAfter, defaultRetryAfter), Err: err}
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		switch {
		case sc.Code == http.StatusTooManyRequests:
			return &channels.Error{Class: channels.Retryable, RetryAfter: defaultRetryAfter, Err: err}
		case sc.Code >= 500:
			return &channels.Error{Class: channels.Ambiguous, Err: err, Message: "Slack had a server error; Herald is checking whether the message was posted."}
		}
		return &channels.Error{Class: channels.Permanent, Err: err, Message: fmt.Sprintf("Slack refused the message (%s).", sc.Status)}
	}
	code := slackCode(err)
	if code == "" {
		return channels.Classify(err)
	}
	name := channelName(m)
	perm := func(msg string, args ...any) error {
		return &channels.Error{Class: channels.Permanent, Err: err, Message: fmt.Sprintf(msg, args...)}
	}
	switch code {
	case "ratelimited", "rate_limited":
		return &channels.Error{Class: channels.Retryable, RetryAfter: defaultRetryAfter, Err: err}
	case "fatal_error", "internal_error", "service_unavailable", "request_timeout":
		// "Some aspect of the operation succeeded" may hold: reconcile.
		return &channels.Error{Class: channels.Ambiguous, Err: err, Message: "Slack had an internal error; Herald is checking whether the message was posted."}
	case "channel_not_found":
		return perm("Herald cannot find %s: it was deleted, or it is private and Herald is not in it (invite %s to %s).", name, s.bot, name)
	case "not_in_channel":
		return perm("Herald is not in %s and could not join it: invite %s to %s.", name, s.bot, name)
	case "is_archived":
		return perm("%s is archived: unarchive it or choose another channel.", name)
	case "invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long":
		return perm("Slack refused the message layout (%s): shorten the message.", code)
	case "msg_too_long", "no_text":
		return perm("Slack refused the message text (%s): shorten the message.", code)
	case "restricted_action", "restricted_action_read_only_channel", "restricted_action_thread_only_channel",
		"restricted_action_non_threadable_channel", "cannot_reply_to_message", "ekm_access_denied", "team_access_not_granted":
		return perm("Herald may not post in %s (%s): ask a workspace admin.", name, code)
	case "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "missing_scope", "not_allowed_token_type":
		return perm("Herald's Slack token was refused (%s): ask the Herald operator.", code)
	}
	return perm("Slack refused the message to %s (%s).", name, code)
}
