package statuspage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/herald-comms/herald/channels"
)

// defaultRetryAfter is the wait after a 420/429 without Retry-After: one
// token of the 1 request/s bucket.
const defaultRetryAfter = time.Second

// apiError is a non-2xx answer.
type apiError struct {
	status     int
	text       string // Statuspage's {"error": …}
	retryAfter time.Duration
}

func (e *apiError) Error() string {
	return fmt.Sprintf("statuspage: HTTP %d: %s", e.status, e.text)
}

// do sends one request under the key's limiter and decodes a 2xx answer
// into out. A request the limiter did not let out in time fails with a
// Retryable *channels.Error.
func (s *Sender) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("statuspage: encode: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+"/pages/"+s.cfg.PageID+path, body)
	if err != nil {
		return fmt.Errorf("statuspage: %w", err)
	}
	req.Header.Set("Authorization", "OAuth "+s.cfg.APIKey)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := s.lim.Wait(ctx); err != nil {
		// The request never left: the context ends before the key's
		// bucket grants it (Wait gives up at once when the deadline is
		// nearer than its turn), so searches from the modal, whose
		// context is short, never queue behind deliveries for long.
		return &channels.Error{Class: channels.Retryable, Err: fmt.Errorf("statuspage: waiting for the API key's rate limit: %w", err)}
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var eb struct {
			Error any `json:"error"`
		}
		text := http.StatusText(resp.StatusCode)
		if json.Unmarshal(raw, &eb) == nil && eb.Error != nil {
			text = fmt.Sprint(eb.Error)
		}
		return &apiError{status: resp.StatusCode, text: text,
			retryAfter: channels.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("statuspage: decode %s %s: %w", method, path, err)
	}
	return nil
}

// explain classifies a failed request. id is the Statuspage incident the
// request was about, if any.
func explain(err error, id string) error {
	ae, ok := err.(*apiError)
	if !ok {
		return channels.Classify(err)
	}
	perm := func(format string, args ...any) error {
		return &channels.Error{Class: channels.Permanent, Err: err, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case ae.status == 420 || ae.status == http.StatusTooManyRequests:
		return &channels.Error{Class: channels.Retryable, RetryAfter: max(ae.retryAfter, defaultRetryAfter), Err: err}
	case ae.status >= 500:
		return &channels.Error{Class: channels.Ambiguous, Err: err, Message: "Statuspage had a server error; Herald is checking whether the update was published."}
	case ae.status == http.StatusUnauthorized || ae.status == http.StatusForbidden:
		return perm("Statuspage refused Herald's API key: ask the Herald operator to check STATUSPAGE_API_KEY.")
	case ae.status == http.StatusNotFound && id != "":
		return perm("Statuspage incident %s was not found (deleted, or on another page): choose another incident or create a new one.", id)
	case ae.status == http.StatusNotFound:
		return perm("Statuspage page not found: ask the Herald operator to check STATUSPAGE_PAGE_ID.")
	case ae.status == http.StatusUnprocessableEntity || ae.status == http.StatusBadRequest:
		return perm("Statuspage refused the update: %s.", strings.TrimSuffix(ae.text, "."))
	}
	return perm("Statuspage refused the update (HTTP %d): %s.", ae.status, ae.text)
}
