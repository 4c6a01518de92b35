package comms

import (
	"strings"
	"testing"
	"time"
)

func TestRender(t *testing.T) {
	inc := &Incident{ID: "INC-12", Title: "Checkout errors", Severity: SEV2, Status: Identified,
		Permalink: "https://acme.slack.com/archives/C1/p1", StatuspageShortlink: "https://stspg.io/abc"}
	c := &Comm{ID: "C-3", IncidentID: "INC-12", Number: 2, Audience: Internal, Status: Identified, Author: "U1",
		Message: "*Root cause* found: <https://grafana/x|dashboard> shows a <bad> deploy & we're rolling back.", IncludeLink: true}
	r := Render(inc, c, Links{PublicURL: "https://status.acme.com"}, true)

	if want := "[INC-12 · Identified] Checkout errors"; r.Email.Subject != want {
		t.Errorf("subject = %q; want %q", r.Email.Subject, want)
	}
	if !strings.Contains(r.Email.HTML, "&lt;bad&gt; deploy &amp; we&#39;re") {
		t.Errorf("HTML body is not escaped: %s", r.Email.HTML)
	}
	if want := `<b>Root cause</b> found: <a href="https://grafana/x">dashboard</a> shows`; !strings.Contains(r.Email.HTML, want) {
		t.Errorf("HTML body = %s; want emphasis and the link kept: %s", r.Email.HTML, want)
	}
	if !strings.Contains(r.Email.Text, "Root cause found: dashboard (https://grafana/x)") {
		t.Errorf("text body = %q; want mrkdwn turned into plain text", r.Email.Text)
	}
	if r.Link != inc.Permalink || !strings.Contains(r.Slack.Body, inc.Permalink) {
		t.Errorf("internal link = %q; want the Slack permalink in the Slack body", r.Link)
	}
	if !strings.HasPrefix(r.SMS.Text, "INC-12 Identified: Root cause found") || r.SMS.Info.Encoding != GSM7 {
		t.Errorf("sms = %q (%s); want plain GSM-7 text", r.SMS.Text, r.SMS.Info.Encoding)
	}

	c.Audience = External
	if got := Render(inc, c, Links{}, false).Link; got != inc.StatuspageShortlink {
		t.Errorf("external link = %q; want the Statuspage shortlink", got)
	}
	inc.StatuspageShortlink = ""
	if got := Render(inc, c, Links{PublicURL: "https://status.acme.com"}, false).Link; got != "https://status.acme.com" {
		t.Errorf("external link without shortlink = %q; want the public URL", got)
	}
	c.IncludeLink = false
	if got := Render(inc, c, Links{PublicURL: "x"}, false); got.Link != "" || strings.Contains(got.SMS.Text, "http") && strings.Contains(got.SMS.Text, "status.acme") {
		t.Errorf("link included although the toggle is off: %q", got.Link)
	}
}

func TestTimelineChain(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	var entries []TimelineEntry
	prev := ""
	for i, text := range []string{"declared", "status", "comm sent"} {
		e := Entry(now.Add(time.Duration(i)*time.Minute), "U1", KindNote, "", "%s", text)
		e.IncidentID = "INC-1"
		e.Seal(uint64(i+1), prev)
		prev = e.Hash
		entries = append(entries, e)
	}
	if err := VerifyTimeline(entries); err != nil {
		t.Fatalf("untouched chain: %v", err)
	}
	entries[1].Text = "status (edited)"
	if err := VerifyTimeline(entries); err == nil || !strings.Contains(err.Error(), "entry 2") {
		t.Errorf("tampered chain: got %v; want an error naming entry 2", err)
	}
}

func TestHTMLFromMrkdwnEscapesLinks(t *testing.T) {
	got := htmlFromMrkdwn(`see <https://x.example/a?b=1&c="2"|the "log"> and <https://y.example> _now_` + "\n<script>")
	want := `see <a href="https://x.example/a?b=1&amp;c=&#34;2&#34;">the &#34;log&#34;</a> and <a href="https://y.example">https://y.example</a> <i>now</i><br>` + "\n&lt;script&gt;"
	if got != want {
		t.Errorf("htmlFromMrkdwn:\n got %s\nwant %s", got, want)
	}
}
