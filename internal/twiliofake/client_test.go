package twiliofake_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/herald-comms/herald/internal/twiliofake"
)

// rewrite sends every request to the fake, as production code's transport
// does, and keeps the last answer's status and Retry-After, which twilio-go
// does not expose.
//
// It also owns the timeout and buffers error bodies, because twilio-go
// v1.31.0 never closes the body of a 4xx/5xx answer: with a plain transport
// that strands the connection's read goroutine, and with http.Client.Timeout
// set it also strands a timer goroutine until the timeout fires.
type rewrite struct {
	base    *url.URL
	next    *http.Transport
	timeout time.Duration

	mu         sync.Mutex
	status     int
	retryAfter string
}

func (t *rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(r.Context(), t.timeout)
	r = r.Clone(ctx)
	r.URL.Scheme, r.URL.Host, r.Host = t.base.Scheme, t.base.Host, t.base.Host
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		cancel()
		return nil, err
	}
	t.mu.Lock()
	t.status, t.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
	t.mu.Unlock()
	if resp.StatusCode < 400 {
		resp.Body = cancelOnClose{resp.Body, cancel}
		return resp, nil
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	cancel()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

// cancelOnClose ends a request's timeout when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelOnClose) Close() error {
	defer b.cancel()
	return b.ReadCloser.Close()
}

func (t *rewrite) last() (int, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status, t.retryAfter
}

// newAPI returns twilio-go's real Messages client pointed at f.
func newAPI(t *testing.T, f *twiliofake.Fake, token string, timeout time.Duration) (*openapi.ApiService, *rewrite) {
	t.Helper()
	base, err := url.Parse(f.URL())
	if err != nil {
		t.Fatal(err)
	}
	tr := &rewrite{base: base, next: &http.Transport{}, timeout: timeout}
	t.Cleanup(tr.next.CloseIdleConnections)
	c := &twclient.Client{
		Credentials: twclient.NewCredentials(f.AccountSID, token),
		HTTPClient: &http.Client{
			Transport:     tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	c.SetAccountSid(f.AccountSID)
	return openapi.NewApiServiceWithClient(c), tr
}

// restError returns err as a *TwilioRestError or fails the test.
func restError(t *testing.T, err error) *twclient.TwilioRestError {
	t.Helper()
	var te *twclient.TwilioRestError
	if !errors.As(err, &te) {
		t.Fatalf("got error %v (%T); want *client.TwilioRestError", err, err)
	}
	if want := fmt.Sprintf("https://www.twilio.com/docs/errors/%d", te.Code); te.MoreInfo != want {
		t.Errorf("got more_info %q; want %q", te.MoreInfo, want)
	}
	return te
}

func params() *openapi.CreateMessageParams { return &openapi.CreateMessageParams{} }
