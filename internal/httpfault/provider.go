package httpfault

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"time"
)

// Provider is how one fake carries out the faults Take picks: in the
// provider's own words, and on to the fake's handler for what no fault
// stopped.
type Provider struct {
	// Fail writes the provider's 500 answer.
	Fail func(w http.ResponseWriter)
	// TooMany writes the provider's 429 answer, Retry-After header included.
	TooMany func(w http.ResponseWriter, retryAfter time.Duration)
	// Next serves a request no fault stopped, and a ResetAfter request
	// before its answer is dropped.
	Next http.Handler
	// Report is told when a connection could not be reset; fakes fail their
	// test with it.
	Report func(err error)
	// Stop, once closed, ends every hang without an answer.
	Stop <-chan struct{}
}

// Serve carries out ft on one request. A hang ends unanswered when the
// request's context or Stop ends first; when ReleaseHung lets it go, the
// request is served normally.
func (p *Provider) Serve(w http.ResponseWriter, r *http.Request, ft Fault) {
	switch ft.Action {
	case Fail:
		p.Fail(w)
		return
	case TooMany:
		p.TooMany(w, ft.RetryAfter)
		return
	case Hang:
		select {
		case <-ft.release:
		case <-r.Context().Done():
			return
		case <-p.Stop:
			return
		}
	case Reset:
		p.reset(w)
		return
	case ResetAfter:
		p.Next.ServeHTTP(httptest.NewRecorder(), r)
		p.reset(w)
		return
	}
	p.Next.ServeHTTP(w, r)
}

// reset ends w's connection with a TCP reset, so the client cannot tell
// whether its request was acted on.
func (p *Provider) reset(w http.ResponseWriter) {
	if err := resetConn(w); err != nil {
		p.Report(err)
	}
}

func resetConn(w http.ResponseWriter) error {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return fmt.Errorf("cannot hijack %T to reset it", w)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return fmt.Errorf("hijack: %w", err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close with RST, not FIN
	}
	_ = conn.Close()
	return nil
}
