package twiliofake

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Paging of the Messages list, as Twilio documents it.
const (
	// DefaultPageSize is the page size when the request gives none.
	DefaultPageSize = 50
	// MaxPageSize is the largest PageSize Twilio serves.
	MaxPageSize = 1000
)

// listFilters are the list's filter parameters, in the order Twilio echoes
// them in its page URIs. "DateSent<" and "DateSent>" come from the documented
// "DateSent<=YYYY-MM-DD" and "DateSent>=YYYY-MM-DD": the '=' is the query's.
var listFilters = []string{"To", "From", "DateSent", "DateSent<", "DateSent>"}

// listParams are the query parameters the list understands; any other fails
// the test, because its effect would go unchecked.
var listParams = map[string]bool{
	"To": true, "From": true, "DateSent": true, "DateSent<": true, "DateSent>": true,
	"PageSize": true, "Page": true, "PageToken": true,
}

// listQuery is a parsed list request.
type listQuery struct {
	filters  map[string]string // as given, for the page URIs
	to, from string
	// on, until and since are UTC days, zero when not asked for: Twilio's
	// date filters have day granularity, whatever time the value carries.
	on, until, since time.Time
	pageSize, page   int
	token            string // "PA<sid>" (after) or "PB<sid>" (before)
}

// listPage is Twilio's JSON page of the Messages list.
type listPage struct {
	Messages        []resource `json:"messages"`
	End             int        `json:"end"`
	FirstPageURI    string     `json:"first_page_uri"`
	NextPageURI     *string    `json:"next_page_uri"`
	Page            int        `json:"page"`
	PageSize        int        `json:"page_size"`
	PreviousPageURI *string    `json:"previous_page_uri"`
	Start           int        `json:"start"`
	URI             string     `json:"uri"`
}

// listMessages serves GET .../Messages.json once auth and path have passed:
// the account's messages, newest first, filtered and paged. Each message is
// the resource a create returns, with its status as of the fake's clock.
func (f *Fake) listMessages(w http.ResponseWriter, r *http.Request) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, newError(http.StatusBadRequest, 20001, "Invalid query string: %v", err))
		return
	}
	for k := range q {
		if !listParams[k] {
			f.tb.Errorf("twiliofake: unmodelled list parameter %q", k)
			writeError(w, newError(http.StatusBadRequest, 20001, "twiliofake does not model parameter %s", k))
			return
		}
	}
	lq, e := parseList(q)
	if e != nil {
		writeError(w, *e)
		return
	}

	f.mu.Lock()
	now := f.now()
	var all []Message
	for i := len(f.messages) - 1; i >= 0; i-- {
		if m := f.messages[i].snapshot(now); lq.match(m) {
			all = append(all, m)
		}
	}
	f.mu.Unlock()
	// Newest first by date_created; among equal times the later create
	// comes first, since the loop above went from the newest record.
	sort.SliceStable(all, func(i, j int) bool { return all[i].CreatedAt.After(all[j].CreatedAt) })

	offset := lq.page * lq.pageSize
	if lq.token != "" {
		i := -1
		for j, m := range all {
			if m.SID == lq.token[2:] {
				i = j
				break
			}
		}
		if i < 0 {
			writeError(w, newError(http.StatusBadRequest, 20001, "Invalid PageToken %s", lq.token))
			return
		}
		offset = i + 1
		if strings.HasPrefix(lq.token, "PB") {
			offset = max(i-lq.pageSize, 0)
		}
	}
	offset = min(offset, len(all))
	items := all[offset:min(offset+lq.pageSize, len(all))]

	base := "/2010-04-01/Accounts/" + f.AccountSID + "/Messages.json"
	p := listPage{
		Messages:     make([]resource, 0, len(items)),
		Page:         lq.page,
		PageSize:     lq.pageSize,
		Start:        lq.page * lq.pageSize,
		FirstPageURI: lq.uri(base, 0, ""),
		URI:          lq.uri(base, lq.page, lq.token),
	}
	p.End = p.Start + max(len(items)-1, 0)
	for _, m := range items {
		p.Messages = append(p.Messages, toResource(f.AccountSID, m))
	}
	if offset+len(items) < len(all) {
		next := lq.uri(base, lq.page+1, "PA"+items[len(items)-1].SID)
		p.NextPageURI = &next
	}
	if lq.page > 0 && len(items) > 0 && offset > 0 {
		prev := lq.uri(base, lq.page-1, "PB"+items[0].SID)
		p.PreviousPageURI = &prev
	}
	writeJSON(w, http.StatusOK, p)
}

// parseList checks a list query the way Twilio does and returns the error
// Twilio would answer with, if any.
func parseList(q url.Values) (listQuery, *Error) {
	bad := func(format string, args ...any) (listQuery, *Error) {
		e := newError(http.StatusBadRequest, 20001, format, args...)
		return listQuery{}, &e
	}
	lq := listQuery{filters: map[string]string{}, to: q.Get("To"), from: q.Get("From"), pageSize: DefaultPageSize}
	for _, k := range listFilters {
		if q.Has(k) {
			lq.filters[k] = q.Get(k)
		}
	}
	days := map[string]*time.Time{"DateSent": &lq.on, "DateSent<": &lq.until, "DateSent>": &lq.since}
	for k, d := range days {
		if !q.Has(k) {
			continue
		}
		day, ok := parseDay(q.Get(k))
		if !ok {
			return bad("Invalid date value %q for %s.", q.Get(k), k)
		}
		*d = day
	}
	if q.Has("PageSize") {
		n, err := strconv.Atoi(q.Get("PageSize"))
		if err != nil || n < 1 || n > MaxPageSize {
			return bad("PageSize must be between 1 and %d.", MaxPageSize)
		}
		lq.pageSize = n
	}
	if q.Has("Page") {
		n, err := strconv.Atoi(q.Get("Page"))
		if err != nil || n < 0 {
			return bad("Page must be a non-negative integer.")
		}
		lq.page = n
	}
	if q.Has("PageToken") {
		lq.token = q.Get("PageToken")
		if len(lq.token) < 3 || (!strings.HasPrefix(lq.token, "PA") && !strings.HasPrefix(lq.token, "PB")) {
			return bad("Invalid PageToken %s", lq.token)
		}
	}
	return lq, nil
}

// parseDay reads a date filter: YYYY-MM-DD, as Twilio documents, or an
// RFC 3339 time, which twilio-go sends; either way only the UTC day counts.
func parseDay(s string) (time.Time, bool) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false
	}
	return utcDay(t), true
}

func utcDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// match reports whether m passes the query's filters. The date filters look
// at the day of date_sent, or of date_created while the message is unsent.
// A message created with only a Messaging Service has no From yet, so a From
// filter never matches it.
func (lq listQuery) match(m Message) bool {
	if (lq.to != "" && m.To != lq.to) || (lq.from != "" && m.From != lq.from) {
		return false
	}
	day := utcDay(m.CreatedAt)
	if m.Status == "sent" {
		day = utcDay(m.SentAt)
	}
	return (lq.on.IsZero() || day.Equal(lq.on)) &&
		(lq.until.IsZero() || !day.After(lq.until)) &&
		(lq.since.IsZero() || !day.Before(lq.since))
}

// uri is the URI of one page of the query, as Twilio writes it: the filters
// as given, then PageSize, Page and PageToken.
func (lq listQuery) uri(base string, page int, token string) string {
	var b strings.Builder
	b.WriteString(base)
	sep := "?"
	add := func(k, v string) {
		b.WriteString(sep + url.QueryEscape(k) + "=" + url.QueryEscape(v))
		sep = "&"
	}
	for _, k := range listFilters {
		if v, ok := lq.filters[k]; ok {
			add(k, v)
		}
	}
	add("PageSize", strconv.Itoa(lq.pageSize))
	add("Page", strconv.Itoa(page))
	if token != "" {
		add("PageToken", token)
	}
	return b.String()
}
