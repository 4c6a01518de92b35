package slackfake

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// verificationToken is the deprecated token Slack still puts in payloads.
const verificationToken = "fake-verification-token"

func (w *Workspace) teamRef() map[string]any {
	return map[string]any{"id": w.TeamID, "domain": domain}
}

func (w *Workspace) userRef(u *User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Name, "name": u.Name, "team_id": w.TeamID}
}

// newTriggerLocked issues a trigger_id; its clock starts when the envelope
// carrying it is first delivered.
func (w *Workspace) newTriggerLocked(userID, channelID, viewID string) *trigger {
	t := &trigger{
		id:     fmt.Sprintf("%d.%s.%s", 1700000000+w.seq, w.TeamID, w.nextIDLocked("trig")),
		userID: userID, channel: channelID, viewID: viewID, issued: w.now(),
	}
	w.triggers[t.id] = t
	return t
}

// newResponseURLLocked issues a response_url served by the fake.
func (w *Workspace) newResponseURLLocked(userID, channelID, messageTS string, ephemeral bool) string {
	r := &responseURL{id: w.nextIDLocked("R"), userID: userID, channel: channelID, messageTS: messageTS, ephemeral: ephemeral}
	w.responses[r.id] = r
	return w.srv.URL + "/response/" + r.id
}

// actionTS is an action timestamp in Slack's format.
func (w *Workspace) actionTSLocked() string {
	w.seq++
	return fmt.Sprintf("%d.%06d", 1700000000+w.seq, w.seq)
}

// awaitAck waits for an interaction's ack and reports a missing or late one
// as a test failure: Slack shows the person an error after three seconds.
func (w *Workspace) awaitAck(tb testing.TB, e *Envelope, what string) json.RawMessage {
	tb.Helper()
	payload, ok := e.Wait()
	w.mu.Lock()
	limit, closed := w.ackTimeout, w.closed
	w.mu.Unlock()
	switch {
	case closed:
	case !ok:
		tb.Errorf("slackfake: app never acked the %s envelope %s (%d deliveries)", what, e.ID, e.Deliveries())
	case e.AckDelay() > limit:
		tb.Errorf("slackfake: app acked the %s envelope %s after %v; Slack shows the user an error after %v", what, e.ID, e.AckDelay(), limit)
	}
	return payload
}

// Command is a slash command sent with SlashCommand.
type Command struct {
	// Envelope is the slash_commands envelope.
	Envelope *Envelope
	// TriggerID is the trigger_id the app received.
	TriggerID string
	// ResponseURL is the response_url the app received.
	ResponseURL string
	// UserID and ChannelID say who ran the command, and where.
	UserID, ChannelID string

	w     *Workspace
	since string
}

// SlashCommand runs a slash command as userID in channelID, for example
// w.SlashCommand("U1", ch.ID(), "/incident", "comm"), and returns once the
// app has acked it. An ack with text or blocks shows as an ephemeral message
// (or in the channel with "response_type":"in_channel"), as in Slack.
func (w *Workspace) SlashCommand(userID, channelID, command, text string) *Command {
	w.tb.Helper()
	w.mu.Lock()
	u, c := w.users[userID], w.channelLocked(channelID)
	if u == nil || c == nil {
		w.mu.Unlock()
		w.tb.Fatalf("slackfake: SlashCommand: unknown user %q or channel %q", userID, channelID)
		return nil
	}
	trig := w.newTriggerLocked(u.ID, c.id, "")
	cmd := &Command{
		TriggerID: trig.id, ResponseURL: w.newResponseURLLocked(u.ID, c.id, "", true),
		UserID: u.ID, ChannelID: c.id, w: w, since: w.nextTSLocked(),
	}
	payload := map[string]any{
		"token": verificationToken, "team_id": w.TeamID, "team_domain": domain,
		"channel_id": c.id, "channel_name": c.name, "user_id": u.ID, "user_name": u.Name,
		"command": command, "text": text, "api_app_id": w.AppID,
		"response_url": cmd.ResponseURL, "trigger_id": trig.id,
	}
	cmd.Envelope = w.sendLocked("slash_commands", payload, func(p json.RawMessage) []string {
		return w.applyMessageResponseLocked(p, &responseURL{userID: u.ID, channel: c.id, ephemeral: true})
	}, trig)
	w.mu.Unlock()
	w.awaitAck(w.tb, cmd.Envelope, "slash_commands")
	return cmd
}

// Ack returns the payload of the app's ack, or nil.
func (c *Command) Ack() json.RawMessage {
	p, _ := c.Envelope.Wait()
	return p
}

// Modal waits for the modal the app opens with this command's trigger_id
// and fails the test if none opens while the trigger is valid.
func (c *Command) Modal(tb testing.TB) *Modal {
	tb.Helper()
	var st *viewStack
	c.w.mu.Lock()
	wait := c.w.triggerTTL + defaultWait
	c.w.mu.Unlock()
	ok := c.w.waitFor(wait, func() bool {
		c.w.mu.Lock()
		defer c.w.mu.Unlock()
		for _, s := range c.w.stacks {
			if s.trigger == c.TriggerID {
				st = s
				return true
			}
		}
		return false
	})
	if !ok {
		tb.Fatalf("slackfake: no modal was opened with the trigger_id of %s; views.open calls: %d", c.Envelope.ID, c.w.Calls("views.open"))
		return nil
	}
	return &Modal{w: c.w, tb: tb, stack: st}
}

// Ephemeral waits briefly for ephemeral messages to the command's user in
// its channel, sent after the command, and returns them oldest first.
func (c *Command) Ephemeral(tb testing.TB) []*Message {
	tb.Helper()
	var out []*Message
	c.w.waitFor(defaultWait, func() bool {
		out = nil
		for _, m := range c.w.Ephemerals(c.UserID) {
			if m.ChannelID == c.ChannelID && cmpTS(m.TS, c.since) > 0 {
				out = append(out, m)
			}
		}
		return len(out) > 0
	})
	if len(out) == 0 {
		tb.Errorf("slackfake: no ephemeral message reached %s in %s after the command", c.UserID, c.ChannelID)
	}
	return out
}

// messageResponse is a message sent through a response_url or as an ack.
type messageResponse struct {
	Text            string           `json:"text"`
	Blocks          []map[string]any `json:"blocks"`
	ResponseType    string           `json:"response_type"`
	ReplaceOriginal bool             `json:"replace_original"`
	DeleteOriginal  bool             `json:"delete_original"`
}

// applyMessageResponseLocked shows a response as Slack does: ephemeral by
// default, in the channel for "in_channel", or replacing or deleting the
// original message.
func (w *Workspace) applyMessageResponseLocked(raw json.RawMessage, r *responseURL) []string {
	if len(raw) == 0 {
		return nil
	}
	var mr messageResponse
	if err := json.Unmarshal(raw, &mr); err != nil {
		return []string{"slackfake: response is not a message: " + string(raw)}
	}
	if mr.Text == "" && len(mr.Blocks) == 0 && !mr.DeleteOriginal {
		return nil
	}
	if msgs := validateBlocks(mr.Blocks, surfaceMessage, "/blocks"); len(msgs) > 0 {
		return []string{"slackfake: response has invalid_blocks: " + strings.Join(msgs, "; ")}
	}
	ensureIDs(mr.Blocks, &w.seq)
	if mr.ReplaceOriginal || mr.DeleteOriginal {
		m := w.originalLocked(r)
		if m == nil {
			return []string{"slackfake: response_url has no original message to replace or delete"}
		}
		if mr.DeleteOriginal {
			m.deleted = true
			return nil
		}
		m.text, m.blocks, m.edited = mr.Text, mr.Blocks, true
		return nil
	}
	if mr.ResponseType == "in_channel" {
		c := w.channels[r.channel]
		c.messages = append(c.messages, &message{
			ts: w.nextTSLocked(), channel: c.id, user: w.BotUserID, botID: w.BotID, text: mr.Text, blocks: mr.Blocks,
		})
		return nil
	}
	w.addEphemeralLocked(r.channel, r.userID, mr.Text, mr.Blocks)
	return nil
}

// originalLocked finds the message an interaction came from.
func (w *Workspace) originalLocked(r *responseURL) *message {
	if r.messageTS == "" {
		return nil
	}
	if r.ephemeral {
		for _, m := range w.ephemerals {
			if m.ts == r.messageTS && !m.deleted {
				return m
			}
		}
		return nil
	}
	if c := w.channels[r.channel]; c != nil {
		return c.message(r.messageTS)
	}
	return nil
}
