package slackfake

import "unicode/utf8"

// Message text limits: Slack truncates posts above 40,000 characters and
// chat.update answers msg_too_long above 4,000.
const (
	maxPostText   = 40000
	maxUpdateText = 4000
)

// postableChannelLocked finds a channel the bot may write to.
func (w *Workspace) postableChannelLocked(id string) (*channel, *apiError) {
	c := w.channelLocked(id)
	if c == nil || (c.private && !c.isMember(w.BotUserID)) {
		return nil, fail("channel_not_found")
	}
	if c.archived {
		return nil, fail("is_archived")
	}
	if !c.isMember(w.BotUserID) {
		return nil, fail("not_in_channel")
	}
	return c, nil
}

// messageContent decodes and checks text, blocks and metadata.
func messageContent(p params, maxText int) (text string, blocks []map[string]any, md *Metadata, aerr *apiError) {
	text = p.str("text")
	if utf8.RuneCountInString(text) > maxText {
		return "", nil, nil, fail("msg_too_long")
	}
	if _, err := p.decode("blocks", &blocks); err != nil {
		return "", nil, nil, fail("invalid_blocks_format")
	}
	if blocks != nil {
		if msgs := validateBlocks(blocks, surfaceMessage, "/blocks"); len(msgs) > 0 {
			return "", nil, nil, fail("invalid_blocks", msgs...)
		}
	}
	var m Metadata
	ok, err := p.decode("metadata", &m)
	if err != nil || (ok && m.EventType == "") {
		return "", nil, nil, fail("invalid_metadata_format")
	}
	if ok {
		md = &m
	}
	return text, blocks, md, nil
}

// chatPostMessage answers chat.postMessage.
func (w *Workspace) chatPostMessage(p params) (map[string]any, *apiError) {
	c, aerr := w.postableChannelLocked(p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	text, blocks, md, aerr := messageContent(p, maxPostText)
	if aerr != nil {
		return nil, aerr
	}
	if text == "" && len(blocks) == 0 && p.str("attachments") == "" {
		return nil, fail("no_text")
	}
	if blocks != nil {
		ensureIDs(blocks, &w.seq)
	}
	m := &message{
		ts: w.nextTSLocked(), channel: c.id, user: w.BotUserID, botID: w.BotID,
		text: text, blocks: blocks, metadata: md, threadTS: p.str("thread_ts"),
	}
	c.messages = append(c.messages, m)
	return map[string]any{"channel": c.id, "ts": m.ts, "message": w.messageJSON(m, true)}, nil
}

// chatUpdate answers chat.update.
func (w *Workspace) chatUpdate(p params) (map[string]any, *apiError) {
	c, aerr := w.postableChannelLocked(p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	m := c.message(p.str("ts"))
	if m == nil {
		return nil, fail("message_not_found")
	}
	if m.user != w.BotUserID {
		return nil, fail("cant_update_message")
	}
	text, blocks, md, aerr := messageContent(p, maxUpdateText)
	if aerr != nil {
		return nil, aerr
	}
	if _, ok := p["text"]; ok {
		m.text = text
	}
	if _, ok := p["blocks"]; ok {
		ensureIDs(blocks, &w.seq)
		m.blocks = blocks
	}
	if md != nil {
		m.metadata = md
	}
	if m.text == "" && len(m.blocks) == 0 {
		return nil, fail("no_text")
	}
	m.edited = true
	return map[string]any{"channel": c.id, "ts": m.ts, "text": m.text, "message": w.messageJSON(m, true)}, nil
}

// chatPostEphemeral answers chat.postEphemeral.
func (w *Workspace) chatPostEphemeral(p params) (map[string]any, *apiError) {
	c, aerr := w.postableChannelLocked(p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	userID := p.str("user")
	if _, ok := w.users[userID]; !ok {
		return nil, fail("user_not_found")
	}
	if !c.isMember(userID) {
		return nil, fail("user_not_in_channel")
	}
	text, blocks, _, aerr := messageContent(p, maxPostText)
	if aerr != nil {
		return nil, aerr
	}
	if text == "" && len(blocks) == 0 && p.str("attachments") == "" {
		return nil, fail("no_text")
	}
	if blocks != nil {
		ensureIDs(blocks, &w.seq)
	}
	m := w.addEphemeralLocked(c.id, userID, text, blocks)
	return map[string]any{"message_ts": m.ts}, nil
}

// addEphemeralLocked records a message only userID can see.
func (w *Workspace) addEphemeralLocked(channelID, userID, text string, blocks []map[string]any) *message {
	m := &message{
		ts: w.nextTSLocked(), channel: channelID, user: w.BotUserID, botID: w.BotID,
		text: text, blocks: blocks, ephemeral: true, toUser: userID,
	}
	w.ephemerals = append(w.ephemerals, m)
	return m
}

// chatGetPermalink answers chat.getPermalink.
func (w *Workspace) chatGetPermalink(p params) (map[string]any, *apiError) {
	c := w.channelLocked(p.str("channel"))
	if c == nil || (c.private && !c.isMember(w.BotUserID)) {
		return nil, fail("channel_not_found")
	}
	ts := p.str("message_ts")
	if c.message(ts) == nil {
		return nil, fail("message_not_found")
	}
	return map[string]any{"channel": c.id, "permalink": permalink(c.id, ts)}, nil
}

// pinsAdd answers pins.add.
func (w *Workspace) pinsAdd(p params) (map[string]any, *apiError) {
	c, aerr := w.postableChannelLocked(p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	ts := p.str("timestamp")
	if ts == "" {
		return nil, fail("no_item_specified")
	}
	if c.message(ts) == nil {
		return nil, fail("message_not_found")
	}
	if c.pinned(ts) {
		return nil, fail("already_pinned")
	}
	c.pins = append(c.pins, ts)
	return nil, nil
}

// pinsRemove answers pins.remove.
func (w *Workspace) pinsRemove(p params) (map[string]any, *apiError) {
	c, aerr := w.postableChannelLocked(p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	ts := p.str("timestamp")
	if ts == "" {
		return nil, fail("no_item_specified")
	}
	for i, pin := range c.pins {
		if pin == ts {
			c.pins = append(c.pins[:i], c.pins[i+1:]...)
			return nil, nil
		}
	}
	return nil, fail("no_pin")
}

// pinsList answers pins.list.
func (w *Workspace) pinsList(p params) (map[string]any, *apiError) {
	c := w.channelLocked(p.str("channel"))
	if c == nil || (c.private && !c.isMember(w.BotUserID)) {
		return nil, fail("channel_not_found")
	}
	items := []map[string]any{}
	for i := len(c.pins) - 1; i >= 0; i-- {
		if m := c.message(c.pins[i]); m != nil {
			items = append(items, map[string]any{
				"type": "message", "channel": c.id, "created_by": w.BotUserID,
				"message": w.messageJSON(m, false),
			})
		}
	}
	return map[string]any{"items": items}, nil
}
