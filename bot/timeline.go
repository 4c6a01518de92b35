package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/herald-comms/herald/comms"
	"github.com/slack-go/slack"
)

// timelineLatest is how many entries /incident timeline shows.
const timelineLatest = 15

// exportChunk is the most text one export code block carries.
const exportChunk = 2800

// showTimeline shows the latest entries (newest last), or the full export.
func (b *Bot) showTimeline(ctx context.Context, r *request, inc *comms.Incident, export bool) {
	entries, err := b.svc.Timeline(ctx, inc.ID)
	if err != nil {
		b.replyErr(ctx, r, "load timeline", err)
		return
	}
	if export {
		b.exportTimeline(ctx, r, inc, entries)
		return
	}
	start := max(0, len(entries)-timelineLatest)
	var lines []string
	for _, e := range entries[start:] {
		lines = append(lines, "• "+timelineLine(e))
	}
	head := fmt.Sprintf("*Timeline of %s* · %s", inc.ID, comms.Plural(len(entries), "entry", "entries"))
	if start > 0 {
		head += fmt.Sprintf(" · latest %d shown; `/incident timeline export` gives all of them", timelineLatest)
	}
	body := strings.Join(lines, "\n")
	b.reply(ctx, r, head, section(blkTimelineHeader, head), section("", fitLines(body, maxSectionText)))
}

// fitLines keeps the last lines of text that fit in n characters.
func fitLines(text string, n int) string {
	for len([]rune(text)) > n {
		_, rest, ok := strings.Cut(text, "\n")
		if !ok {
			return comms.Truncate(text, n)
		}
		text = rest
	}
	return text
}

// exportLines renders every entry with its sequence, time, actor, kind,
// text and hashes, one per line, so the chain can be checked by hand or by
// comms.VerifyTimeline.
func exportLines(entries []comms.TimelineEntry) []string {
	var out []string
	for _, e := range entries {
		actor := e.Actor
		if actor == "" {
			actor = "herald"
		}
		out = append(out, fmt.Sprintf("#%d %s %s %s %s comm=%s prev=%s hash=%s",
			e.Seq, e.At.UTC().Format(time.RFC3339Nano), actor, e.Kind, fmt.Sprintf("%q", e.Text), e.CommID, e.PrevHash, e.Hash))
	}
	return out
}

// exportTimeline sends the whole timeline as preformatted text, split over
// as many blocks and messages as Slack's limits need.
func (b *Bot) exportTimeline(ctx context.Context, r *request, inc *comms.Incident, entries []comms.TimelineEntry) {
	verdict := ":white_check_mark: The hash chain verifies."
	if err := comms.VerifyTimeline(entries); err != nil {
		verdict = ":x: " + comms.ErrorMessage(err)
	}
	var chunks []string
	var cur strings.Builder
	for _, l := range exportLines(entries) {
		l = escape(l)
		if cur.Len() > 0 && cur.Len()+len(l)+1 > exportChunk {
			chunks = append(chunks, cur.String())
			cur.Reset()
		}
		cur.WriteString(comms.Truncate(l, exportChunk))
		cur.WriteByte('\n')
	}
	if cur.Len() > 0 {
		chunks = append(chunks, cur.String())
	}
	head := fmt.Sprintf("*Timeline export of %s* · %s · %s", inc.ID, comms.Plural(len(entries), "entry", "entries"), verdict)
	blocks := []slack.Block{section(blkTimelineHeader, head)}
	const perMessage = 4 // about 12,000 characters: Slack's practical block text total
	for i, ch := range chunks {
		blocks = append(blocks, section("", "```"+ch+"```"))
		if len(blocks) == perMessage+1 || i == len(chunks)-1 {
			b.reply(ctx, r, head, blocks...)
			blocks = nil
			head = fmt.Sprintf("Timeline export of %s, continued", inc.ID)
			blocks = []slack.Block{contextBlock("", head)}
		}
	}
	if len(chunks) == 0 {
		b.reply(ctx, r, head, section(blkTimelineHeader, head))
	}
}
