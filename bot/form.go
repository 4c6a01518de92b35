package bot

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/herald-comms/herald/comms"
	"github.com/slack-go/slack"
)

// commForm is the comm modal's content. It travels in private_metadata (and
// in memory keyed by view id when the message makes it too long), so that
// switching between the Draft and Preview tabs, or re-rendering the Draft
// tab, keeps every value.
type commForm struct {
	IncidentID string `json:"i"`
	CommID     string `json:"c,omitempty"`
	Version    int    `json:"v,omitempty"`
	Channel    string `json:"ch,omitempty"` // where the user asked, for replies
	Tab        string `json:"t,omitempty"`
	Kept       bool   `json:"k,omitempty"` // private_metadata left fields out; the form cache has them

	Audience   comms.Audience `json:"a"`
	Message    string         `json:"m,omitempty"`
	Emails     string         `json:"e,omitempty"`
	Audiences  []string       `json:"au,omitempty"`
	SMSUsers   []string       `json:"su,omitempty"`
	SMSNames   []string       `json:"sn,omitempty"`
	Channels   []string       `json:"sc,omitempty"`
	SPIncident string         `json:"sp,omitempty"`
	SPName     string         `json:"spn,omitempty"`
	SPCreate   bool           `json:"spc,omitempty"`
	SPTitle    string         `json:"spt,omitempty"`
	SPNotify   bool           `json:"spo,omitempty"`
	Status     comms.Status   `json:"st,omitempty"`
	Link       bool           `json:"l,omitempty"`
	Action     string         `json:"ac,omitempty"`
	SendAt     int64          `json:"at,omitempty"`
	Approved   bool           `json:"ap,omitempty"`
}

// newForm starts a form for a new comm about inc.
func newForm(inc *comms.Incident, channel string) commForm {
	return commForm{
		IncidentID: inc.ID, Channel: channel, Tab: tabDraft,
		Audience: comms.Internal, Status: inc.Status, Link: true, Action: actionSave,
		SPNotify: true, SPTitle: inc.Title, SPIncident: inc.StatuspageIncidentID,
	}
}

// formFromComm starts a form that edits c.
func formFromComm(c *comms.Comm, channel string) commForm {
	f := commForm{
		IncidentID: c.IncidentID, CommID: c.ID, Version: c.Version, Channel: channel, Tab: tabDraft,
		Audience: c.Audience, Message: c.Message, Status: c.Status, Link: c.IncludeLink,
		Channels: slices.Clone(c.Recipients.Channels), Audiences: slices.Clone(c.Recipients.Audiences),
		Action: actionSave, SPNotify: true,
	}
	f.Emails = strings.Join(c.Recipients.Emails, ", ")
	for _, p := range c.Recipients.SMS {
		if p.SlackUser != "" {
			f.SMSUsers = append(f.SMSUsers, p.SlackUser)
		} else {
			f.SMSNames = append(f.SMSNames, p.Name)
		}
	}
	if sp := c.Recipients.Statuspage; sp != nil {
		f.SPIncident, f.SPName, f.SPNotify = sp.IncidentID, sp.IncidentName, sp.Notify
		f.SPCreate, f.SPTitle = sp.IncidentID == "", sp.CreateTitle
	}
	if c.State == comms.StateAwaitingApproval {
		f.Action = actionRequest
	}
	return f
}

// metadata encodes the form for private_metadata. When it does not fit,
// the long fields are left out (the message first, then the recipients) and
// the form is marked Kept: the form cache then holds all of it.
func (f commForm) metadata() string {
	f.Kept = false
	b, _ := json.Marshal(f)
	if len(b) <= maxMetadata {
		return string(b)
	}
	f.Message, f.Kept = "", true
	b, _ = json.Marshal(f)
	if len(b) > maxMetadata { // hundreds of recipients
		f.Emails, f.SMSUsers, f.SMSNames, f.Channels, f.Audiences = "", nil, nil, nil, nil
		f.SPName, f.SPTitle = "", ""
		b, _ = json.Marshal(f)
	}
	return string(b)
}

// parseForm decodes private_metadata. A form marked Kept is restored whole
// from the form cache. whole is false when the cache has lost it (Herald
// restarted) and the view cannot make up for it: on the Draft tab
// view.state holds every field that was left out, on the Preview tab none.
func (b *Bot) parseForm(v slack.View) (f commForm, whole bool) {
	_ = json.Unmarshal([]byte(v.PrivateMetadata), &f)
	if f.Tab == "" {
		f.Tab = tabDraft
	}
	if !f.Kept {
		return f, true
	}
	if cached, ok := b.forms.get(v.ID); ok {
		cached.Tab, cached.Kept = f.Tab, true // the tab on screen is the one in the view
		return cached, true
	}
	return f, f.Tab == tabDraft
}

// formLost is shown when the form cache lost part of a long form.
const formLost = "Herald restarted while this form was open and lost part of it (the message, and maybe some recipients), so nothing was saved or sent. " +
	"Check every field below before you submit again, or close this form and reopen it with `/incident comm`."

// readState overlays the values the user typed (view.state) on the form.
// Only blocks present in the view are read, so hidden fields keep their
// values across re-renders.
func (f *commForm) readState(st *slack.ViewState) {
	if st == nil {
		return
	}
	get := func(block, action string) (slack.BlockAction, bool) {
		a, ok := st.Values[block][action]
		return a, ok
	}
	if a, ok := get(blkAudience, actAudience); ok && a.SelectedOption.Value != "" {
		f.Audience = comms.Audience(a.SelectedOption.Value)
	}
	if a, ok := get(blkMessage, actMessage); ok {
		f.Message, f.Kept = a.Value, false
	}
	if a, ok := get(blkEmails, actEmails); ok {
		f.Emails = a.Value
	}
	if a, ok := get(blkAudiences, actAudiences); ok {
		f.Audiences = optionValues(a.SelectedOptions)
	}
	if a, ok := get(blkSMSUsers, actSMSUsers); ok {
		f.SMSUsers = slices.Clone(a.SelectedUsers)
	}
	if a, ok := get(blkSMSNames, actSMSNames); ok {
		f.SMSNames = splitNames(a.Value)
	}
	if a, ok := get(blkChannels, actChannels); ok {
		f.Channels = slices.Clone(a.SelectedConversations)
	}
	if a, ok := get(blkSPIncident, actSPIncident); ok {
		f.SPIncident = a.SelectedOption.Value
		f.SPName = ""
		if a.SelectedOption.Text != nil {
			f.SPName = a.SelectedOption.Text.Text
		}
	}
	if a, ok := get(blkSPCreate, actSPCreate); ok {
		f.SPCreate = hasChecked(a.SelectedOptions)
	}
	if a, ok := get(blkSPTitle, actSPTitle); ok {
		f.SPTitle = a.Value
	}
	if a, ok := get(blkSPNotify, actSPNotify); ok {
		f.SPNotify = hasChecked(a.SelectedOptions)
	}
	if a, ok := get(blkStatus, actStatus); ok && a.SelectedOption.Value != "" {
		f.Status = comms.Status(a.SelectedOption.Value)
	}
	if a, ok := get(blkLink, actLink); ok {
		f.Link = hasChecked(a.SelectedOptions)
	}
	if a, ok := get(blkAction, actAction); ok && a.SelectedOption.Value != "" {
		f.Action = a.SelectedOption.Value
	}
	if a, ok := get(blkSendAt, actSendAt); ok {
		f.SendAt = a.SelectedDateTime
	}
	if a, ok := get(blkApproved, actApproved); ok {
		f.Approved = hasChecked(a.SelectedOptions)
	}
}

func optionValues(opts []slack.OptionBlockObject) []string {
	var out []string
	for _, o := range opts {
		out = append(out, o.Value)
	}
	return out
}

func hasChecked(opts []slack.OptionBlockObject) bool {
	for _, o := range opts {
		if o.Value == optChecked {
			return true
		}
	}
	return false
}

// statuspageTarget is the Statuspage part of the comm, or nil.
func (f *commForm) statuspageTarget(on bool) *comms.StatuspageTarget {
	if !on || f.Audience != comms.External {
		return nil
	}
	if f.SPCreate {
		return &comms.StatuspageTarget{CreateTitle: f.SPTitle, Notify: f.SPNotify}
	}
	if f.SPIncident == "" {
		return nil
	}
	return &comms.StatuspageTarget{IncidentID: f.SPIncident, IncidentName: f.SPName, Notify: f.SPNotify}
}

// formCache keeps the form of each open comm modal, keyed by view id, for
// an hour: private_metadata cannot carry a long one.
type formCache struct {
	*ttlMap[string, commForm]
}

func newFormCache(ttl time.Duration, now func() time.Time) formCache {
	return formCache{newTTLMap[string, commForm](ttl, 0, now)}
}

// put keeps f for viewID; a form without a view is not kept.
func (c formCache) put(viewID string, f commForm) {
	if viewID != "" {
		c.ttlMap.put(viewID, f)
	}
}

// get returns the form kept for viewID, expired or not: expired forms go
// only when a later put sweeps them out.
func (c formCache) get(viewID string) (commForm, bool) { return c.peek(viewID) }

// splitNames splits typed SMS recipient names at commas, semicolons and new
// lines, dropping blanks and repeats.
func splitNames(text string) []string {
	var out []string
	for _, n := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
