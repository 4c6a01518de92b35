package statuspagefake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-comms/herald/internal/statuspagefake"
)

// client is a plain net/http Statuspage client, as production code uses.
type client struct {
	t    *testing.T
	base string
	key  string
	http *http.Client
}

func newClient(t *testing.T, f *statuspagefake.Fake, timeout time.Duration) *client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &client{t: t, base: f.URL(), key: f.APIKey, http: &http.Client{Transport: tr, Timeout: timeout}}
}

// response is one answer with its decoded JSON.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorText returns the "error" of a Statuspage error body, failing the test
// when the body does not have that shape.
func (r response) errorText(t *testing.T) string {
	t.Helper()
	var e map[string]any
	r.decode(t, &e)
	s, ok := e["error"].(string)
	if !ok || s == "" || len(e) != 1 {
		t.Errorf("got error body %s; want {\"error\": \"...\"}", r.body)
	}
	return s
}

// try sends a request and returns the transport error, if any.
func (c *client) try(method, path string, body any) (response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "OAuth "+c.key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}, err
}

func (c *client) do(method, path string, body any) response {
	c.t.Helper()
	r, err := c.try(method, path, body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// incidentsPath returns the incidents path of f's page plus suffix.
func incidentsPath(f *statuspagefake.Fake, suffix string) string {
	return fmt.Sprintf("/pages/%s/incidents%s", f.PageID, suffix)
}

// unlimited returns a fake with rate limiting off, for tests about other things.
func unlimited(t *testing.T) *statuspagefake.Fake {
	f := statuspagefake.New(t)
	f.SetRate(0, 1)
	return f
}

func incident(fields map[string]any) map[string]any { return map[string]any{"incident": fields} }

// recorder stands in for the test a fake reports to.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) failures() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "; ")
}
