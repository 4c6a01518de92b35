package slackfake

import "fmt"

// useTriggerLocked exchanges a trigger_id: each is usable once, within the
// trigger TTL after the envelope that carried it.
func (w *Workspace) useTriggerLocked(id string) (*trigger, *apiError) {
	if id == "" {
		return nil, fail("invalid_arguments", "[ERROR] missing required field: trigger_id [json-pointer:/trigger_id]")
	}
	t := w.triggers[id]
	switch {
	case t == nil:
		return nil, fail("invalid_trigger_id")
	case t.used:
		return nil, fail("exchanged_trigger_id")
	case w.now().Sub(t.issued) > w.triggerTTL:
		return nil, fail("expired_trigger_id")
	}
	t.used = true
	return t, nil
}

// decodeView reads and validates the view argument.
func (w *Workspace) decodeView(p params, self *view) (map[string]any, *apiError) {
	var spec map[string]any
	ok, err := p.decode("view", &spec)
	if err != nil || !ok {
		return nil, fail("invalid_arguments", "[ERROR] missing required field: view [json-pointer:/view]")
	}
	if msgs := validateView(spec, "/view"); len(msgs) > 0 {
		return nil, fail("invalid_arguments", msgs...)
	}
	if ext := stringOf(spec["external_id"]); ext != "" {
		for _, v := range w.views {
			if v != self && v.externalID == ext && !v.stack.closed {
				return nil, fail("duplicate_external_id")
			}
		}
	}
	return spec, nil
}

// newViewLocked creates a view from a validated spec.
func (w *Workspace) newViewLocked(spec map[string]any, st *viewStack) *view {
	v := &view{id: w.nextIDLocked("V"), stack: st, values: map[string]map[string]map[string]any{}}
	w.setSpecLocked(v, spec)
	if len(st.views) > 0 {
		v.previousID = st.views[len(st.views)-1].id
		v.rootID = st.views[0].id
	} else {
		v.rootID = v.id
	}
	st.views = append(st.views, v)
	w.views[v.id] = v
	return v
}

// setSpecLocked replaces a view's content and hash. Input values whose
// block_id and action_id survive are kept, as Slack keeps them.
func (w *Workspace) setSpecLocked(v *view, spec map[string]any) {
	spec = clone(spec)
	blocks := blockList(spec["blocks"])
	ensureIDs(blocks, &w.seq)
	spec["blocks"] = blocks
	kept := map[string]map[string]map[string]any{}
	for _, f := range fields(blocks) {
		if st := v.values[f.blockID][f.action]; st != nil && st["type"] == f.typ {
			if kept[f.blockID] == nil {
				kept[f.blockID] = map[string]map[string]any{}
			}
			kept[f.blockID][f.action] = st
		}
	}
	v.spec, v.blocks, v.values, v.errors = spec, blocks, kept, nil
	v.externalID = stringOf(spec["external_id"])
	w.seq++
	v.hash = fmt.Sprintf("1700000000.%08d", w.seq)
}

// viewJSON renders a view as the Web API and payloads show it.
func (w *Workspace) viewJSON(v *view) map[string]any {
	out := clone(v.spec)
	for k, val := range map[string]any{
		"id": v.id, "team_id": w.TeamID, "type": "modal", "hash": v.hash,
		"state":        map[string]any{"values": stateValues(v.blocks, v.values)},
		"root_view_id": v.rootID, "previous_view_id": nilIfEmpty(v.previousID),
		"app_id": w.AppID, "bot_id": w.BotID, "app_installed_team_id": w.TeamID,
		"private_metadata": v.str("private_metadata"), "callback_id": v.str("callback_id"),
		"external_id": v.str("external_id"),
	} {
		out[k] = val
	}
	for _, k := range []string{"clear_on_close", "notify_on_close"} {
		if _, ok := out[k]; !ok {
			out[k] = false
		}
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// viewsOpen answers views.open: a new modal stack for the trigger's user.
func (w *Workspace) viewsOpen(p params) (map[string]any, *apiError) {
	spec, aerr := w.decodeView(p, nil)
	if aerr != nil {
		return nil, aerr
	}
	t, aerr := w.useTriggerLocked(p.str("trigger_id"))
	if aerr != nil {
		return nil, aerr
	}
	for _, st := range w.stacks {
		if st.userID == t.userID {
			st.closed = true
		}
	}
	st := &viewStack{userID: t.userID, trigger: t.id}
	w.stacks = append(w.stacks, st)
	return map[string]any{"view": w.viewJSON(w.newViewLocked(spec, st))}, nil
}

// viewsPush answers views.push: a view on top of the stack the trigger came from.
func (w *Workspace) viewsPush(p params) (map[string]any, *apiError) {
	spec, aerr := w.decodeView(p, nil)
	if aerr != nil {
		return nil, aerr
	}
	t, aerr := w.useTriggerLocked(p.str("trigger_id"))
	if aerr != nil {
		return nil, aerr
	}
	from := w.views[t.viewID]
	if from == nil || from.stack.closed {
		return nil, fail("not_found")
	}
	if len(from.stack.views) >= maxViewStack {
		return nil, fail("push_limit_reached")
	}
	return map[string]any{"view": w.viewJSON(w.newViewLocked(spec, from.stack))}, nil
}

// viewsUpdate answers views.update, refusing a stale hash.
func (w *Workspace) viewsUpdate(p params) (map[string]any, *apiError) {
	var v *view
	if id := p.str("view_id"); id != "" {
		v = w.views[id]
	} else if ext := p.str("external_id"); ext != "" {
		for _, cand := range w.views {
			if cand.externalID == ext && !cand.stack.closed {
				v = cand
			}
		}
	} else {
		return nil, fail("invalid_arguments", "[ERROR] missing required field: view_id [json-pointer:/view_id]")
	}
	if v == nil || v.stack.closed || !onStack(v) {
		return nil, fail("not_found")
	}
	if h := p.str("hash"); h != "" && h != v.hash {
		return nil, fail("hash_conflict")
	}
	spec, aerr := w.decodeView(p, v)
	if aerr != nil {
		return nil, aerr
	}
	w.setSpecLocked(v, spec)
	return map[string]any{"view": w.viewJSON(v)}, nil
}

// onStack reports whether a view is still on its stack.
func onStack(v *view) bool {
	for _, x := range v.stack.views {
		if x == v {
			return true
		}
	}
	return false
}
