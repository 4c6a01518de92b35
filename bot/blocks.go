package bot

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

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

// truncate shortens s to at most n characters, ending in "…" when cut. It
// never splits a character, and never leaves half of a Slack link, mention
// or entity (<…> or &…;) behind.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return string([]rune(s)[:max(n, 0)])
	}
	cut := string([]rune(s)[:n-1])
	if i := strings.LastIndexByte(cut, '<'); i >= 0 && !strings.Contains(cut[i:], ">") {
		cut = cut[:i]
	}
	if i := strings.LastIndexByte(cut, '&'); i >= 0 && !strings.Contains(cut[i:], ";") && len(cut)-i <= 6 {
		cut = cut[:i]
	}
	return cut + "…"
}

// escape makes user text safe inside mrkdwn: Slack reads &, < and > as markup.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func plainText(s string, n int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, truncate(s, n), false, false)
}

func mrkdwnText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, truncate(s, maxSectionText), false, false)
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
	return slack.NewOptionBlockObject(truncate(value, maxOptionValue), plainText(text, maxOptionText), nil)
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
	return "```" + truncate(text, maxSectionText-8) + "```"
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

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
