package twiliofake_test

import (
	"github.com/herald-comms/herald/internal/testkit"
	"strings"
	"testing"
	"time"

	"github.com/herald-comms/herald/internal/twiliofake"
)

func TestRateQueuesBySegments(t *testing.T) {
	t.Parallel()
	f := twiliofake.New(t)
	c := testkit.NewClock(time.Unix(1e9, 0))
	f.SetClock(c.Now)
	f.SetRate(from, 1)
	api, _ := newAPI(t, f, f.AuthToken, 5*time.Second)

	bodies := []string{"one", strings.Repeat("two ", 50), "three"} // 1, 2 and 1 segments
	for _, b := range bodies {
		m, err := api.CreateMessage(params().SetTo(rcpt).SetFrom(from).SetBody(b))
		if err != nil {
			t.Fatalf("CreateMessage: got %v; want nil", err)
		}
		if *m.Status != "queued" {
			t.Errorf("got status %q; want queued", *m.Status)
		}
	}
	t0 := c.Now()
	msgs := f.Messages()
	wantSent := []time.Duration{0, time.Second, 3 * time.Second}
	for i, m := range msgs {
		if got := m.SentAt.Sub(t0); got != wantSent[i] {
			t.Errorf("message %d: got sent at +%v; want +%v", i, got, wantSent[i])
		}
	}

	c.Advance(1500 * time.Millisecond)
	var got []string
	for _, m := range f.Messages() {
		got = append(got, m.Status)
	}
	if want := "sent sent queued"; strings.Join(got, " ") != want {
		t.Errorf("at +1.5s got statuses %v; want %s", got, want)
	}
}

func TestValidityPeriodExpires(t *testing.T) {
	t.Parallel()
	f := twiliofake.New(t)
	c := testkit.NewClock(time.Unix(1e9, 0))
	f.SetClock(c.Now)
	f.SetRate(mg, 0.1) // 10 s per segment
	api, _ := newAPI(t, f, f.AuthToken, 5*time.Second)

	for _, vp := range []int{0, 5, 0} {
		p := params().SetTo(rcpt).SetMessagingServiceSid(mg).SetBody("x")
		if vp > 0 {
			p.SetValidityPeriod(vp)
		}
		if _, err := api.CreateMessage(p); err != nil {
			t.Fatalf("CreateMessage: got %v; want nil", err)
		}
	}
	c.Advance(6 * time.Second)
	msgs := f.Messages()
	if msgs[1].Status != "failed" || msgs[1].ErrorCode != 30036 {
		t.Errorf("got expired message %s/%d; want failed/30036", msgs[1].Status, msgs[1].ErrorCode)
	}
	if got := msgs[2].SentAt.Sub(msgs[0].SentAt); got != 10*time.Second {
		t.Errorf("got third message %v after the first; want 10s (the expired one takes no slot)", got)
	}
}

func TestServiceQueueOverflow(t *testing.T) {
	t.Parallel()
	f := twiliofake.New(t)
	f.SetClock(testkit.NewClock(time.Unix(1e9, 0)).Now)
	f.SetRate(mg, 1)
	f.SetQueueWindow(0)
	api, _ := newAPI(t, f, f.AuthToken, 5*time.Second)

	for i, want := range []string{"accepted", "failed"} {
		m, err := api.CreateMessage(params().SetTo(rcpt).SetMessagingServiceSid(mg).SetBody("x"))
		if err != nil {
			t.Fatalf("CreateMessage %d: got %v; want nil (a service accepts, then drops)", i, err)
		}
		if *m.Status != want {
			t.Errorf("message %d: got status %q; want %q", i, *m.Status, want)
		}
		if want == "failed" && (m.ErrorCode == nil || *m.ErrorCode != 30001) {
			t.Errorf("message %d: got error_code %v; want 30001", i, m.ErrorCode)
		}
	}
}
