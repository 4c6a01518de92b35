package channels_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/comms"
)

// benchLane is one lane of BenchmarkComm: the provider's rate, set at the
// fake and matched by the lane's limiter, and the comm's targets on it.
type benchLane struct {
	medium comms.Medium
	rate   float64 // per second
	n      int
}

// BenchmarkComm sends one comm to 20 channels, 300 e-mail addresses, 100 SMS
// recipients and a new Statuspage incident through the fakes, with the
// fakes' rates set to known values and each lane's limiter matched to them,
// and compares the completion time with the bound of limits.md §7:
// T = max over lanes of (L + N/R), L being the fake's measured round trip.
func BenchmarkComm(b *testing.B) {
	lanes := []benchLane{
		{comms.MediumSlack, 20, 20},    // chat.postMessage 20/s at the fake
		{comms.MediumEmail, 100, 300},  // 100 recipients/s (the SMTP fake has no limit; the lane holds it)
		{comms.MediumSMS, 50, 100},     // Twilio 50 MPS
		{comms.MediumStatuspage, 1, 1}, // 1 request/s per key
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b)
		e.slack.RateLimit("chat.postMessage", 20, time.Second)
		e.twilio.SetRate(smsFrom, 50)
		e.sp.SetRate(1, 1)
		ps, err := newStatuspageSender(e) // the sender's own 1 request/s bucket, as in production
		must(b, err)
		e.senders[comms.MediumStatuspage] = ps

		rtt := e.roundTrips(b)

		cfg := channels.Config{Lanes: map[comms.Medium]channels.Lane{}, RetryBase: 200 * time.Millisecond}
		bound := 0.0
		for _, l := range lanes {
			conc := max(4, int(l.rate*rtt[l.medium].Seconds()*2)+1) // Little's law, doubled
			cfg.Lanes[l.medium] = channels.Lane{Rate: rate.Limit(l.rate), Burst: 1, Concurrency: conc}
			bound = max(bound, rtt[l.medium].Seconds()+float64(l.n)/l.rate)
		}
		d, stop := e.start(b, cfg)
		time.Sleep(1100 * time.Millisecond) // the warm-up's rate windows pass
		b.StartTimer()
		// Timed from the queueing transaction, as the app does it: queue,
		// then Notify.
		start := time.Now()
		c := e.queue(b, targets{channels: 20, emails: 300, sms: 100, statuspage: true}, start.Add(time.Hour))
		d.Notify()
		got := e.waitComm(b, c.ID, 60*time.Second)
		took := time.Since(start).Seconds()
		b.StopTimer()
		stop()
		if got.State != comms.StateSent {
			b.Fatalf("got comm %s; want sent", got.State)
		}
		e.checkOnce(b, c.Recipients)
		slack429 := 0
		for _, call := range e.slack.CallLog("chat.postMessage") {
			if call.Status == 429 {
				slack429++
			}
		}
		limited := e.twilio.Throttled() + e.sp.Throttled() + slack429
		b.ReportMetric(took, "s/comm")
		b.ReportMetric(bound, "bound-s")
		b.ReportMetric(took/bound, "ratio")
		b.ReportMetric(float64(limited), "429s")
		fmt.Printf("comm 20ch/300mail/100sms/1sp: %.2fs, bound %.2fs, ratio %.3f, 429s %d (slack %d, twilio %d, statuspage %d; L: slack %s, email %s, sms %s, statuspage %s)\n",
			took, bound, took/bound, limited, slack429, e.twilio.Throttled(), e.sp.Throttled(), rtt[comms.MediumSlack].Round(time.Microsecond), rtt[comms.MediumEmail].Round(time.Microsecond),
			rtt[comms.MediumSMS].Round(time.Microsecond), rtt[comms.MediumStatuspage].Round(time.Microsecond))
		b.StartTimer()
	}
}

// roundTrips measures L per lane: one provider call to a target outside the
// comm (a warm-up channel, address and number; a Statuspage search), the
// median of three.
func (e *env) roundTrips(tb testing.TB) map[comms.Medium]time.Duration {
	tb.Helper()
	ctx := context.Background()
	c := comms.Comm{ID: "C-0", IncidentID: e.inc.ID, Number: 0, Audience: comms.External, Status: comms.Identified,
		Message: "Warming up.", Recipients: comms.Recipients{Statuspage: &comms.StatuspageTarget{CreateTitle: "Warm-up"}}}
	warm := e.slack.AddChannel("warm-up", 0, e.slack.BotUserID)
	inc, err := e.db.Incident(ctx, e.inc.ID)
	must(tb, err)
	msg := func(m comms.Medium, target string) channels.Message {
		d := comms.Delivery{ID: comms.DeliveryID("C-0", m, target), CommID: "C-0", IncidentID: inc.ID, Medium: m, Target: target, CreatedAt: time.Now()}
		return channels.Message{Delivery: d, Comm: c, Incident: inc, Rendered: comms.Render(&inc, &c, comms.Links{}, false)}
	}
	calls := map[comms.Medium]func() error{
		comms.MediumSlack: func() error {
			_, err := e.senders[comms.MediumSlack].Send(ctx, msg(comms.MediumSlack, warm.ID()))
			return err
		},
		comms.MediumEmail: func() error {
			_, err := e.senders[comms.MediumEmail].Send(ctx, msg(comms.MediumEmail, "warm-up@example.com"))
			return err
		},
		comms.MediumSMS: func() error {
			_, err := e.senders[comms.MediumSMS].Send(ctx, msg(comms.MediumSMS, "+19995550000"))
			return err
		},
		comms.MediumStatuspage: func() error {
			_, _, err := e.senders[comms.MediumStatuspage].(channels.Reconciler).Reconcile(ctx, msg(comms.MediumStatuspage, comms.StatuspageTargetKey))
			return err
		},
	}
	out := map[comms.Medium]time.Duration{}
	for m, call := range calls {
		var ds []time.Duration
		for range 3 {
			start := time.Now()
			must(tb, call())
			ds = append(ds, time.Since(start))
			if m == comms.MediumStatuspage {
				time.Sleep(1100 * time.Millisecond) // stay under the fake's 1/s
			}
		}
		out[m] = median(ds)
	}
	return out
}

func median(ds []time.Duration) time.Duration {
	for i := range ds {
		for j := i + 1; j < len(ds); j++ {
			if ds[j] < ds[i] {
				ds[i], ds[j] = ds[j], ds[i]
			}
		}
	}
	return ds[len(ds)/2]
}
