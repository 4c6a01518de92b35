package slackfake

import (
	"fmt"
	"strings"
)

// blockList converts decoded JSON into a list of blocks.
func blockList(raw any) []map[string]any {
	switch bs := raw.(type) {
	case []map[string]any:
		return bs
	case []any:
		out := make([]map[string]any, 0, len(bs))
		for _, b := range bs {
			if m, ok := b.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// textOf returns the text of a text object, or "".
func textOf(raw any) string {
	if m, ok := raw.(map[string]any); ok {
		s, _ := m["text"].(string)
		return s
	}
	return ""
}

// optionText returns the visible text of an option object.
func optionText(o map[string]any) string { return textOf(o["text"]) }

// groupOptions flattens option_groups into their options.
func groupOptions(groups []any) []any {
	var out []any
	for _, g := range groups {
		if gm, ok := g.(map[string]any); ok {
			opts, _ := gm["options"].([]any)
			out = append(out, opts...)
		}
	}
	return out
}

// allOptions returns the options of an element, including option groups.
func allOptions(e map[string]any) []map[string]any {
	opts, _ := e["options"].([]any)
	groups, _ := e["option_groups"].([]any)
	return blockList(append(append([]any(nil), opts...), groupOptions(groups)...))
}

// interactive reports whether an element type sends actions or holds state.
func interactive(typ string) bool {
	switch typ {
	case "", "image", "plain_text", "mrkdwn":
		return false
	}
	return true
}

// ensureIDs fills in missing block_id and action_id values the way Slack
// does, so that payloads and state can refer to every element.
func ensureIDs(blocks []map[string]any, seq *int) {
	next := func() string {
		*seq++
		return fmt.Sprintf("fk%05d", *seq)
	}
	for _, b := range blocks {
		if _, ok := b["block_id"].(string); !ok {
			b["block_id"] = next()
		}
		for _, e := range blockElements(b) {
			if _, ok := e["action_id"].(string); !ok && interactive(stringOf(e["type"])) {
				e["action_id"] = next()
			}
		}
	}
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// blockElements returns the interactive elements a block holds.
func blockElements(b map[string]any) []map[string]any {
	switch b["type"] {
	case "actions":
		return blockList(b["elements"])
	case "section":
		if acc, ok := b["accessory"].(map[string]any); ok && interactive(stringOf(acc["type"])) {
			return []map[string]any{acc}
		}
	case "input":
		if el, ok := b["element"].(map[string]any); ok {
			return []map[string]any{el}
		}
	}
	return nil
}

// blocksText returns the text a person sees in a list of blocks, one line per
// piece: section text and fields, headers, context, input labels and hints,
// button texts and the choices of checkboxes and radio buttons.
func blocksText(blocks []map[string]any) string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	for _, b := range blocks {
		switch b["type"] {
		case "section":
			add(textOf(b["text"]))
			for _, f := range blockList(b["fields"]) {
				add(textOf(f))
			}
		case "header":
			add(textOf(b["text"]))
		case "context":
			for _, e := range blockList(b["elements"]) {
				add(textOf(e))
			}
		case "input":
			add(textOf(b["label"]))
			add(textOf(b["hint"]))
		case "rich_text", "markdown":
			add(richText(b))
		}
		for _, e := range blockElements(b) {
			switch e["type"] {
			case "button":
				add(textOf(e["text"]))
			case "checkboxes", "radio_buttons":
				for _, o := range allOptions(e) {
					add(optionText(o))
				}
			}
		}
	}
	return strings.Join(out, "\n")
}

// richText flattens rich_text and markdown blocks.
func richText(v any) string {
	var sb strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["text"].(string); ok {
				sb.WriteString(s)
			}
			walk(x["elements"])
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return sb.String()
}

// field is one interactive element of a surface, with the label a person
// would use to find it.
type field struct {
	block   map[string]any
	element map[string]any
	blockID string
	action  string
	typ     string
	label   string
}

// fields lists the interactive elements of blocks with their labels: the
// input block label, the section text for accessories, or, inside actions
// blocks, the element's placeholder or else the text of the block above.
func fields(blocks []map[string]any) []field {
	var out []field
	for i, b := range blocks {
		for _, e := range blockElements(b) {
			f := field{
				block: b, element: e,
				blockID: stringOf(b["block_id"]), action: stringOf(e["action_id"]),
				typ: stringOf(e["type"]),
			}
			switch b["type"] {
			case "input":
				f.label = textOf(b["label"])
			case "section":
				f.label = textOf(b["text"])
			default:
				// An actions block has no label; people read the
				// placeholder, or the text just above the block.
				f.label = textOf(e["placeholder"])
				if f.label == "" && i > 0 {
					f.label = textOf(blocks[i-1]["text"])
				}
			}
			out = append(out, f)
		}
	}
	return out
}

// dispatches reports whether changing this field sends block_actions.
func (f field) dispatches() bool {
	if f.block["type"] == "input" {
		d, _ := f.block["dispatch_action"].(bool)
		return d
	}
	return true
}

// initialState returns the state entry Slack reports for an element the user
// has not touched: its initial value, or an empty value.
func initialState(e map[string]any) map[string]any {
	typ := stringOf(e["type"])
	st := map[string]any{"type": typ}
	pick := func(to, from string, empty any) {
		if v, ok := e[from]; ok && v != nil {
			st[to] = v
		} else {
			st[to] = empty
		}
	}
	switch typ {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		pick("value", "initial_value", nil)
	case "static_select", "external_select", "radio_buttons":
		pick("selected_option", "initial_option", nil)
	case "multi_static_select", "multi_external_select", "checkboxes":
		pick("selected_options", "initial_options", []any{})
	case "users_select":
		pick("selected_user", "initial_user", nil)
	case "multi_users_select":
		pick("selected_users", "initial_users", []any{})
	case "conversations_select":
		pick("selected_conversation", "initial_conversation", nil)
	case "multi_conversations_select":
		pick("selected_conversations", "initial_conversations", []any{})
	case "channels_select":
		pick("selected_channel", "initial_channel", nil)
	case "multi_channels_select":
		pick("selected_channels", "initial_channels", []any{})
	case "datepicker":
		pick("selected_date", "initial_date", nil)
	case "timepicker":
		pick("selected_time", "initial_time", nil)
	case "datetimepicker":
		pick("selected_date_time", "initial_date_time", nil)
	case "rich_text_input":
		pick("rich_text_value", "initial_value", nil)
	default:
		return nil
	}
	return st
}

// stateValues builds view.state.values: what the user entered, else the
// initial values, for every stateful element.
func stateValues(blocks []map[string]any, entered map[string]map[string]map[string]any) map[string]any {
	out := map[string]any{}
	for _, f := range fields(blocks) {
		st := entered[f.blockID][f.action]
		if st == nil {
			st = initialState(f.element)
		}
		if st == nil {
			continue
		}
		byAction, _ := out[f.blockID].(map[string]any)
		if byAction == nil {
			byAction = map[string]any{}
			out[f.blockID] = byAction
		}
		byAction[f.action] = st
	}
	return out
}

// isEmpty reports whether a state entry holds no value.
func isEmpty(st map[string]any) bool {
	for k, v := range st {
		if k == "type" {
			continue
		}
		switch x := v.(type) {
		case nil:
			return true
		case string:
			return x == ""
		case []any:
			return len(x) == 0
		case []string:
			return len(x) == 0
		}
		return false
	}
	return true
}
