package twiliofake_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/herald-comms/herald/internal/twiliofake"
)

const (
	other     = "+15550009999" // another recipient
	otherFrom = "+15558880000" // another sender
)

var day1 = time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)

func at(day, hour int) time.Time {
	return day1.AddDate(0, 0, day-1).Add(time.Duration(hour) * time.Hour)
}

// seed creates, through twilio-go, messages at the given times: body names
// each one. The fake's clock is left at day 3, 12:00.
func seed(t *testing.T, f *twiliofake.Fake, api *openapi.ApiService) {
	t.Helper()
	msgs := []struct {
		at           time.Time
		to, from, mg string
		body         string
	}{
		{at: at(1, 10), to: rcpt, from: from, body: "a"},
		{at: at(2, 9), to: rcpt, from: from, body: "b"},
		{at: at(2, 15), to: rcpt, from: otherFrom, body: "c"},
		{at: at(2, 16), to: other, from: from, body: "d"},
		{at: at(2, 17), to: rcpt, mg: mg, body: "e"},
		{at: at(3, 8), to: rcpt, from: from, body: "f"},
	}
	for _, m := range msgs {
		f.SetClock(func() time.Time { return m.at })
		p := params().SetTo(m.to).SetBody(m.body)
		if m.from != "" {
			p.SetFrom(m.from)
		} else {
			p.SetMessagingServiceSid(m.mg)
		}
		if _, err := api.CreateMessage(p); err != nil {
			t.Fatalf("create %q: %v", m.body, err)
		}
	}
	f.SetClock(func() time.Time { return at(3, 12) })
}

func TestListMessages(t *testing.T) {
	t.Parallel()
	list := func() *openapi.ListMessageParams { return &openapi.ListMessageParams{} }
	tests := []struct {
		name     string
		params   *openapi.ListMessageParams
		want     string // bodies, in the order listed
		requests int    // pages read
	}{
		{"to, newest first", list().SetTo(rcpt), "fecba", 1},
		{"to and from", list().SetTo(rcpt).SetFrom(from), "fba", 1},
		{"a messaging service message has no from", list().SetFrom(from), "fdba", 1},
		{"sent on or after a day, whatever the time", list().SetTo(rcpt).SetFrom(from).SetDateSentAfter(at(2, 12)), "fb", 1},
		{"sent on or before a day", list().SetTo(rcpt).SetDateSentBefore(at(2, 0)), "ecba", 1},
		{"sent on a day", list().SetTo(rcpt).SetDateSent(at(2, 23)), "ecb", 1},
		{"day boundary in another zone", list().SetTo(rcpt).SetDateSentAfter(at(3, 8).In(time.FixedZone("PST", -8*3600))), "f", 1},
		{"page size and limit", list().SetTo(rcpt).SetPageSize(2).SetLimit(3), "fec", 2},
		{"paging to the end", list().SetTo(rcpt).SetPageSize(2), "fecba", 3},
		{"limit alone sets the page size", list().SetTo(rcpt).SetLimit(4), "fecb", 1},
		{"no match", list().SetTo("+15550000000"), "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := twiliofake.New(t)
			api, _ := newAPI(t, f, f.AuthToken, 5*time.Second)
			seed(t, f, api)
			before := f.Requests()
			msgs, err := api.ListMessage(tt.params)
			if err != nil {
				t.Fatalf("ListMessage: got error %v; want nil", err)
			}
			var got strings.Builder
			for _, m := range msgs {
				got.WriteString(*m.Body)
			}
			if got.String() != tt.want {
				t.Errorf("got messages %q; want %q", got.String(), tt.want)
			}
			if n := f.Requests() - before; n != tt.requests {
				t.Errorf("got %d page requests; want %d", n, tt.requests)
			}
		})
	}
}

// TestListedMessageIsTheCreatedOne checks a listed message is the resource
// the create returned, with its status (and date_sent) as of now.
func TestListedMessageIsTheCreatedOne(t *testing.T) {
	t.Parallel()
	f := twiliofake.New(t)
	api, _ := newAPI(t, f, f.AuthToken, 5*time.Second)
	now := at(1, 10)
	f.SetClock(func() time.Time { return now })
	f.SetRate(from, 1)
	first, err := api.CreateMessage(params().SetTo(rcpt).SetFrom(from).SetBody("first").SetValidityPeriod(600))
	if err != nil {
		t.Fatal(err)
	}
	second, err := api.CreateMessage(params().SetTo(rcpt).SetFrom(from).SetBody("second").SetValidityPeriod(600))
	if err != nil {
		t.Fatal(err)
	}

	// The second waits its turn in the sender's queue: still queued, no
	// date_sent, yet found by a date filter through its date_created.
	msgs, err := api.ListMessage((&openapi.ListMessageParams{}).SetTo(rcpt).SetDateSentAfter(now))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 {
		t.Fatalf("got %d messages; want 2", len(msgs))
	}
	if got := msgs[0]; *got.Sid != *second.Sid || *got.Status != "queued" || got.DateSent != nil {
		t.Errorf("got newest %s %s date_sent %v; want %s queued, no date_sent", *got.Sid, *got.Status, got.DateSent, *second.Sid)
	}
	got := msgs[1]
	if *got.Sid != *first.Sid || *got.Status != "sent" || got.DateSent == nil || *got.DateSent != *first.DateCreated {
		t.Errorf("got oldest %s %s date_sent %v; want %s sent at %s", *got.Sid, *got.Status, got.DateSent, *first.Sid, *first.DateCreated)
	}
	// Apart from status and dates, the listed resource is the create's.
	got.Status, got.DateSent, got.DateUpdated = first.Status, first.DateSent, first.DateUpdated
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(first)
	if string(a) != string(b) {
		t.Errorf("got listed\n%s\nwant the create's\n%s", a, b)
	}
}

// get fetches a list page with a plain HTTP client and decodes it.
func get(t *testing.T, f *twiliofake.Fake, uri string) (int, map[string]json.RawMessage) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.URL()+uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(f.AccountSID, f.AuthToken)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func field[T any](t *testing.T, page map[string]json.RawMessage, key string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(page[key], &v); err != nil {
		t.Fatalf("field %s = %s: %v", key, page[key], err)
	}
	return v
}

func TestListPages(t *testing.T) {
	t.Parallel()
	f := twiliofake.New(t)
	api, _ := newAPI(t, f, f.AuthToken, 5*time.Second)
	seed(t, f, api)
	path := "/2010-04-01/Accounts/" + f.AccountSID + "/Messages.json"

	status, page := get(t, f, path+"?To=%2B15551230001&DateSent%3E=2026-03-09&PageSize=2")
	if status != http.StatusOK {
		t.Fatalf("got HTTP %d; want 200", status)
	}
	keys := make([]string, 0, len(page))
	for k := range page {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"end", "first_page_uri", "messages", "next_page_uri", "page", "page_size", "previous_page_uri", "start", "uri"}
	if !slices.Equal(keys, want) {
		t.Errorf("got page keys %q; want %q", keys, want)
	}
	type shape struct {
		page, size, start, end, n int
		prev, next                bool
	}
	check := func(name string, page map[string]json.RawMessage, want shape) {
		t.Helper()
		got := shape{field[int](t, page, "page"), field[int](t, page, "page_size"), field[int](t, page, "start"), field[int](t, page, "end"),
			len(field[[]json.RawMessage](t, page, "messages")), field[*string](t, page, "previous_page_uri") != nil, field[*string](t, page, "next_page_uri") != nil}
		if got != want {
			t.Errorf("%s: got %+v; want %+v", name, got, want)
		}
	}
	check("first page", page, shape{page: 0, size: 2, start: 0, end: 1, n: 2, next: true})
	if got, want := field[string](t, page, "first_page_uri"), path+"?To=%2B15551230001&DateSent%3E=2026-03-09&PageSize=2&Page=0"; got != want {
		t.Errorf("got first_page_uri %q; want %q", got, want)
	}
	if got := field[string](t, page, "uri"); got != field[string](t, page, "first_page_uri") {
		t.Errorf("got uri %q on page 0; want the first page's", got)
	}
	next := field[string](t, page, "next_page_uri")
	if !strings.Contains(next, "&Page=1&PageToken=PASM") {
		t.Errorf("got next_page_uri %q; want Page=1 and a PageToken after the last SID", next)
	}

	_, page1 := get(t, f, next)
	check("second page", page1, shape{page: 1, size: 2, start: 2, end: 3, n: 2, prev: true, next: true})
	_, page2 := get(t, f, field[string](t, page1, "next_page_uri"))
	check("last page", page2, shape{page: 2, size: 2, start: 4, end: 4, n: 1, prev: true})
	_, back := get(t, f, field[string](t, page1, "previous_page_uri"))
	if got, want := string(back["messages"]), string(page["messages"]); got != want {
		t.Errorf("previous_page_uri of page 1: got %s; want page 0's messages %s", got, want)
	}

	_, all := get(t, f, path)
	check("default page size", all, shape{page: 0, size: twiliofake.DefaultPageSize, start: 0, end: 5, n: 6})
}

func TestListRefusesBadValues(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, query string }{
		{"page size 0", "PageSize=0"},
		{"page size over 1000", "PageSize=1001"},
		{"page not a number", "Page=x"},
		{"date not a date", "DateSent%3E=yesterday"},
		{"unknown page token", "PageToken=PASM0123456789abcdef0123456789abcdef"},
		{"malformed page token", "PageToken=XX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := twiliofake.New(t)
			status, body := get(t, f, "/2010-04-01/Accounts/"+f.AccountSID+"/Messages.json?"+tt.query)
			if code := field[int](t, body, "code"); status != http.StatusBadRequest || code != 20001 {
				t.Errorf("got HTTP %d code %d; want 400 20001", status, code)
			}
		})
	}
}

func TestListNeedsAuth(t *testing.T) {
	t.Parallel()
	f := twiliofake.New(t)
	api, _ := newAPI(t, f, "wrongtoken", 5*time.Second)
	_, err := api.ListMessage((&openapi.ListMessageParams{}).SetTo(rcpt))
	if te := restError(t, err); te.Code != 20003 || te.Status != http.StatusUnauthorized {
		t.Errorf("got code %d status %d; want 20003 401", te.Code, te.Status)
	}
}
