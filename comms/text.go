package comms

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Truncate shortens s to at most n characters, ending in "…" when cut. It
// never splits a character, and never leaves half of a Slack link, mention
// or entity (<…> or &…;) behind: a cut inside one drops it whole.
func Truncate(s string, n int) string {
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

// FirstLine returns the first line of s, without surrounding blanks,
// shortened to at most n characters: how a comm is named in one line.
func FirstLine(s string, n int) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return Truncate(strings.TrimSpace(line), n)
}

// Plural writes a count with the noun that fits it: "1 segment",
// "2 segments".
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// DescribeRecipients says in people's words whom a comm goes to: "3 Slack
// channels, 2 e-mail addresses, 1 SMS recipient, Statuspage", or "nobody".
func DescribeRecipients(r Recipients) string {
	n := r.Count()
	var parts []string
	if n[MediumSlack] > 0 {
		parts = append(parts, Plural(n[MediumSlack], "Slack channel", "Slack channels"))
	}
	if n[MediumEmail] > 0 {
		parts = append(parts, Plural(n[MediumEmail], "e-mail address", "e-mail addresses"))
	}
	if n[MediumSMS] > 0 {
		parts = append(parts, Plural(n[MediumSMS], "SMS recipient", "SMS recipients"))
	}
	if n[MediumStatuspage] > 0 {
		parts = append(parts, "Statuspage")
	}
	if len(parts) == 0 {
		return "nobody"
	}
	return strings.Join(parts, ", ")
}

// Words lists the counts of one medium, sent first: "3 sent", "1 failed",
// "2 pending", "1 superseded by a newer update", "1 cancelled". Failed and
// pending are listed even when zero if zeros is set, as in a delivery report
// where "0 failed" is news; the others only when not zero.
func (n Counts) Words(zeros bool) []string {
	out := []string{fmt.Sprintf("%d sent", n.Sent)}
	if n.Failed > 0 || zeros {
		out = append(out, fmt.Sprintf("%d failed", n.Failed))
	}
	if n.Pending > 0 || zeros {
		out = append(out, fmt.Sprintf("%d pending", n.Pending))
	}
	if n.Superseded > 0 {
		out = append(out, fmt.Sprintf("%d superseded by a newer update", n.Superseded))
	}
	if n.Cancelled > 0 {
		out = append(out, fmt.Sprintf("%d cancelled", n.Cancelled))
	}
	return out
}

// FormatCounts writes per-medium counts as "slack 3 sent; sms 9 sent, 1 failed".
func FormatCounts(counts map[Medium]Counts) string {
	var parts []string
	for _, m := range Media {
		if n, ok := counts[m]; ok {
			parts = append(parts, string(m)+" "+strings.Join(n.Words(false), ", "))
		}
	}
	if len(parts) == 0 {
		return "no deliveries"
	}
	return strings.Join(parts, "; ")
}
