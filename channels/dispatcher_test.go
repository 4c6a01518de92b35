package channels_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/internal/slackfake"
)

func TestCommReachesEveryTargetOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		timeout time.Duration // SendTimeout: what a hang costs
		faults  func(e *env)
	}{
		{name: "clean", timeout: 3 * time.Second},
		{name: "with faults", timeout: time.Second, faults: func(e *env) {
			e.slack.SetFault("chat.postMessage", slackfake.Fault{Status: 500, Times: 3})
			e.slack.SetFault("conversations.history", slackfake.Fault{Status: 503, Times: 1})
			e.twilio.FailNext(3)
			e.twilio.Force429(2, time.Second)
			e.twilio.HangNext(1)
			e.twilio.ResetNext(1)
			e.smtp.TempFailNext(3)
			e.smtp.DropNext(2)
			e.sp.FailNext(1)
			e.sp.HangNext(1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			if tt.faults != nil {
				tt.faults(e)
			}
			now := time.Now()
			c := e.queue(t, targets{channels: 20, emails: 300, sms: 100, statuspage: true, member: func(i int) bool { return i%2 == 0 }}, now.Add(time.Hour))
			cfg := testConfig()
			for m, l := range cfg.Lanes {
				l.MaxAttempts, l.SendTimeout = 6, tt.timeout
				cfg.Lanes[m] = l
			}
			d, _ := e.start(t, cfg)
			d.Notify()
			got := e.waitComm(t, c.ID, 30*time.Second)
			if got.State != comms.StateSent {
				rows := e.rows(t, c.ID)
				for _, r := range rows {
					if r.State != comms.DeliverySent {
						t.Errorf("row %s: %s after %d attempts: %s", r.ID, r.State, r.Attempts, r.LastError)
					}
				}
				t.Fatalf("got comm %s; want sent", got.State)
			}
			e.checkOnce(t, c.Recipients)
			for id, r := range e.rows(t, c.ID) {
				if r.ProviderRef == "" || r.SentAt.IsZero() {
					t.Errorf("row %s: got ref %q, sent at %v; want both set", id, r.ProviderRef, r.SentAt)
				}
			}
			inc, err := e.db.Incident(context.Background(), e.inc.ID)
			must(t, err)
			if sp := e.sp.Incidents(); len(sp) == 1 && (inc.StatuspageIncidentID != sp[0].ID || inc.StatuspageShortlink != sp[0].Shortlink) {
				t.Errorf("got incident attached to %q %q; want %q %q", inc.StatuspageIncidentID, inc.StatuspageShortlink, sp[0].ID, sp[0].Shortlink)
			}
			e.mu.Lock()
			calls := e.finished[c.ID]
			e.mu.Unlock()
			if calls < 1 || calls > 421/4 {
				t.Errorf("got %d Finished calls for 421 rows; want at least one, coalesced", calls)
			}
		})
	}
}

func TestRestartLosesAndDoublesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Now()
	c := e.queue(t, targets{channels: 6, emails: 40, sms: 40, statuspage: true}, now.Add(time.Hour))
	e.twilio.HangNext(1)
	e.slack.SetFault("chat.postMessage", slackfake.Fault{Hang: true, Times: 1})

	cfg := testConfig()
	cfg.Lanes[comms.MediumSMS] = channels.Lane{Rate: 40, Burst: 1, Concurrency: 4, SendTimeout: 5 * time.Second}
	cfg.Lanes[comms.MediumEmail] = channels.Lane{Rate: 40, Burst: 1, Concurrency: 4}
	cfg.Lanes[comms.MediumSlack] = channels.Lane{Rate: 5, Burst: 1, Concurrency: 2, SendTimeout: 5 * time.Second}
	cfg.ShutdownGrace = 100 * time.Millisecond
	for round := range 3 {
		d, stop := e.start(t, cfg)
		d.Notify()
		time.Sleep(300 * time.Millisecond)
		stop()
		counts := comms.CountDeliveries(mapValues(e.rows(t, c.ID)))
		t.Logf("after run %d: %s", round+1, comms.FormatCounts(counts))
	}
	d, _ := e.start(t, testConfig())
	d.Notify()
	if got := e.waitComm(t, c.ID, 20*time.Second); got.State != comms.StateSent {
		t.Fatalf("got comm %s; want sent", got.State)
	}
	e.checkOnce(t, c.Recipients)
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestRowsLeftSendingAreReconciledBeforeAnyResend(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Now()
	c := e.queue(t, targets{channels: 2, sms: 1, statuspage: true}, now.Add(time.Hour))
	ctx := context.Background()

	// A previous run posted to the first channel and created the
	// Statuspage incident, then died before recording either; it had
	// claimed the SMS row but never sent it.
	rows := e.rows(t, c.ID)
	inc, err := e.db.Incident(ctx, e.inc.ID)
	must(t, err)
	for _, r := range rows {
		if _, ok, err := e.db.Claim(ctx, r.ID, now, now.Add(time.Minute)); err != nil || !ok {
			t.Fatalf("claim %s: %v %v", r.ID, ok, err)
		}
		if r.Medium == comms.MediumSMS || (r.Medium == comms.MediumSlack && r.Target == c.Recipients.Channels[1]) {
			continue
		}
		m := channels.Message{Delivery: r, Comm: c, Incident: inc, Rendered: comms.Render(&inc, &c, comms.Links{}, false)}
		if _, err := e.senders[r.Medium].Send(ctx, m); err != nil {
			t.Fatalf("send %s: %v", r.ID, err)
		}
	}

	d, _ := e.start(t, testConfig())
	d.Notify()
	if got := e.waitComm(t, c.ID, 10*time.Second); got.State != comms.StateSent {
		t.Fatalf("got comm %s; want sent", got.State)
	}
	e.checkOnce(t, c.Recipients)
	for _, r := range e.rows(t, c.ID) {
		want := 1 // the lost attempt arrived; reconciling it is no attempt
		if r.Medium == comms.MediumSMS || r.Target == c.Recipients.Channels[1] {
			want = 2 // the lost one and the resend
		}
		if r.Attempts != want {
			t.Errorf("row %s: got %d attempts; want %d", r.ID, r.Attempts, want)
		}
	}
	if n := e.slack.Calls("conversations.history"); n != 2 {
		t.Errorf("got %d conversations.history calls; want 2, one per channel row", n)
	}
}

func TestSupersededRowsAreNotSent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Now()
	tg := targets{channels: 3, emails: 5, sms: 5}
	old := e.queue(t, tg, now.Add(time.Hour))
	newer := e.queue(t, tg, now.Add(time.Hour))

	d, _ := e.start(t, testConfig())
	d.Notify()
	if got := e.waitComm(t, newer.ID, 10*time.Second); got.State != comms.StateSent {
		t.Fatalf("got comm %s; want sent", got.State)
	}
	e.checkOnce(t, newer.Recipients)
	for _, ch := range newer.Recipients.Channels {
		if _, ids := e.heraldPosts(ch); len(ids) != 1 || ids[0] != newer.ID {
			t.Errorf("channel %s: got posts of %v; want only %s", ch, ids, newer.ID)
		}
	}
	for id, r := range e.rows(t, old.ID) {
		if r.State != comms.DeliverySuperseded || r.Attempts != 0 {
			t.Errorf("row %s: got %s after %d attempts; want superseded, never tried", id, r.State, r.Attempts)
		}
	}
}

func TestGivingUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		tg       targets
		fault    func(e *env)
		giveUp   time.Duration
		want     string // LastError prefix
		requests func(e *env) int
		max      int // at most this many provider requests
	}{
		{name: "retryable, attempts cap", tg: targets{emails: 1}, want: "gave up after 3 attempts:",
			fault: func(e *env) { e.smtp.TempFailNext(1000) }},
		{name: "ambiguous, attempts cap", tg: targets{sms: 1}, want: "gave up after 3 attempts",
			fault: func(e *env) { e.twilio.FailNext(1000) }, requests: func(e *env) int { return e.twilio.Creates() }, max: 1},
		{name: "comm deadline", tg: targets{emails: 1}, giveUp: 300 * time.Millisecond, want: "gave up after",
			fault: func(e *env) { e.smtp.TempFailNext(1000) }},
		{name: "permanent", tg: targets{sms: 1}, want: "Person 0 (+14155550000) has opted out of SMS",
			fault: func(e *env) { e.twilio.RejectTo("+14155550000", 21610) }, requests: func(e *env) int { return e.twilio.Requests() }, max: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tt.fault(e)
			now := time.Now()
			giveUp := tt.giveUp
			if giveUp == 0 {
				giveUp = time.Hour
			}
			c := e.queue(t, tt.tg, now.Add(giveUp))
			cfg := testConfig()
			cfg.RetryBase, cfg.RetryMax = 100*time.Millisecond, 200*time.Millisecond
			d, _ := e.start(t, cfg)
			d.Notify()
			if got := e.waitComm(t, c.ID, 10*time.Second); got.State != comms.StatePartiallyFailed {
				t.Fatalf("got comm %s; want partially_failed", got.State)
			}
			for id, r := range e.rows(t, c.ID) {
				if r.State != comms.DeliveryFailedPerm || !strings.HasPrefix(r.LastError, tt.want) {
					t.Errorf("row %s: got %s %q; want failed_perm %q…", id, r.State, r.LastError, tt.want)
				}
			}
			if tt.requests != nil {
				if got := tt.requests(e); got > tt.max {
					t.Errorf("got %d provider requests; want at most %d", got, tt.max)
				}
			}
		})
	}
}

func TestSlowLaneDoesNotHoldUpOthers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Now()
	c := e.queue(t, targets{channels: 5, emails: 50, sms: 6}, now.Add(time.Hour))
	cfg := testConfig()
	// 6 SMS at one every 4 s take at least 20 s; Slack and e-mail must not
	// wait for them. The check is on order (what is sent when the fast lanes
	// are done), not on elapsed time, so a slow machine cannot fail it.
	cfg.Lanes[comms.MediumSMS] = channels.Lane{Rate: 0.25, Burst: 1, Concurrency: 2}
	d, _ := e.start(t, cfg)
	d.Notify()
	deadline := time.Now().Add(15 * time.Second)
	for {
		counts := comms.CountDeliveries(mapValues(e.rows(t, c.ID)))
		if counts[comms.MediumSlack].Sent == 5 && counts[comms.MediumEmail].Sent == 50 {
			if n := counts[comms.MediumSMS].Sent; n == 6 {
				t.Errorf("Slack and e-mail finished only after all %d SMS; want them done while the SMS lane is still draining", n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Slack and e-mail not done while SMS drains: %s", comms.FormatCounts(counts))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRateLimitPausesTheLane(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.slack.RateLimit("chat.postMessage", 4, time.Second)
	now := time.Now()
	c := e.queue(t, targets{channels: 12}, now.Add(time.Hour))
	cfg := testConfig()
	cfg.Lanes[comms.MediumSlack] = channels.Lane{Rate: 100, Burst: 20, Concurrency: 4}
	d, _ := e.start(t, cfg)
	d.Notify()
	if got := e.waitComm(t, c.ID, 15*time.Second); got.State != comms.StateSent {
		t.Fatalf("got comm %s; want sent", got.State)
	}
	e.checkOnce(t, c.Recipients)
	limited := 0
	for _, call := range e.slack.CallLog("chat.postMessage") {
		if call.Status == 429 {
			limited++
		}
	}
	// 12 posts at 4 per second need 3 windows; a lane that pauses on the
	// first 429 of a window meets at most its concurrency of them.
	if limited > 3*4 {
		t.Errorf("got %d 429s; want the lane to pause instead of hammering (≤ 12)", limited)
	}
	for _, r := range e.rows(t, c.ID) {
		if r.Attempts != 1 {
			t.Errorf("row %s: got %d attempts; want 1 (429s are not attempts)", r.ID, r.Attempts)
		}
	}
}

func TestUnconfiguredMediumFailsItsRows(t *testing.T) {
	t.Parallel()
	const why = "SMS is not configured on this Herald (no Twilio credentials)."
	tests := []struct {
		name  string
		setup func(t *testing.T, e *env, c comms.Comm) // the rows as an earlier run with SMS left them
		want  string                                   // the SMS rows' LastError
		tries int                                      // and Attempts
	}{
		{name: "queued", want: why},
		{name: "scheduled, due after the start", want: why, setup: func(t *testing.T, e *env, c comms.Comm) {
			for _, r := range e.rows(t, c.ID) {
				if r.Medium == comms.MediumSMS {
					_, err := e.db.UpdateDelivery(context.Background(), r.ID, func(x *comms.Delivery) error {
						x.NotBefore = time.Now().Add(300 * time.Millisecond)
						return nil
					})
					must(t, err)
				}
			}
		}},
		{name: "left in sending", want: "Herald could not check whether the last attempt arrived: " + why, tries: 1, setup: func(t *testing.T, e *env, c comms.Comm) {
			for _, r := range e.rows(t, c.ID) {
				if r.Medium == comms.MediumSMS {
					if _, ok, err := e.db.Claim(context.Background(), r.ID, time.Now(), time.Now().Add(time.Minute)); err != nil || !ok {
						t.Fatalf("claim %s: %v %v", r.ID, ok, err)
					}
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			c := e.queue(t, targets{channels: 1, sms: 2}, time.Now().Add(time.Hour))
			if tt.setup != nil {
				tt.setup(t, e, c)
			}
			senders := map[comms.Medium]channels.Sender{}
			for m, s := range e.senders {
				if m != comms.MediumSMS {
					senders[m] = s
				}
			}
			d := e.dispatcher(t, testConfig(), senders)
			e.run(t, d)
			d.Notify()
			if got := e.waitComm(t, c.ID, 10*time.Second); got.State != comms.StatePartiallyFailed {
				t.Fatalf("got comm %s; want partially_failed", got.State)
			}
			for id, r := range e.rows(t, c.ID) {
				switch {
				case r.Medium == comms.MediumSMS && (r.State != comms.DeliveryFailedPerm || r.LastError != tt.want || r.Attempts != tt.tries):
					t.Errorf("row %s: got %s after %d attempts, %q; want failed_perm after %d, %q", id, r.State, r.Attempts, r.LastError, tt.tries, tt.want)
				case r.Medium == comms.MediumSlack && r.State != comms.DeliverySent:
					t.Errorf("row %s: got %s; want sent", id, r.State)
				}
			}
			if n := e.twilio.Requests(); n != 0 {
				t.Errorf("got %d Twilio requests; want none", n)
			}
			if e.finishedCalls(c.ID) < 1 {
				t.Errorf("got no Finished call; want the author to get a delivery report")
			}
		})
	}
}

func TestFinishOnRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		when string // before Run, while running, or after Run returned
	}{
		{"before Run", "before"},
		{"while running", "during"},
		{"after Run returned", "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			// A newer comm to the same channel supersedes the old one's
			// row; nothing of the old one is left to send, so only a Finish
			// request completes it.
			old := e.queue(t, targets{channels: 1}, time.Now().Add(time.Hour))
			newer := e.queue(t, targets{channels: 1}, time.Now().Add(time.Hour))
			d := e.dispatcher(t, testConfig(), e.senders)
			switch tt.when {
			case "before":
				d.Finish(old.ID)
				e.run(t, d)
			case "during":
				e.run(t, d)
				d.Finish(old.ID)
			case "after":
				stop := e.run(t, d)
				d.Notify()
				e.waitComm(t, newer.ID, 10*time.Second)
				stop()
				d.Finish(old.ID)
				if n := e.finishedCalls(old.ID); n != 0 {
					t.Errorf("got %d Finished calls with no Run; want none until the next Run", n)
				}
				e.run(t, d)
			}
			d.Notify()
			if got := e.waitComm(t, old.ID, 10*time.Second); got.State != comms.StateSuperseded {
				t.Errorf("got comm %s; want superseded (all its rows superseded)", got.State)
			}
			if n := e.finishedCalls(old.ID); n != 1 {
				t.Errorf("got %d Finished calls; want 1", n)
			}
		})
	}
}
