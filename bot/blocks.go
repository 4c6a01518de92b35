package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/herald-comms/herald/comms"
	"github.com/slack-go/slack"
)

// Block Kit limits (limits.md §1.3).
const (
	maxModalTitle   = 24
	maxButtonText   = 75
	maxOptionText   = 75
	maxOptionValue  = 150
	maxSectionText  = 3000
	maxHeaderText   = 150
	maxLabelText    = 2000
	maxMetadata     = 3000
	maxModalBlocks  = 100
	maxMsgBlocks    = 50
	maxMessageText  = 4000
	maxContextItems = 10
)

// escape makes user text safe inside mrkdwn: Slack reads &, < and > as markup.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func plainText(s string, n int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, comms.Truncate(s, n), false, false)
}

func mrkdwnText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, comms.Truncate(s, maxSectionText), false, false)
}

func section(blockID, md string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwnText(md), nil, nil, slack.SectionBlockOptionBlockID(blockID))
}

func contextBlock(blockID string, mds ...string) *slack.ContextBlock {
	var els []slack.MixedElement
	for _, md := range mds {
		if len(els) == maxContextItems {
			break
		}
		if md != "" {
			els = append(els, mrkdwnText(md))
		}
	}
	return slack.NewContextBlock(blockID, els...)
}

func header(blockID, s string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(plainText(s, maxHeaderText), slack.HeaderBlockOptionBlockID(blockID))
}

func button(actionID, value, text string, style slack.Style) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(actionID, value, plainText(text, maxButtonText))
	b.Style = style
	return b
}

func option(value, text string) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(comms.Truncate(value, maxOptionValue), plainText(text, maxOptionText), nil)
}

func input(blockID, label string, el slack.BlockElement, optional bool, hint string) *slack.InputBlock {
	var h *slack.TextBlockObject
	if hint != "" {
		h = plainText(hint, maxLabelText)
	}
	in := slack.NewInputBlock(blockID, plainText(label, maxLabelText), h, el)
	in.Optional = optional
	return in
}

// codeBlock wraps text in a preformatted block, keeping it within a section.
func codeBlock(text string) string {
	text = strings.ReplaceAll(text, "```", "ˋˋˋ")
	return "```" + comms.Truncate(text, maxSectionText-8) + "```"
}

// quote prefixes each line with "> " so Slack shows it as a quotation.
func quote(md string) string {
	return "> " + strings.ReplaceAll(md, "\n", "\n> ")
}

// slackDate formats t so that Slack shows it in each reader's own time zone,
// with a UTC fallback for clients that cannot.
func slackDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

func user(id string) string {
	if id == "" {
		return "Herald"
	}
	return "<@" + id + ">"
}
