package slackfake

import (
	"strings"
	"testing"
)

// Channel is a handle on a channel; its methods read the current state.
type Channel struct {
	w  *Workspace
	id string
}

// Message is a snapshot of a message as a person sees it.
type Message struct {
	// TS is the message timestamp, its id within the channel.
	TS string
	// ChannelID is the channel the message is in.
	ChannelID string
	// UserID is the author (the bot's user id for the app's messages).
	UserID string
	// ThreadTS is the parent's ts for thread replies.
	ThreadTS string
	// Metadata is the message metadata, if any.
	Metadata *Metadata
	// Ephemeral marks a message only ToUser can see.
	Ephemeral bool
	// ToUser is the recipient of an ephemeral message.
	ToUser string
	// Edited is true once chat.update or a response_url changed the message.
	Edited bool

	w      *Workspace
	text   string
	blocks []map[string]any
}

// Text is what a person reads: the blocks' text when there are blocks,
// otherwise the text argument.
func (m *Message) Text() string {
	if len(m.blocks) > 0 {
		return blocksText(m.blocks)
	}
	return m.text
}

// Fallback is the message's text argument (the notification text).
func (m *Message) Fallback() string { return m.text }

// Blocks returns a copy of the message's blocks.
func (m *Message) Blocks() []map[string]any { return clone(m.blocks) }

// Buttons lists the texts of the message's buttons.
func (m *Message) Buttons() []string { return buttons(m.blocks) }

func (w *Workspace) snapshot(m *message) *Message {
	return &Message{
		TS: m.ts, ChannelID: m.channel, UserID: m.user, ThreadTS: m.threadTS,
		Metadata: clone(m.metadata), Ephemeral: m.ephemeral, ToUser: m.toUser, Edited: m.edited,
		w: w, text: m.text, blocks: clone(m.blocks),
	}
}

// Click presses the button with the given text in the current version of
// the message as userID and returns after the app acks. It fails the test
// if userID could not see the message.
func (m *Message) Click(userID, buttonText string) {
	w := m.w
	w.tb.Helper()
	var e *Envelope
	w.locked(w.tb, func() {
		u := w.users[userID]
		c := w.channels[m.ChannelID]
		if u == nil || c == nil {
			fatalf("slackfake: Click: unknown user %q or channel %q", userID, m.ChannelID)
		}
		var cur *message
		if m.Ephemeral {
			for _, x := range w.ephemerals {
				if x.ts == m.TS && !x.deleted && x.toUser == userID {
					cur = x
				}
			}
		} else {
			cur = c.message(m.TS)
			if c.private && !c.isMember(userID) {
				fatalf("slackfake: Click: %s cannot see private channel %s", userID, c.name)
			}
		}
		if cur == nil {
			fatalf("slackfake: Click: message %s is gone or not visible to %s", m.TS, userID)
		}
		f := mustButton(cur.blocks, buttonText, "message "+cur.ts)
		action := buttonAction(f)
		action["action_id"], action["block_id"], action["type"] = f.action, f.blockID, "button"
		action["action_ts"] = w.actionTSLocked()
		trig := w.newTriggerLocked(u.ID, c.id, "")
		msgJSON := w.messageJSON(cur, false)
		payload := map[string]any{
			"type": "block_actions", "team": w.teamRef(), "user": w.userRef(u),
			"api_app_id": w.AppID, "token": verificationToken,
			"container": map[string]any{
				"type": "message", "message_ts": cur.ts, "channel_id": c.id, "is_ephemeral": cur.ephemeral,
			},
			"trigger_id": trig.id, "channel": map[string]any{"id": c.id, "name": c.name},
			"message":      msgJSON,
			"state":        map[string]any{"values": stateValues(cur.blocks, nil)},
			"response_url": w.newResponseURLLocked(u.ID, c.id, cur.ts, cur.ephemeral),
			"actions":      []any{action}, "is_enterprise_install": false,
		}
		e = w.sendLocked("interactive", payload, nil, trig)
	})
	w.awaitAck(w.tb, e, "block_actions")
}

// Channel returns the channel with this name or id, waiting briefly for the
// app to create it, and fails the test if it never appears.
func (w *Workspace) Channel(nameOrID string) *Channel {
	w.tb.Helper()
	c, ok := w.FindChannel(nameOrID)
	if !ok && w.waitFor(defaultWait, func() bool { c, ok = w.FindChannel(nameOrID); return ok }) {
		ok = true
	}
	if !ok {
		w.tb.Fatalf("slackfake: no channel %q", nameOrID)
	}
	return c
}

// FindChannel returns the channel with this name or id, if it exists.
func (w *Workspace) FindChannel(nameOrID string) (*Channel, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c := w.channelLocked(nameOrID); c != nil {
		return &Channel{w: w, id: c.id}, true
	}
	return nil, false
}

func (c *Channel) read(f func(ch *channel)) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	f(c.w.channels[c.id])
}

// ID is the channel id.
func (c *Channel) ID() string { return c.id }

// Name is the channel name, without "#".
func (c *Channel) Name() (s string) { c.read(func(ch *channel) { s = ch.name }); return }

// Private reports whether the channel is private.
func (c *Channel) Private() (b bool) { c.read(func(ch *channel) { b = ch.private }); return }

// Archived reports whether the channel is archived.
func (c *Channel) Archived() (b bool) { c.read(func(ch *channel) { b = ch.archived }); return }

// Topic is the channel topic.
func (c *Channel) Topic() (s string) { c.read(func(ch *channel) { s = ch.topic }); return }

// Members lists the member user ids, in the order they joined.
func (c *Channel) Members() (m []string) {
	c.read(func(ch *channel) { m = append([]string(nil), ch.members...) })
	return
}

// IsMember reports whether userID is in the channel.
func (c *Channel) IsMember(userID string) (b bool) {
	c.read(func(ch *channel) { b = ch.isMember(userID) })
	return
}

// Archive archives the channel, as an admin would.
func (c *Channel) Archive() {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	c.w.channels[c.id].archived = true
	c.w.notifyLocked()
}

// SetTopic sets the channel topic, as a person would.
func (c *Channel) SetTopic(topic string) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	c.w.channels[c.id].topic = topic
	c.w.notifyLocked()
}

// Post adds a message written by a person, for example to give
// conversations.history something besides the bot's messages.
func (c *Channel) Post(userID, text string) *Message {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	ch := c.w.channels[c.id]
	m := &message{ts: c.w.nextTSLocked(), channel: ch.id, user: userID, text: text}
	ch.messages = append(ch.messages, m)
	c.w.notifyLocked()
	return c.w.snapshot(m)
}

// Messages returns the channel's messages, oldest first (thread replies
// included).
func (c *Channel) Messages() []*Message {
	var out []*Message
	c.read(func(ch *channel) {
		for _, m := range ch.messages {
			if !m.deleted {
				out = append(out, c.w.snapshot(m))
			}
		}
	})
	return out
}

// LastMessage returns the newest message, or nil.
func (c *Channel) LastMessage() *Message {
	ms := c.Messages()
	if len(ms) == 0 {
		return nil
	}
	return ms[len(ms)-1]
}

// Message returns the message with this ts, or nil.
func (c *Channel) Message(ts string) *Message {
	var out *Message
	c.read(func(ch *channel) {
		if m := ch.message(ts); m != nil {
			out = c.w.snapshot(m)
		}
	})
	return out
}

// Pinned returns the pinned messages, in pin order.
func (c *Channel) Pinned() []*Message {
	var out []*Message
	c.read(func(ch *channel) {
		for _, ts := range ch.pins {
			if m := ch.message(ts); m != nil {
				out = append(out, c.w.snapshot(m))
			}
		}
	})
	return out
}

// ExpectMessage waits briefly for a message whose Text contains substr and
// returns the newest such message; it fails the test if none appears.
func (c *Channel) ExpectMessage(tb testing.TB, substr string) *Message {
	tb.Helper()
	var found *Message
	ok := c.w.waitFor(defaultWait, func() bool {
		ms := c.Messages()
		for i := len(ms) - 1; i >= 0; i-- {
			if strings.Contains(ms[i].Text(), substr) {
				found = ms[i]
				return true
			}
		}
		return false
	})
	if !ok {
		var texts []string
		for _, m := range c.Messages() {
			texts = append(texts, m.Text())
		}
		tb.Fatalf("slackfake: no message containing %q in #%s; messages: %q", substr, c.Name(), texts)
	}
	return found
}

// Ephemerals returns the ephemeral messages shown to userID, oldest first.
func (w *Workspace) Ephemerals(userID string) []*Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []*Message
	for _, m := range w.ephemerals {
		if m.toUser == userID && !m.deleted {
			out = append(out, w.snapshot(m))
		}
	}
	return out
}
