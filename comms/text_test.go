package comms_test

import (
	"slices"
	"testing"

	"github.com/herald-comms/herald/comms"
)

// Every line the bot writes for people goes through these helpers; these are
// the cases its messages depend on.

func TestTruncateIsSafe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"héllo wörld", 6, "héllo…"},
		{"see <https://example.com/a|link> now", 12, "see …"},
		{"a &amp; b", 4, "a …"},
	} {
		if got := comms.Truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d): got %q; want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestFirstLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"\n  API is down.  \nDetails follow.", 80, "API is down."},
		{"Read <https://status.example.com/incidents/1|the status page> now", 20, "Read …"},
	} {
		if got := comms.FirstLine(tc.in, tc.n); got != tc.want {
			t.Errorf("FirstLine(%q, %d): got %q; want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestDescribeRecipients(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		r    comms.Recipients
		want string
	}{
		{comms.Recipients{}, "nobody"},
		{comms.Recipients{Channels: []string{"C1", "C2", "C3"}, Emails: []string{"a@x.io", "b@x.io"},
			SMS: []comms.Person{{Phone: "+14155550100"}}, Statuspage: &comms.StatuspageTarget{}},
			"3 Slack channels, 2 e-mail addresses, 1 SMS recipient, Statuspage"},
		{comms.Recipients{Channels: []string{"C1"}}, "1 Slack channel"},
	} {
		if got := comms.DescribeRecipients(tc.r); got != tc.want {
			t.Errorf("DescribeRecipients(%+v): got %q; want %q", tc.r, got, tc.want)
		}
	}
}

func TestCountWords(t *testing.T) {
	t.Parallel()
	counts := map[comms.Medium]comms.Counts{
		comms.MediumSlack: {Sent: 3},
		comms.MediumSMS:   {Sent: 9, Failed: 1, Superseded: 2, Cancelled: 1},
	}
	if got, want := comms.FormatCounts(counts), "slack 3 sent; sms 9 sent, 1 failed, 2 superseded by a newer update, 1 cancelled"; got != want {
		t.Errorf("FormatCounts: got %q; want %q", got, want)
	}
	one := comms.Counts{Sent: 1}
	if got, want := one.Words(true), []string{"1 sent", "0 failed", "0 pending"}; !slices.Equal(got, want) {
		t.Errorf("Words(true): got %q; want %q", got, want)
	}
}
