package slackfake

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// Modal is a person's view of an open modal stack. It always shows the view
// on top of the stack, so after views.update, views.push or a
// response_action it reflects what the person would now see. Methods fail
// the test given to Command.Modal when a label cannot be found.
type Modal struct {
	w     *Workspace
	tb    testing.TB
	stack *viewStack
}

// SubmitResult is what came of pressing the submit button.
type SubmitResult struct {
	// ResponseAction is the ack's response_action ("", "errors", "update",
	// "push" or "clear").
	ResponseAction string
	// Errors maps each field's label to the error shown under it.
	Errors map[string]string
	// BlockErrors is the ack's errors map, keyed by block_id.
	BlockErrors map[string]string
	// ClientSide is true when Slack's client refused the submission (an
	// empty required field, or a length out of range) and the app saw nothing.
	ClientSide bool
}

// LastView returns the modal stack userID has open, or nil.
func (w *Workspace) LastView(userID string) *Modal {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := len(w.stacks) - 1; i >= 0; i-- {
		if st := w.stacks[i]; st.userID == userID && !st.closed {
			return &Modal{w: w, tb: w.tb, stack: st}
		}
	}
	return nil
}

// topLocked returns the view on top of the stack, or nil once closed.
func (m *Modal) topLocked() *view {
	if m.stack.closed || len(m.stack.views) == 0 {
		return nil
	}
	return m.stack.views[len(m.stack.views)-1]
}

// mustTopLocked returns the top view or aborts with a failure.
func (m *Modal) mustTopLocked() *view {
	v := m.topLocked()
	if v == nil {
		fatalf("slackfake: the modal is closed")
	}
	return v
}

// IsOpen reports whether the modal is still on screen.
func (m *Modal) IsOpen() bool {
	m.w.mu.Lock()
	defer m.w.mu.Unlock()
	return m.topLocked() != nil
}

// Depth is the number of views on the stack (Slack allows three).
func (m *Modal) Depth() int {
	m.w.mu.Lock()
	defer m.w.mu.Unlock()
	if m.stack.closed {
		return 0
	}
	return len(m.stack.views)
}

// ID is the view id of the top view.
func (m *Modal) ID() string { return m.get(func(v *view) string { return v.id }) }

// Hash is the hash of the top view.
func (m *Modal) Hash() string { return m.get(func(v *view) string { return v.hash }) }

// Title is the modal's title.
func (m *Modal) Title() string { return m.get(func(v *view) string { return textOf(v.spec["title"]) }) }

// CallbackID is the top view's callback_id.
func (m *Modal) CallbackID() string {
	return m.get(func(v *view) string { return v.str("callback_id") })
}

// PrivateMetadata is the top view's private_metadata.
func (m *Modal) PrivateMetadata() string {
	return m.get(func(v *view) string { return v.str("private_metadata") })
}

// Text is all text a person sees in the modal: title, then the blocks.
func (m *Modal) Text() string {
	return m.get(func(v *view) string { return textOf(v.spec["title"]) + "\n" + blocksText(v.blocks) })
}

func (m *Modal) get(f func(*view) string) string {
	m.tb.Helper()
	var s string
	m.w.locked(m.tb, func() { s = f(m.mustTopLocked()) })
	return s
}

// Blocks returns a copy of the top view's blocks.
func (m *Modal) Blocks() []map[string]any {
	m.tb.Helper()
	var out []map[string]any
	m.w.locked(m.tb, func() { out = clone(m.mustTopLocked().blocks) })
	return out
}

// Values returns view.state.values as the app would receive them.
func (m *Modal) Values() map[string]any {
	m.tb.Helper()
	var out map[string]any
	m.w.locked(m.tb, func() {
		v := m.mustTopLocked()
		out = clone(stateValues(v.blocks, v.values))
	})
	return out
}

// Errors returns the errors shown under fields, by label.
func (m *Modal) Errors() map[string]string {
	m.tb.Helper()
	var out map[string]string
	m.w.locked(m.tb, func() {
		v := m.mustTopLocked()
		out = labelErrors(v.blocks, v.errors)
	})
	return out
}

// Labels lists the labels of the modal's fields.
func (m *Modal) Labels() []string {
	m.tb.Helper()
	var out []string
	m.w.locked(m.tb, func() {
		for _, f := range fields(m.mustTopLocked().blocks) {
			out = append(out, f.label)
		}
	})
	return out
}

// labelErrors maps block_id keyed errors to field labels.
func labelErrors(blocks []map[string]any, errs map[string]string) map[string]string {
	out := map[string]string{}
	for id, msg := range errs {
		label := id
		for _, b := range blocks {
			if b["block_id"] == id {
				if l := textOf(b["label"]); l != "" {
					label = l
				}
			}
		}
		out[label] = msg
	}
	return out
}

// findLocked finds a field by label (or placeholder) that satisfies ok.
func findLocked(v *view, label string, ok func(field) bool) field {
	fs := fields(v.blocks)
	for _, pass := range []func(field) string{
		func(f field) string { return f.label },
		func(f field) string { return textOf(f.element["placeholder"]) },
	} {
		for _, f := range fs {
			if strings.TrimSpace(pass(f)) == strings.TrimSpace(label) && ok(f) {
				return f
			}
		}
	}
	var labels []string
	for _, f := range fs {
		labels = append(labels, fmt.Sprintf("%q (%s)", f.label, f.typ))
	}
	fatalf("slackfake: modal %q has no matching field labelled %q; fields: %s", textOf(v.spec["title"]), label, strings.Join(labels, ", "))
	return field{}
}

func notButton(f field) bool { return f.typ != "button" }

// Set types value into the field labelled label: text inputs, date and time
// pickers (YYYY-MM-DD, HH:MM, unix seconds), user and conversation selects
// (by id or name), and single-choice selects (by option text).
func (m *Modal) Set(label, value string) {
	m.tb.Helper()
	var e *Envelope
	delegate := false
	m.w.locked(m.tb, func() {
		v := m.mustTopLocked()
		f := findLocked(v, label, notButton)
		var st map[string]any
		switch f.typ {
		case "plain_text_input", "email_text_input", "url_text_input", "number_input":
			st = map[string]any{"value": value}
		case "datepicker":
			st = map[string]any{"selected_date": value}
		case "timepicker":
			st = map[string]any{"selected_time": value}
		case "datetimepicker":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				fatalf("slackfake: Set(%q): a datetimepicker takes unix seconds, got %q", label, value)
			}
			st = map[string]any{"selected_date_time": n}
		case "rich_text_input":
			st = map[string]any{"rich_text_value": map[string]any{"type": "rich_text", "elements": []any{
				map[string]any{"type": "rich_text_section", "elements": []any{map[string]any{"type": "text", "text": value}}},
			}}}
		default:
			delegate = true
			return
		}
		st["type"] = f.typ
		e = m.setLocked(v, f, st)
	})
	if delegate {
		m.Select(label, value)
		return
	}
	m.await(e, "block_actions")
}

// await waits for the ack of a dispatched action, if one was sent.
func (m *Modal) await(e *Envelope, what string) {
	m.tb.Helper()
	if e != nil {
		m.w.awaitAck(m.tb, e, what)
	}
}

// Select chooses options in the field labelled label by their visible text:
// static, external (after a block_suggestion round trip), radio buttons and
// checkboxes; for user and conversation selects pass ids or names.
func (m *Modal) Select(label string, choices ...string) {
	m.tb.Helper()
	var f field
	var viewID string
	m.w.locked(m.tb, func() {
		v := m.mustTopLocked()
		viewID = v.id
		f = findLocked(v, label, notButton)
		single := strings.HasSuffix(f.typ, "select") && !strings.HasPrefix(f.typ, "multi_") || f.typ == "radio_buttons"
		if single && len(choices) != 1 {
			fatalf("slackfake: Select(%q): a %s takes exactly one choice, got %q", label, f.typ, choices)
		}
	})
	var suggested [][]map[string]any
	if f.typ == "external_select" || f.typ == "multi_external_select" {
		for _, c := range choices {
			suggested = append(suggested, m.suggest(viewID, f, c))
		}
	}
	var e *Envelope
	m.w.locked(m.tb, func() {
		v := m.mustTopLocked()
		if v.id != viewID {
			fatalf("slackfake: Select(%q): the modal changed while the app was suggesting options", label)
		}
		st := map[string]any{"type": f.typ}
		var opts []any
		for i, c := range choices {
			switch f.typ {
			case "external_select", "multi_external_select":
				opts = append(opts, option(f, suggested[i], c))
			case "users_select", "multi_users_select":
				opts = append(opts, resolve(f, c, m.w.userIDLocked))
			case "conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select":
				opts = append(opts, resolve(f, c, m.w.channelIDLocked))
			case "static_select", "radio_buttons", "multi_static_select", "checkboxes":
				opts = append(opts, option(f, allOptions(f.element), c))
			default:
				fatalf("slackfake: Select(%q): cannot select in a %s", label, f.typ)
			}
		}
		key := map[string]string{
			"static_select": "selected_option", "radio_buttons": "selected_option", "external_select": "selected_option",
			"multi_static_select": "selected_options", "checkboxes": "selected_options", "multi_external_select": "selected_options",
			"users_select": "selected_user", "multi_users_select": "selected_users",
			"conversations_select": "selected_conversation", "multi_conversations_select": "selected_conversations",
			"channels_select": "selected_channel", "multi_channels_select": "selected_channels",
		}[f.typ]
		if strings.HasPrefix(key, "selected_") && strings.HasSuffix(key, "s") {
			st[key] = nonNil(opts)
		} else if len(opts) > 0 {
			st[key] = opts[0]
		}
		e = m.setLocked(v, f, st)
	})
	m.await(e, "block_actions")
}

func nonNil(s []any) []any {
	if s == nil {
		return []any{}
	}
	return s
}

// option finds an option by its visible text.
func option(f field, opts []map[string]any, text string) map[string]any {
	var have []string
	for _, o := range opts {
		if optionText(o) == text {
			return o
		}
		have = append(have, optionText(o))
	}
	fatalf("slackfake: field %q has no option %q; options: %q", f.label, text, have)
	return nil
}

// resolve maps a person's choice (id or name) to an id.
func resolve(f field, choice string, lookup func(string) string) string {
	id := lookup(choice)
	if id == "" {
		fatalf("slackfake: field %q: nothing called %q in the workspace", f.label, choice)
	}
	return id
}

// userIDLocked finds a user by id, handle or real name.
func (w *Workspace) userIDLocked(s string) string {
	s = strings.TrimPrefix(s, "@")
	for _, id := range w.userOrder {
		u := w.users[id]
		if u.ID == s || u.Name == s || u.RealName == s {
			return u.ID
		}
	}
	return ""
}

// channelIDLocked finds a channel by id or name.
func (w *Workspace) channelIDLocked(s string) string {
	if c := w.channelLocked(s); c != nil {
		return c.id
	}
	return ""
}

// suggest sends a block_suggestion for query and returns the options the
// app answered with.
func (m *Modal) suggest(viewID string, f field, query string) []map[string]any {
	m.tb.Helper()
	var e *Envelope
	m.w.locked(m.tb, func() {
		v := m.w.views[viewID]
		u := m.w.users[m.stack.userID]
		payload := map[string]any{
			"type": "block_suggestion", "team": m.w.teamRef(), "user": m.w.userRef(u),
			"api_app_id": m.w.AppID, "token": verificationToken,
			"container": map[string]any{"type": "view", "view_id": v.id},
			"action_id": f.action, "block_id": f.blockID, "value": query,
			"view": m.w.viewJSON(v), "is_enterprise_install": false,
		}
		e = m.w.sendLocked("interactive", payload, nil, nil)
	})
	raw := m.w.awaitAck(m.tb, e, "block_suggestion")
	var ack struct {
		Options      []map[string]any `json:"options"`
		OptionGroups []struct {
			Options []map[string]any `json:"options"`
		} `json:"option_groups"`
	}
	if err := json.Unmarshal(raw, &ack); err != nil && len(raw) > 0 {
		m.tb.Errorf("slackfake: block_suggestion ack is not an options list: %s", raw)
	}
	opts := ack.Options
	for _, g := range ack.OptionGroups {
		opts = append(opts, g.Options...)
	}
	asAny := make([]any, len(opts))
	for i, o := range opts {
		asAny[i] = o
	}
	val := &validator{}
	val.options("/options", asAny, maxOptions, true, false)
	if len(val.msgs) > 0 {
		m.tb.Errorf("slackfake: block_suggestion options are invalid: %s", strings.Join(val.msgs, "; "))
	}
	return opts
}

// Toggle flips the checkbox whose option text, or whose single-option input
// label, is label.
func (m *Modal) Toggle(label string) {
	m.tb.Helper()
	var e *Envelope
	m.w.locked(m.tb, func() {
		v := m.mustTopLocked()
		var target field
		var opt map[string]any
		for _, f := range fields(v.blocks) {
			if f.typ != "checkboxes" {
				continue
			}
			opts := allOptions(f.element)
			for _, o := range opts {
				if optionText(o) == label || (len(opts) == 1 && f.label == label) {
					target, opt = f, o
				}
			}
		}
		if opt == nil {
			fatalf("slackfake: modal %q has no checkbox %q", textOf(v.spec["title"]), label)
		}
		cur := v.values[target.blockID][target.action]
		if cur == nil {
			cur = initialState(target.element)
		}
		var sel []any
		found := false
		selected, _ := cur["selected_options"].([]any)
		for _, s := range selected {
			if sm, _ := s.(map[string]any); sm != nil && sm["value"] == opt["value"] {
				found = true
				continue
			}
			sel = append(sel, s)
		}
		if !found {
			sel = append(sel, opt)
		}
		e = m.setLocked(v, target, map[string]any{"type": "checkboxes", "selected_options": nonNil(sel)})
	})
	m.await(e, "block_actions")
}

// setLocked stores a field's new state and, if the field dispatches
// actions, sends block_actions; the caller waits for the returned envelope.
func (m *Modal) setLocked(v *view, f field, st map[string]any) *Envelope {
	if v.values[f.blockID] == nil {
		v.values[f.blockID] = map[string]map[string]any{}
	}
	v.values[f.blockID][f.action] = st
	m.w.notifyLocked()
	if !f.dispatches() {
		return nil
	}
	return m.dispatchLocked(v, f, clone(st))
}

// dispatchLocked sends a block_actions envelope for an action in view v.
func (m *Modal) dispatchLocked(v *view, f field, action map[string]any) *Envelope {
	action["action_id"], action["block_id"], action["type"] = f.action, f.blockID, f.typ
	action["action_ts"] = m.w.actionTSLocked()
	u := m.w.users[m.stack.userID]
	trig := m.w.newTriggerLocked(u.ID, "", v.id)
	payload := map[string]any{
		"type": "block_actions", "team": m.w.teamRef(), "user": m.w.userRef(u),
		"api_app_id": m.w.AppID, "token": verificationToken,
		"container":  map[string]any{"type": "view", "view_id": v.id},
		"trigger_id": trig.id, "view": m.w.viewJSON(v), "actions": []any{action},
		"is_enterprise_install": false,
	}
	return m.w.sendLocked("interactive", payload, nil, trig)
}

// Click presses the button with the given text and returns after the app
// acks. Use w.Eventually for effects the app applies after its ack.
func (m *Modal) Click(buttonText string) {
	m.tb.Helper()
	var e *Envelope
	m.w.locked(m.tb, func() {
		v := m.mustTopLocked()
		f := mustButton(v.blocks, buttonText, "modal "+strconv.Quote(textOf(v.spec["title"])))
		e = m.dispatchLocked(v, f, buttonAction(f))
	})
	m.await(e, "block_actions")
}

// buttonAction is the action object Slack sends for a button press.
func buttonAction(f field) map[string]any {
	action := map[string]any{"text": f.element["text"]}
	for _, k := range []string{"value", "style", "url"} {
		if x, ok := f.element[k]; ok {
			action[k] = x
		}
	}
	return action
}

// mustButton finds a button by its text or aborts.
func mustButton(blocks []map[string]any, text, where string) field {
	for _, f := range fields(blocks) {
		if f.typ == "button" && strings.TrimSpace(textOf(f.element["text"])) == strings.TrimSpace(text) {
			return f
		}
	}
	fatalf("slackfake: %s has no button %q; buttons: %q", where, text, buttons(blocks))
	return field{}
}

func buttons(blocks []map[string]any) []string {
	var out []string
	for _, f := range fields(blocks) {
		if f.typ == "button" {
			out = append(out, textOf(f.element["text"]))
		}
	}
	return out
}

// Submit presses the modal's submit button and returns the app's answer.
// Like Slack's client, it refuses to send a submission with an empty
// required field or a text outside min_length/max_length.
func (m *Modal) Submit() SubmitResult {
	m.tb.Helper()
	var e *Envelope
	res := &SubmitResult{}
	m.w.locked(m.tb, func() {
		v := m.mustTopLocked()
		if v.spec["submit"] == nil {
			fatalf("slackfake: modal %q has no submit button", textOf(v.spec["title"]))
		}
		if errs := clientErrors(v); len(errs) > 0 {
			v.errors = errs
			*res = SubmitResult{Errors: labelErrors(v.blocks, errs), BlockErrors: errs, ClientSide: true}
			m.w.notifyLocked()
			return
		}
		u := m.w.users[m.stack.userID]
		trig := m.w.newTriggerLocked(u.ID, "", v.id)
		payload := map[string]any{
			"type": "view_submission", "team": m.w.teamRef(), "user": m.w.userRef(u),
			"api_app_id": m.w.AppID, "token": verificationToken, "trigger_id": trig.id,
			"view": m.w.viewJSON(v), "response_urls": []any{}, "is_enterprise_install": false,
		}
		e = m.w.sendLocked("interactive", payload, func(p json.RawMessage) []string {
			return m.w.applySubmitAckLocked(v, p, res)
		}, trig)
	})
	if e == nil {
		m.tb.Logf("slackfake: Slack's client refused the submission: %v", res.Errors)
		return *res
	}
	m.w.awaitAck(m.tb, e, "view_submission")
	m.w.mu.Lock()
	defer m.w.mu.Unlock()
	return *res
}

// clientErrors are the checks Slack's client makes before it submits.
func clientErrors(v *view) map[string]string {
	errs := map[string]string{}
	for _, f := range fields(v.blocks) {
		if f.block["type"] != "input" {
			continue
		}
		st := v.values[f.blockID][f.action]
		if st == nil {
			st = initialState(f.element)
		}
		optional, _ := f.block["optional"].(bool)
		if st != nil && isEmpty(st) {
			if !optional && f.typ != "checkboxes" {
				errs[f.blockID] = "Please complete this required field."
			}
			continue
		}
		s, _ := st["value"].(string)
		n := utf8.RuneCountInString(s)
		if maxL, ok := num(f.element["max_length"]); ok && float64(n) > maxL {
			errs[f.blockID] = fmt.Sprintf("Must be %d characters or fewer.", int(maxL))
		}
		if minL, ok := num(f.element["min_length"]); ok && float64(n) < minL {
			errs[f.blockID] = fmt.Sprintf("Must be at least %d characters.", int(minL))
		}
	}
	return errs
}

// applySubmitAckLocked applies a view_submission ack's response_action.
func (w *Workspace) applySubmitAckLocked(v *view, raw json.RawMessage, res *SubmitResult) []string {
	var ack struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           map[string]any    `json:"view"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &ack); err != nil {
			return []string{"slackfake: view_submission ack payload is not a response_action: " + string(raw)}
		}
	}
	res.ResponseAction = ack.ResponseAction
	st := v.stack
	if st.closed || !onStack(v) {
		return nil
	}
	var problems []string
	switch ack.ResponseAction {
	case "":
		w.popLocked(v)
	case "errors":
		for id := range ack.Errors {
			ok := false
			for _, b := range v.blocks {
				ok = ok || (b["block_id"] == id && b["type"] == "input")
			}
			if !ok {
				problems = append(problems, fmt.Sprintf("slackfake: response_action errors names %q, which is not an input block_id; Slack shows a generic error instead", id))
			}
		}
		v.errors = ack.Errors
		res.BlockErrors = ack.Errors
		res.Errors = labelErrors(v.blocks, ack.Errors)
	case "update", "push":
		if ack.View == nil {
			return []string{"slackfake: response_action " + ack.ResponseAction + " without a view"}
		}
		if msgs := validateView(ack.View, "/view"); len(msgs) > 0 {
			return []string{"slackfake: response_action " + ack.ResponseAction + " view is invalid: " + strings.Join(msgs, "; ")}
		}
		if ack.ResponseAction == "update" {
			w.setSpecLocked(v, ack.View)
		} else if len(st.views) >= maxViewStack {
			problems = append(problems, "slackfake: response_action push beyond the stack of 3 views (push_limit_reached)")
		} else {
			w.newViewLocked(ack.View, st)
		}
	case "clear":
		st.closed = true
	default:
		problems = append(problems, "slackfake: unknown response_action "+ack.ResponseAction)
	}
	return problems
}

// popLocked closes a view and those above it; closing the root closes the stack.
func (w *Workspace) popLocked(v *view) {
	st := v.stack
	for i, x := range st.views {
		if x == v {
			st.views = st.views[:i]
			break
		}
	}
	if len(st.views) == 0 {
		st.closed = true
	}
}

// Close presses the modal's close (or back) button. Slack sends view_closed
// only when the view set notify_on_close; then Close waits for the ack.
func (m *Modal) Close() {
	m.tb.Helper()
	var e *Envelope
	m.w.locked(m.tb, func() {
		v := m.mustTopLocked()
		notify, _ := v.spec["notify_on_close"].(bool)
		clear, _ := v.spec["clear_on_close"].(bool)
		if notify {
			u := m.w.users[m.stack.userID]
			payload := map[string]any{
				"type": "view_closed", "team": m.w.teamRef(), "user": m.w.userRef(u),
				"api_app_id": m.w.AppID, "token": verificationToken,
				"view": m.w.viewJSON(v), "is_cleared": clear, "is_enterprise_install": false,
			}
			e = m.w.sendLocked("interactive", payload, nil, nil)
		}
		if clear {
			m.stack.closed = true
		} else {
			m.w.popLocked(v)
		}
		m.w.notifyLocked()
	})
	m.await(e, "view_closed")
}
