package twiliofake_test

import (
	"errors"
	"net/url"
	"testing"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/herald-comms/herald/internal/twiliofake"
)

func TestAnsweredFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		setup          func(*twiliofake.Fake)
		wantStatus     int
		wantCode       int
		wantRetryAfter string
		wantThrottled  int
	}{
		{"forced 429", func(f *twiliofake.Fake) { f.Force429(1, 1500*time.Millisecond) }, 429, 20429, "2", 1},
		{"fail next", func(f *twiliofake.Fake) { f.FailNext(1) }, 500, 20500, "", 0},
		{"failure rate", func(f *twiliofake.Fake) { f.SetFailureRate(1) }, 500, 20500, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := twiliofake.New(t)
			tt.setup(f)
			api, tr := newAPI(t, f, f.AuthToken, 5*time.Second)
			_, err := api.CreateMessage(params().SetTo(rcpt).SetFrom(from).SetBody("x"))
			te := restError(t, err)
			if te.Code != tt.wantCode || te.Status != tt.wantStatus {
				t.Errorf("got code %d status %d; want %d %d", te.Code, te.Status, tt.wantCode, tt.wantStatus)
			}
			if status, ra := tr.last(); status != tt.wantStatus || ra != tt.wantRetryAfter {
				t.Errorf("got HTTP %d Retry-After %q; want %d %q", status, ra, tt.wantStatus, tt.wantRetryAfter)
			}
			if got := f.Throttled(); got != tt.wantThrottled {
				t.Errorf("got %d 429s counted; want %d", got, tt.wantThrottled)
			}
			if got := len(f.Messages()); got != 0 {
				t.Errorf("got %d messages after a fault; want 0", got)
			}
			if tt.name == "forced 429" { // one-shot: the retry goes through
				if _, err := api.CreateMessage(params().SetTo(rcpt).SetFrom(from).SetBody("x")); err != nil {
					t.Errorf("retry: got %v; want nil", err)
				}
			}
		})
	}
}

func TestReset(t *testing.T) {
	t.Parallel()
	f := twiliofake.New(t)
	f.ResetNext(1)
	api, _ := newAPI(t, f, f.AuthToken, 5*time.Second)
	_, err := api.CreateMessage(params().SetTo(rcpt).SetFrom(from).SetBody("x"))
	var te *twclient.TwilioRestError
	if err == nil || errors.As(err, &te) {
		t.Fatalf("got error %v; want a transport error", err)
	}
	if got := f.Requests(); got != 1 {
		t.Errorf("got %d requests; want 1", got)
	}
}

func TestHangTimesOut(t *testing.T) {
	t.Parallel()
	f := twiliofake.New(t)
	f.HangNext(1)
	api, _ := newAPI(t, f, f.AuthToken, 200*time.Millisecond)
	_, err := api.CreateMessage(params().SetTo(rcpt).SetFrom(from).SetBody("x"))
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Fatalf("got error %v; want a client timeout", err)
	}
	if got := len(f.Messages()); got != 0 {
		t.Errorf("got %d messages; want 0", got)
	}
}

func TestConcurrencyCap(t *testing.T) {
	t.Parallel()
	f := twiliofake.New(t)
	f.SetMaxConcurrent(1)
	f.HangNext(1)
	api, tr := newAPI(t, f, f.AuthToken, 10*time.Second)

	first := make(chan error, 1)
	go func() {
		_, err := api.CreateMessage(params().SetTo(rcpt).SetFrom(from).SetBody("first"))
		first <- err
	}()
	for deadline := time.Now().Add(5 * time.Second); f.InFlight() != 1; {
		if time.Now().After(deadline) {
			t.Fatal("first request never reached the fake")
		}
		time.Sleep(5 * time.Millisecond)
	}

	_, err := api.CreateMessage(params().SetTo(rcpt).SetFrom(from).SetBody("second"))
	te := restError(t, err)
	if te.Code != 20429 || te.Status != 429 {
		t.Errorf("got code %d status %d; want 20429 429", te.Code, te.Status)
	}
	if _, ra := tr.last(); ra == "" {
		t.Error("got no Retry-After on 20429; want one")
	}

	f.ReleaseHung()
	if err := <-first; err != nil {
		t.Errorf("held request: got %v; want nil", err)
	}
	if got, want := f.Throttled(), 1; got != want {
		t.Errorf("got %d 429s; want %d", got, want)
	}
	if got := f.Inbox(rcpt); len(got) != 1 || got[0].Body != "first" {
		t.Errorf("got inbox %+v; want only the first message", got)
	}
}

func TestResetAfterServing(t *testing.T) {
	t.Parallel()
	f := twiliofake.New(t)
	f.ResetAfterNext(1)
	api, _ := newAPI(t, f, f.AuthToken, 5*time.Second)
	_, err := api.CreateMessage(params().SetTo(rcpt).SetFrom(from).SetBody("x"))
	var te *twclient.TwilioRestError
	if err == nil || errors.As(err, &te) {
		t.Fatalf("got error %v; want a transport error", err)
	}
	inbox := f.Inbox(rcpt)
	if len(inbox) != 1 {
		t.Fatalf("got %d messages; want the one created before the reset", len(inbox))
	}
	msgs, err := api.ListMessage((&openapi.ListMessageParams{}).SetTo(rcpt).SetFrom(from))
	if err != nil {
		t.Fatalf("list after the reset: %v", err)
	}
	if len(msgs) != 1 || *msgs[0].Sid != inbox[0].SID {
		t.Errorf("got %d listed; want the created %s", len(msgs), inbox[0].SID)
	}
	if got, want := [2]int{f.Creates(), f.Requests()}, [2]int{1, 2}; got != want {
		t.Errorf("got creates and requests %v; want %v", got, want)
	}
}
