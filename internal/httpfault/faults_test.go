package httpfault_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/herald-comms/herald/internal/httpfault"
)

func TestTake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(*httpfault.Faults)
		want  []httpfault.Action
	}{
		{"none", func(*httpfault.Faults) {}, []httpfault.Action{httpfault.None}},
		{"fail next", func(fs *httpfault.Faults) { fs.FailNext(2) },
			[]httpfault.Action{httpfault.Fail, httpfault.Fail, httpfault.None}},
		{"failure rate", func(fs *httpfault.Faults) { fs.SetFailureRate(1) },
			[]httpfault.Action{httpfault.Fail, httpfault.Fail, httpfault.Fail}},
		{"failure rate off", func(fs *httpfault.Faults) { fs.SetFailureRate(1); fs.SetFailureRate(0) },
			[]httpfault.Action{httpfault.None}},
		{"429", func(fs *httpfault.Faults) { fs.Force429(1, time.Second) },
			[]httpfault.Action{httpfault.TooMany, httpfault.None}},
		{"hang", func(fs *httpfault.Faults) { fs.HangNext(1) },
			[]httpfault.Action{httpfault.Hang, httpfault.None}},
		{"reset", func(fs *httpfault.Faults) { fs.ResetNext(1) },
			[]httpfault.Action{httpfault.Reset, httpfault.None}},
		{"reset after", func(fs *httpfault.Faults) { fs.ResetAfterNext(1) },
			[]httpfault.Action{httpfault.ResetAfter, httpfault.None}},
		{"precedence", func(fs *httpfault.Faults) {
			fs.SetFailureRate(1)
			fs.FailNext(1)
			fs.Force429(1, time.Second)
			fs.HangNext(1)
			fs.ResetAfterNext(1)
			fs.ResetNext(1)
		}, []httpfault.Action{
			httpfault.Reset, httpfault.ResetAfter, httpfault.Hang, httpfault.TooMany, httpfault.Fail, httpfault.Fail,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var fs httpfault.Faults
			tt.setup(&fs)
			var got []httpfault.Action
			for range tt.want {
				got = append(got, fs.Take().Action)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got actions %v; want %v", got, tt.want)
			}
		})
	}
}

func TestTakeRetryAfter(t *testing.T) {
	t.Parallel()
	var fs httpfault.Faults
	fs.Force429(1, 1500*time.Millisecond)
	if got := fs.Take(); got.Action != httpfault.TooMany || got.RetryAfter != 1500*time.Millisecond {
		t.Errorf("got %v after %v; want %v after 1.5s", got.Action, got.RetryAfter, httpfault.TooMany)
	}
}

// server is a fake whose Provider answers 500 "fail", 429 "too many" and
// 200 "ok". It notes each fault taken and each request its handler served.
type server struct {
	faults  httpfault.Faults
	p       httpfault.Provider
	srv     *httptest.Server
	took    chan struct{}
	served  chan struct{}
	reports chan error
}

func newServer(t *testing.T) *server {
	t.Helper()
	s := &server{took: make(chan struct{}, 10), served: make(chan struct{}, 10), reports: make(chan error, 10)}
	stop := make(chan struct{})
	s.p = httpfault.Provider{
		Fail: func(w http.ResponseWriter) { http.Error(w, "fail", http.StatusInternalServerError) },
		TooMany: func(w http.ResponseWriter, retryAfter time.Duration) {
			w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
			http.Error(w, "too many", http.StatusTooManyRequests)
		},
		Next: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			s.served <- struct{}{}
			_, _ = io.WriteString(w, "ok")
		}),
		Report: func(err error) { s.reports <- err },
		Stop:   stop,
	}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ft := s.faults.Take()
		s.took <- struct{}{}
		s.p.Serve(w, r, ft)
	}))
	t.Cleanup(func() {
		close(stop)
		s.srv.Close()
	})
	return s
}

func (s *server) get(timeout time.Duration) (status int, body, retryAfter string, err error) {
	c := &http.Client{Timeout: timeout}
	resp, err := c.Get(s.srv.URL)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Retry-After"), err
}

func TestServe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		setup       func(*httpfault.Faults)
		wantStatus  int // 0: a transport error
		wantBody    string
		wantRetry   string
		wantTimeout bool
		wantServed  int
	}{
		{"none", func(*httpfault.Faults) {}, 200, "ok", "", false, 1},
		{"fail", func(fs *httpfault.Faults) { fs.FailNext(1) }, 500, "fail\n", "", false, 0},
		{"429", func(fs *httpfault.Faults) { fs.Force429(1, 3*time.Second) }, 429, "too many\n", "3", false, 0},
		{"hang", func(fs *httpfault.Faults) { fs.HangNext(1) }, 0, "", "", true, 0},
		{"reset", func(fs *httpfault.Faults) { fs.ResetNext(1) }, 0, "", "", false, 0},
		{"reset after", func(fs *httpfault.Faults) { fs.ResetAfterNext(1) }, 0, "", "", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			tt.setup(&s.faults)
			status, body, retry, err := s.get(200 * time.Millisecond)
			if tt.wantStatus == 0 {
				var ue *url.Error
				if !errors.As(err, &ue) || ue.Timeout() != tt.wantTimeout {
					t.Fatalf("got error %v; want a transport error with Timeout()=%v", err, tt.wantTimeout)
				}
			} else if err != nil || status != tt.wantStatus || body != tt.wantBody || retry != tt.wantRetry {
				t.Errorf("got %d %q Retry-After %q error %v; want %d %q %q", status, body, retry, err, tt.wantStatus, tt.wantBody, tt.wantRetry)
			}
			if got := len(s.served); got != tt.wantServed {
				t.Errorf("got %d requests served; want %d", got, tt.wantServed)
			}
			if len(s.reports) > 0 {
				t.Errorf("got report %v; want none", <-s.reports)
			}
			// Every fault is one-shot: the next request goes through.
			if status, body, _, err := s.get(5 * time.Second); err != nil || status != 200 || body != "ok" {
				t.Errorf("next: got %d %q error %v; want 200 \"ok\"", status, body, err)
			}
		})
	}
}

func TestReleaseHung(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.faults.HangNext(1)
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		status, _, _, err := s.get(10 * time.Second)
		done <- result{status, err}
	}()
	select {
	case <-s.took:
	case <-time.After(5 * time.Second):
		t.Fatal("the request never reached the server")
	}
	select {
	case r := <-done:
		t.Fatalf("got %d error %v before the release; want the request held", r.status, r.err)
	case <-time.After(50 * time.Millisecond):
	}
	s.faults.ReleaseHung()
	if r := <-done; r.err != nil || r.status != 200 {
		t.Errorf("released: got %d error %v; want 200", r.status, r.err)
	}
}

func TestResetUnhijackable(t *testing.T) {
	t.Parallel()
	var fs httpfault.Faults
	var got error
	p := httpfault.Provider{Report: func(err error) { got = err }}
	fs.ResetNext(1)
	p.Serve(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), fs.Take())
	if want := "cannot hijack *httptest.ResponseRecorder to reset it"; got == nil || got.Error() != want {
		t.Errorf("got report %v; want %q", got, want)
	}
}
