package slackfake

import (
	"fmt"
	"unicode/utf8"
)

// Block Kit and modal limits (reference/limits.md §1.3 and Slack's Block Kit
// reference).
const (
	maxMessageBlocks   = 50
	maxModalBlocks     = 100
	maxModalText       = 24 // title, submit, close
	maxPrivateMetadata = 3000
	maxCallbackID      = 255
	maxExternalID      = 255
	maxID              = 255 // block_id, action_id
	maxSectionText     = 3000
	maxSectionFields   = 10
	maxFieldText       = 2000
	maxHeaderText      = 150
	maxButtonText      = 75
	maxButtonValue     = 2000
	maxURL             = 3000
	maxOptionText      = 75
	maxOptionValue     = 150
	maxOptions         = 100
	maxChoiceOptions   = 10 // checkboxes, radio_buttons
	maxOverflowOptions = 5
	maxPlaceholder     = 150
	maxLabel           = 2000
	maxInputLength     = 3000
	maxActionsElements = 25
	maxContextElements = 10
	maxViewStack       = 3
)

// surface says where blocks are shown; some blocks only work in modals.
type surface int

const (
	surfaceMessage surface = iota
	surfaceModal
)

// validator collects Slack-style error messages for one surface.
type validator struct {
	surface  surface
	msgs     []string
	blockIDs map[string]bool
}

func (v *validator) errf(ptr, format string, args ...any) {
	v.msgs = append(v.msgs, fmt.Sprintf("[ERROR] %s [json-pointer:%s]", fmt.Sprintf(format, args...), ptr))
}

// maxLen reports a string longer than max the way Slack words it.
func (v *validator) maxLen(ptr, s string, max int) {
	if utf8.RuneCountInString(s) > max {
		v.errf(ptr, "must be less than %d characters", max+1)
	}
}

// textObject checks a text composition object; plainOnly demands plain_text.
func (v *validator) textObject(ptr string, raw any, max int, plainOnly, required bool) {
	if raw == nil {
		if required {
			v.errf(ptr, "missing required field: %s", lastSegment(ptr))
		}
		return
	}
	t, ok := raw.(map[string]any)
	if !ok {
		v.errf(ptr, "must be an object")
		return
	}
	typ, _ := t["type"].(string)
	switch {
	case typ == "plain_text":
	case typ == "mrkdwn" && !plainOnly:
	case typ == "mrkdwn":
		v.errf(ptr+"/type", "must be plain_text")
	default:
		v.errf(ptr+"/type", "must be one of plain_text, mrkdwn")
	}
	text, _ := t["text"].(string)
	if text == "" {
		v.errf(ptr+"/text", "must be more than 0 characters")
	}
	v.maxLen(ptr+"/text", text, max)
}

func lastSegment(ptr string) string {
	for i := len(ptr) - 1; i >= 0; i-- {
		if ptr[i] == '/' {
			return ptr[i+1:]
		}
	}
	return ptr
}

// validateBlocks checks a block list for one surface and returns Slack's
// error messages, or nil when the blocks are valid.
func validateBlocks(blocks []map[string]any, s surface, ptr string) []string {
	v := &validator{surface: s, blockIDs: map[string]bool{}}
	max := maxMessageBlocks
	if s == surfaceModal {
		max = maxModalBlocks
	}
	if len(blocks) > max {
		v.errf(ptr, "no more than %d items allowed", max)
	}
	for i, b := range blocks {
		v.block(fmt.Sprintf("%s/%d", ptr, i), b)
	}
	return v.msgs
}

func (v *validator) block(ptr string, b map[string]any) {
	if id, ok := b["block_id"].(string); ok {
		v.maxLen(ptr+"/block_id", id, maxID)
		if v.blockIDs[id] {
			v.errf(ptr+"/block_id", "duplicate block_id %q", id)
		}
		v.blockIDs[id] = true
	}
	actionIDs := map[string]bool{}
	typ, _ := b["type"].(string)
	switch typ {
	case "section":
		if b["text"] == nil && b["fields"] == nil {
			v.errf(ptr, "must provide text or fields")
		}
		v.textObject(ptr+"/text", b["text"], maxSectionText, false, false)
		fields, _ := b["fields"].([]any)
		if len(fields) > maxSectionFields {
			v.errf(ptr+"/fields", "no more than %d items allowed", maxSectionFields)
		}
		for i, f := range fields {
			v.textObject(fmt.Sprintf("%s/fields/%d", ptr, i), f, maxFieldText, false, true)
		}
		if acc, ok := b["accessory"].(map[string]any); ok {
			v.element(ptr+"/accessory", acc, actionIDs, false)
		}
	case "header":
		v.textObject(ptr+"/text", b["text"], maxHeaderText, true, true)
	case "divider", "rich_text", "markdown", "video", "file", "table":
	case "image":
		if s, _ := b["image_url"].(string); s == "" && b["slack_file"] == nil {
			v.errf(ptr+"/image_url", "missing required field: image_url")
		}
		if s, _ := b["alt_text"].(string); s == "" {
			v.errf(ptr+"/alt_text", "missing required field: alt_text")
		}
	case "context":
		els, _ := b["elements"].([]any)
		if len(els) == 0 || len(els) > maxContextElements {
			v.errf(ptr+"/elements", "must have between 1 and %d items", maxContextElements)
		}
		for i, e := range els {
			if m, ok := e.(map[string]any); ok && m["type"] != "image" {
				v.textObject(fmt.Sprintf("%s/elements/%d", ptr, i), m, maxSectionText, false, true)
			}
		}
	case "actions":
		els, _ := b["elements"].([]any)
		if len(els) == 0 || len(els) > maxActionsElements {
			v.errf(ptr+"/elements", "must have between 1 and %d items", maxActionsElements)
		}
		for i, e := range els {
			m, _ := e.(map[string]any)
			v.element(fmt.Sprintf("%s/elements/%d", ptr, i), m, actionIDs, false)
		}
	case "input":
		if v.surface != surfaceModal {
			v.errf(ptr+"/type", "input blocks are only supported in modals and Home tabs")
		}
		v.textObject(ptr+"/label", b["label"], maxLabel, true, true)
		v.textObject(ptr+"/hint", b["hint"], maxLabel, true, false)
		el, ok := b["element"].(map[string]any)
		if !ok {
			v.errf(ptr+"/element", "missing required field: element")
			return
		}
		v.element(ptr+"/element", el, actionIDs, true)
	case "":
		v.errf(ptr+"/type", "missing required field: type")
	default:
		v.errf(ptr+"/type", "unsupported type: %s", typ)
	}
}

// element checks one block element; inInput says it sits in an input block.
func (v *validator) element(ptr string, e map[string]any, actionIDs map[string]bool, inInput bool) {
	if e == nil {
		v.errf(ptr, "must be an object")
		return
	}
	typ, _ := e["type"].(string)
	if id, ok := e["action_id"].(string); ok {
		v.maxLen(ptr+"/action_id", id, maxID)
		if actionIDs[id] {
			v.errf(ptr+"/action_id", "duplicate action_id %q", id)
		}
		actionIDs[id] = true
	}
	v.textObject(ptr+"/placeholder", e["placeholder"], maxPlaceholder, true, false)
	switch typ {
	case "button":
		v.textObject(ptr+"/text", e["text"], maxButtonText, true, true)
		s, _ := e["value"].(string)
		v.maxLen(ptr+"/value", s, maxButtonValue)
		u, _ := e["url"].(string)
		v.maxLen(ptr+"/url", u, maxURL)
		if st, _ := e["style"].(string); st != "" && st != "primary" && st != "danger" {
			v.errf(ptr+"/style", "must be one of primary, danger")
		}
	case "static_select", "multi_static_select":
		opts, _ := e["options"].([]any)
		groups, _ := e["option_groups"].([]any)
		if len(opts) == 0 && len(groups) == 0 {
			v.errf(ptr, "must provide either options or option_groups")
		}
		v.options(ptr+"/options", opts, maxOptions, true, false)
		for i, g := range groups {
			gm, _ := g.(map[string]any)
			gopts, _ := gm["options"].([]any)
			v.textObject(fmt.Sprintf("%s/option_groups/%d/label", ptr, i), gm["label"], maxOptionText, true, true)
			v.options(fmt.Sprintf("%s/option_groups/%d/options", ptr, i), gopts, maxOptions, true, false)
		}
		v.initialOptions(ptr, e, append(opts, groupOptions(groups)...))
	case "checkboxes", "radio_buttons":
		opts, _ := e["options"].([]any)
		if len(opts) == 0 {
			v.errf(ptr+"/options", "must have at least 1 item")
		}
		v.options(ptr+"/options", opts, maxChoiceOptions, false, true)
		v.initialOptions(ptr, e, opts)
	case "overflow":
		opts, _ := e["options"].([]any)
		v.options(ptr+"/options", opts, maxOverflowOptions, true, true)
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		maxL, hasMax := num(e["max_length"])
		minL, hasMin := num(e["min_length"])
		if hasMax && (maxL > maxInputLength || maxL < 1) {
			v.errf(ptr+"/max_length", "must be between 1 and %d", maxInputLength)
		}
		if hasMin && (minL > maxInputLength || minL < 0) {
			v.errf(ptr+"/min_length", "must be between 0 and %d", maxInputLength)
		}
		if hasMin && hasMax && minL > maxL {
			v.errf(ptr+"/min_length", "must be less than or equal to max_length")
		}
		if s, ok := e["initial_value"].(string); ok && hasMax {
			v.maxLen(ptr+"/initial_value", s, int(maxL))
		}
		if typ == "number_input" {
			if _, ok := e["is_decimal_allowed"].(bool); !ok {
				v.errf(ptr+"/is_decimal_allowed", "missing required field: is_decimal_allowed")
			}
		}
	case "external_select", "multi_external_select", "users_select", "multi_users_select",
		"conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select",
		"datepicker", "timepicker", "datetimepicker", "rich_text_input", "file_input", "workflow_button":
	case "image":
		if inInput {
			v.errf(ptr+"/type", "unsupported type: image")
		}
	case "":
		v.errf(ptr+"/type", "missing required field: type")
	default:
		v.errf(ptr+"/type", "unsupported type: %s", typ)
	}
	if inInput && typ == "button" {
		v.errf(ptr+"/type", "unsupported type: button")
	}
}

// options checks a list of option objects. Only checkboxes, radio buttons and
// overflow menus show an option's description; Slack refuses it elsewhere.
func (v *validator) options(ptr string, opts []any, max int, plainOnly, descriptions bool) {
	if len(opts) > max {
		v.errf(ptr, "no more than %d items allowed", max)
	}
	for i, o := range opts {
		om, _ := o.(map[string]any)
		p := fmt.Sprintf("%s/%d", ptr, i)
		if om == nil {
			v.errf(p, "must be an object")
			continue
		}
		v.textObject(p+"/text", om["text"], maxOptionText, plainOnly, true)
		val, _ := om["value"].(string)
		v.maxLen(p+"/value", val, maxOptionValue)
		if om["description"] != nil && !descriptions {
			v.errf(p+"/description", "description is only allowed in checkboxes, radio_buttons and overflow")
		}
		v.textObject(p+"/description", om["description"], maxOptionText, plainOnly, false)
	}
}

// initialOptions checks that initial_option(s) are among the options, as Slack does.
func (v *validator) initialOptions(ptr string, e map[string]any, opts []any) {
	var initial []any
	if o, ok := e["initial_option"]; ok && o != nil {
		initial = append(initial, o)
	}
	if os, ok := e["initial_options"].([]any); ok {
		initial = append(initial, os...)
	}
	for _, io := range initial {
		im, _ := io.(map[string]any)
		found := false
		for _, o := range opts {
			if om, _ := o.(map[string]any); om != nil && om["value"] == im["value"] && optionText(om) == optionText(im) {
				found = true
			}
		}
		if !found {
			v.errf(ptr+"/initial_option", "must match one of the options")
		}
	}
}

// validateView checks a modal view and returns Slack's error messages.
func validateView(spec map[string]any, ptr string) []string {
	v := &validator{surface: surfaceModal}
	if t, _ := spec["type"].(string); t != "modal" {
		v.errf(ptr+"/type", "must be modal")
	}
	v.textObject(ptr+"/title", spec["title"], maxModalText, true, true)
	v.textObject(ptr+"/submit", spec["submit"], maxModalText, true, false)
	v.textObject(ptr+"/close", spec["close"], maxModalText, true, false)
	s, _ := spec["private_metadata"].(string)
	v.maxLen(ptr+"/private_metadata", s, maxPrivateMetadata)
	s, _ = spec["callback_id"].(string)
	v.maxLen(ptr+"/callback_id", s, maxCallbackID)
	s, _ = spec["external_id"].(string)
	v.maxLen(ptr+"/external_id", s, maxExternalID)
	blocks := blockList(spec["blocks"])
	if spec["submit"] == nil {
		for _, b := range blocks {
			if b["type"] == "input" {
				v.errf(ptr+"/submit", "submit is required when an input block is present")
				break
			}
		}
	}
	v.msgs = append(v.msgs, validateBlocks(blocks, surfaceModal, ptr+"/blocks")...)
	return v.msgs
}

func num(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok
}
