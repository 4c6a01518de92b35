package channels_test

import (
	"context"
	"testing"
	"time"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/comms"
)

// TestSMSLeftSendingIsNotTextedTwice is a crash after Twilio accepted a text:
// one row's send succeeded and one's answer was lost on the way back, and
// neither was recorded; a third row was claimed but never sent. At the next
// start the dispatcher finds the first two in Twilio's Messages list and
// marks them sent without a second text; only the third is sent.
func TestSMSLeftSendingIsNotTextedTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Now()
	c := e.queue(t, targets{sms: 3}, now.Add(time.Hour))
	ctx := context.Background()
	inc, err := e.db.Incident(ctx, e.inc.ID)
	must(t, err)

	phones := map[string]int{} // row id -> recipient index
	for id, r := range e.rows(t, c.ID) {
		for i, p := range c.Recipients.SMS {
			if p.Phone == r.Target {
				phones[id] = i
			}
		}
		if _, ok, err := e.db.Claim(ctx, id, now, now.Add(time.Minute)); err != nil || !ok {
			t.Fatalf("claim %s: %v %v", id, ok, err)
		}
		m := channels.Message{Delivery: r, Comm: c, Incident: inc, Rendered: comms.Render(&inc, &c, comms.Links{}, false)}
		switch phones[id] {
		case 0: // accepted and answered; the crash came before the record
			if _, err := e.senders[comms.MediumSMS].Send(ctx, m); err != nil {
				t.Fatalf("send %s: %v", id, err)
			}
		case 1: // accepted, answer lost
			e.twilio.ResetAfterNext(1)
			if _, err := e.senders[comms.MediumSMS].Send(ctx, m); channels.Classify(err).Class != channels.Ambiguous {
				t.Fatalf("send %s: got %v; want an ambiguous failure", id, err)
			}
		}
	}
	if n := len(e.twilio.Messages()); n != 2 {
		t.Fatalf("got %d texts before the restart; want 2", n)
	}

	d, _ := e.start(t, testConfig())
	d.Notify()
	if got := e.waitComm(t, c.ID, 10*time.Second); got.State != comms.StateSent {
		t.Fatalf("got comm %s; want sent", got.State)
	}
	e.checkOnce(t, c.Recipients)
	for id, r := range e.rows(t, c.ID) {
		i := phones[id]
		want := 1 // the attempt before the crash arrived; finding it is no attempt
		if i == 2 {
			want = 2 // the claim that sent nothing, then the send
		}
		if r.State != comms.DeliverySent || r.Attempts != want {
			t.Errorf("row %s: got %s after %d attempts; want sent after %d", id, r.State, r.Attempts, want)
		}
		inbox := e.twilio.Inbox(c.Recipients.SMS[i].Phone)
		if len(inbox) == 1 && r.ProviderRef != inbox[0].SID {
			t.Errorf("row %s: got ref %q; want the text's SID %q", id, r.ProviderRef, inbox[0].SID)
		}
	}
}
