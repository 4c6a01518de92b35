package slackfake

import (
	"encoding/json"
	"time"
)

// User is a member of the fake workspace.
type User struct {
	// ID is the Slack user id, such as "U1".
	ID string
	// Name is the handle, such as "alice".
	Name string
	// RealName is the full name shown in Slack.
	RealName string
	// Phone is the profile phone number, as the person typed it.
	Phone string
	// Email is the profile e-mail address.
	Email string
	// IsBot marks bot users.
	IsBot bool
}

// Visibility says whether a channel is public or private.
type Visibility int

// Channel visibilities.
const (
	Public Visibility = iota
	Private
)

// Metadata is the message metadata Slack stores with a message
// (chat.postMessage's metadata argument).
type Metadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// channel is the fake's record of a conversation.
type channel struct {
	id, name string
	private  bool
	archived bool
	members  []string
	topic    string
	purpose  string
	created  int64
	creator  string
	messages []*message
	pins     []string
}

func (c *channel) isMember(userID string) bool {
	for _, m := range c.members {
		if m == userID {
			return true
		}
	}
	return false
}

func (c *channel) message(ts string) *message {
	for _, m := range c.messages {
		if m.ts == ts && !m.deleted {
			return m
		}
	}
	return nil
}

func (c *channel) pinned(ts string) bool {
	for _, p := range c.pins {
		if p == ts {
			return true
		}
	}
	return false
}

// message is one message, in a channel or ephemeral to one user.
type message struct {
	ts        string
	channel   string
	user      string
	botID     string
	text      string
	blocks    []map[string]any
	metadata  *Metadata
	threadTS  string
	ephemeral bool
	toUser    string
	deleted   bool
	edited    bool
}

// userGroup is a user group (subteam) such as @incident-approvers.
type userGroup struct {
	id, handle string
	users      []string
}

// viewStack is the stack of modals one user has open (Slack allows three).
type viewStack struct {
	userID  string
	views   []*view
	closed  bool
	trigger string
}

// view is one modal view.
type view struct {
	id, hash   string
	externalID string
	stack      *viewStack
	spec       map[string]any
	blocks     []map[string]any
	values     map[string]map[string]map[string]any
	errors     map[string]string
	previousID string
	rootID     string
}

func (v *view) str(key string) string {
	s, _ := v.spec[key].(string)
	return s
}

// trigger is a trigger_id handed to the app with an interaction.
type trigger struct {
	id      string
	userID  string
	channel string
	viewID  string
	issued  time.Time
	used    bool
}

// responseURL is a response_url handed to the app with an interaction.
type responseURL struct {
	id        string
	userID    string
	channel   string
	messageTS string
	ephemeral bool
}

// AddUser adds a person to the workspace; users.info answers with it.
func (w *Workspace) AddUser(u User) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.addUserLocked(&u)
	w.notifyLocked()
}

func (w *Workspace) addUserLocked(u *User) {
	if _, ok := w.users[u.ID]; !ok {
		w.userOrder = append(w.userOrder, u.ID)
	}
	w.users[u.ID] = u
}

// AddChannel creates a channel with the given members and returns it. The bot
// is a member only if w.BotUserID is among members, so that tests can model
// not_in_channel.
func (w *Workspace) AddChannel(name string, vis Visibility, members ...string) *Channel {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.addChannelLocked(name, vis == Private, "U0ADMIN")
	for _, m := range members {
		if !c.isMember(m) {
			c.members = append(c.members, m)
		}
	}
	w.notifyLocked()
	return &Channel{w: w, id: c.id}
}

func (w *Workspace) addChannelLocked(name string, private bool, creator string) *channel {
	c := &channel{
		id:      w.nextIDLocked("C"),
		name:    name,
		private: private,
		created: 1700000000 + int64(w.seq),
		creator: creator,
	}
	w.channels[c.id] = c
	w.chanOrder = append(w.chanOrder, c.id)
	return c
}

// AddUserGroup creates a user group with a handle such as "incident-approvers".
func (w *Workspace) AddUserGroup(id, handle string, users ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.groups[id] = &userGroup{id: id, handle: handle, users: append([]string(nil), users...)}
	w.notifyLocked()
}

// channelByNameLocked finds a channel by id, by name, or by "#name".
func (w *Workspace) channelLocked(nameOrID string) *channel {
	if c, ok := w.channels[nameOrID]; ok {
		return c
	}
	if len(nameOrID) > 0 && nameOrID[0] == '#' {
		nameOrID = nameOrID[1:]
	}
	for _, id := range w.chanOrder {
		if w.channels[id].name == nameOrID {
			return w.channels[id]
		}
	}
	return nil
}

// messageJSON renders a message the way conversations.history and
// interaction payloads show it.
func (w *Workspace) messageJSON(m *message, withMetadata bool) map[string]any {
	out := map[string]any{
		"type": "message",
		"ts":   m.ts,
		"text": m.text,
		"team": w.TeamID,
	}
	if m.user != "" {
		out["user"] = m.user
	}
	if m.botID != "" {
		out["bot_id"] = m.botID
		out["app_id"] = w.AppID
	}
	if m.blocks != nil {
		out["blocks"] = m.blocks
	}
	if m.threadTS != "" {
		out["thread_ts"] = m.threadTS
	}
	if m.edited {
		out["edited"] = map[string]any{"user": m.user, "ts": m.ts}
	}
	if withMetadata && m.metadata != nil {
		out["metadata"] = m.metadata
	}
	if c := w.channels[m.channel]; c != nil && !m.ephemeral && c.pinned(m.ts) {
		out["pinned_to"] = []string{c.id}
	}
	return out
}

// channelJSON renders a conversation object.
func (w *Workspace) channelJSON(c *channel) map[string]any {
	return map[string]any{
		"id":              c.id,
		"name":            c.name,
		"is_channel":      true,
		"is_group":        false,
		"is_im":           false,
		"is_mpim":         false,
		"is_private":      c.private,
		"is_archived":     c.archived,
		"is_general":      false,
		"is_member":       c.isMember(w.BotUserID),
		"created":         c.created,
		"creator":         c.creator,
		"name_normalized": c.name,
		"num_members":     len(c.members),
		"topic":           map[string]any{"value": c.topic, "creator": "", "last_set": 0},
		"purpose":         map[string]any{"value": c.purpose, "creator": "", "last_set": 0},
		"context_team_id": w.TeamID,
	}
}

// userJSON renders a user object as users.info returns it.
func (w *Workspace) userJSON(u *User) map[string]any {
	return map[string]any{
		"id":        u.ID,
		"team_id":   w.TeamID,
		"name":      u.Name,
		"real_name": u.RealName,
		"deleted":   false,
		"is_bot":    u.IsBot,
		"tz":        "UTC",
		"profile": map[string]any{
			"real_name":    u.RealName,
			"display_name": u.Name,
			"email":        u.Email,
			"phone":        u.Phone,
			"team":         w.TeamID,
		},
	}
}

// clone deep-copies JSON-shaped data so that callers cannot alias the fake's state.
func clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}
