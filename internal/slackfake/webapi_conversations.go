package slackfake

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxChannelName is Slack's limit on channel names.
const maxChannelName = 80

// readableChannelLocked finds a channel the bot may read.
func (w *Workspace) readableChannelLocked(id string) (*channel, *apiError) {
	c := w.channelLocked(id)
	if c == nil || (c.private && !c.isMember(w.BotUserID)) {
		return nil, fail("channel_not_found")
	}
	return c, nil
}

// conversationsCreate answers conversations.create.
func (w *Workspace) conversationsCreate(p params) (map[string]any, *apiError) {
	name := p.str("name")
	switch {
	case name == "":
		return nil, fail("invalid_name_required")
	case utf8.RuneCountInString(name) > maxChannelName:
		return nil, fail("invalid_name_maxlength")
	case strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) >= 0:
		return nil, fail("invalid_name_specials")
	}
	for _, c := range w.channels {
		if c.name == name {
			return nil, fail("name_taken")
		}
	}
	c := w.addChannelLocked(name, p.flag("is_private"), w.BotUserID)
	c.members = append(c.members, w.BotUserID)
	return map[string]any{"channel": w.channelJSON(c)}, nil
}

// conversationsInfo answers conversations.info.
func (w *Workspace) conversationsInfo(p params) (map[string]any, *apiError) {
	c, aerr := w.readableChannelLocked(p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"channel": w.channelJSON(c)}, nil
}

// conversationsJoin answers conversations.join; bots can join public
// channels only.
func (w *Workspace) conversationsJoin(p params) (map[string]any, *apiError) {
	c := w.channelLocked(p.str("channel"))
	if c == nil {
		return nil, fail("channel_not_found")
	}
	if c.private {
		return nil, fail("method_not_supported_for_channel_type")
	}
	if c.archived {
		return nil, fail("is_archived")
	}
	out := map[string]any{}
	if c.isMember(w.BotUserID) {
		out["warning"] = "already_in_channel"
		out["response_metadata"] = map[string]any{"warnings": []string{"already_in_channel"}}
	} else {
		c.members = append(c.members, w.BotUserID)
	}
	out["channel"] = w.channelJSON(c)
	return out, nil
}

// conversationsInvite answers conversations.invite.
func (w *Workspace) conversationsInvite(p params) (map[string]any, *apiError) {
	c, aerr := w.readableChannelLocked(p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	if c.archived {
		return nil, fail("is_archived")
	}
	if !c.isMember(w.BotUserID) {
		return nil, fail("not_in_channel")
	}
	raw := p.str("users")
	if raw == "" {
		return nil, fail("no_user")
	}
	ids := strings.Split(raw, ",")
	for _, id := range ids {
		id = strings.TrimSpace(id)
		switch {
		case id == w.BotUserID:
			return nil, fail("cant_invite_self")
		case w.users[id] == nil:
			return nil, fail("user_not_found")
		case c.isMember(id):
			return nil, fail("already_in_channel")
		}
	}
	for _, id := range ids {
		c.members = append(c.members, strings.TrimSpace(id))
	}
	return map[string]any{"channel": w.channelJSON(c)}, nil
}

// conversationsHistory answers conversations.history, newest first.
func (w *Workspace) conversationsHistory(p params) (map[string]any, *apiError) {
	c, aerr := w.readableChannelLocked(p.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	if !c.isMember(w.BotUserID) {
		return nil, fail("not_in_channel")
	}
	limit := 100
	if s := p.str("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, fail("invalid_limit")
		}
		if n > 0 {
			limit = min(n, 999)
		}
	}
	latest := p.str("latest")
	if cur := p.str("cursor"); cur != "" {
		latest = strings.TrimPrefix(cur, "next_ts:")
	}
	oldest, inclusive := p.str("oldest"), p.flag("inclusive")
	withMD := p.flag("include_all_metadata")
	msgs := []map[string]any{}
	next := ""
	for i := len(c.messages) - 1; i >= 0; i-- {
		m := c.messages[i]
		if m.deleted || (m.threadTS != "" && m.threadTS != m.ts) {
			continue
		}
		if latest != "" && (cmpTS(m.ts, latest) > 0 || (cmpTS(m.ts, latest) == 0 && !inclusive)) {
			continue
		}
		if oldest != "" && (cmpTS(m.ts, oldest) < 0 || (cmpTS(m.ts, oldest) == 0 && !inclusive)) {
			continue
		}
		if len(msgs) == limit {
			next = "next_ts:" + msgs[len(msgs)-1]["ts"].(string)
			break
		}
		msgs = append(msgs, w.messageJSON(m, withMD))
	}
	return map[string]any{
		"messages":          msgs,
		"has_more":          next != "",
		"pin_count":         len(c.pins),
		"response_metadata": map[string]any{"next_cursor": next},
	}, nil
}

// cmpTS compares two Slack timestamps numerically.
func cmpTS(a, b string) int {
	as, au, _ := strings.Cut(a, ".")
	bs, bu, _ := strings.Cut(b, ".")
	ai, _ := strconv.ParseInt(as, 10, 64)
	bi, _ := strconv.ParseInt(bs, 10, 64)
	if ai != bi {
		if ai < bi {
			return -1
		}
		return 1
	}
	au, bu = (au + "000000")[:6], (bu + "000000")[:6]
	return strings.Compare(au, bu)
}

// conversationsOpen answers conversations.open for a direct message with one
// user: the DM channel (id D…, named "dm-<user id>" so tests can find it with
// Channel) is created on first use and returned after that.
func (w *Workspace) conversationsOpen(p params) (map[string]any, *apiError) {
	raw := strings.TrimSpace(p.str("users"))
	if raw == "" {
		if p.str("channel") != "" {
			return nil, fail("method_not_supported_for_channel_type", "[ERROR] slackfake models conversations.open with users only")
		}
		return nil, fail("users_list_not_supplied")
	}
	if strings.Contains(raw, ",") {
		return nil, fail("not_supported", "[ERROR] slackfake models one-to-one direct messages only")
	}
	if _, ok := w.users[raw]; !ok {
		return nil, fail("user_not_found")
	}
	if raw == w.BotUserID {
		return nil, fail("cannot_dm_bot")
	}
	name := "dm-" + raw
	for _, id := range w.chanOrder {
		if c := w.channels[id]; c.name == name {
			return map[string]any{"channel": map[string]any{"id": c.id}, "already_open": true}, nil
		}
	}
	c := &channel{id: w.nextIDLocked("D"), name: name, private: true, created: 1700000000 + int64(w.seq),
		creator: w.BotUserID, members: []string{w.BotUserID, raw}}
	w.channels[c.id] = c
	w.chanOrder = append(w.chanOrder, c.id)
	w.notifyLocked()
	return map[string]any{"channel": map[string]any{"id": c.id}}, nil
}
