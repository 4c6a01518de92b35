package store

import (
	"strings"
	"testing"
	"time"

	"github.com/herald-comms/herald/comms"
)

// TestServiceEndToEnd runs the comms workflow on the real store: the comms
// package cannot import store, so this is where the two meet.
func TestServiceEndToEnd(t *testing.T) {
	db := mustOpen(t)
	now := t0
	svc := &comms.Service{
		Store:   db,
		Rules:   comms.Rules{DefaultRegion: "US", Media: map[comms.Medium]bool{comms.MediumSlack: true, comms.MediumEmail: true, comms.MediumSMS: true}, StatuspageActive: true},
		Policy:  comms.Policy{Approvers: []string{"UAPPROVER"}},
		Cadence: map[comms.Severity]time.Duration{comms.SEV2: 30 * time.Minute},
		Now:     func() time.Time { return now },
	}
	tick := func() { now = now.Add(time.Second) }

	inc, err := svc.Declare(ctx, "UIC", comms.DeclareInput{Title: "Checkout down", Severity: comms.SEV2})
	if err != nil {
		t.Fatalf("Declare: %v", err)
	}
	tick()
	if _, err := svc.AttachSlack(ctx, inc.ID, comms.SlackRefs{Channel: "CINC", ChannelName: "inc-1-checkout-down", SummaryTS: "1.1"}); err != nil {
		t.Fatalf("AttachSlack: %v", err)
	}
	if got, err := svc.IncidentByChannel(ctx, "CINC"); err != nil || got.ID != inc.ID {
		t.Fatalf("IncidentByChannel = %s, %v; want %s", got.ID, err, inc.ID)
	}
	tick()
	c, err := svc.DraftComm(ctx, "UAUTHOR", inc.ID, comms.Input{
		Audience: comms.External, Message: "Checkout is failing for some customers.", Status: comms.Identified,
		Emails: "ops@example.com, cto@example.com", Channels: []string{"CSTATUS"},
		Statuspage: &comms.StatuspageTarget{CreateTitle: "Checkout errors", Notify: true},
	})
	if err != nil {
		t.Fatalf("DraftComm: %v", err)
	}
	tick()
	if _, err := svc.RequestApproval(ctx, "UAUTHOR", c.ID); err != nil {
		t.Fatalf("RequestApproval: %v", err)
	}
	tick()
	if _, err := svc.Approve(ctx, "UAUTHOR", c.ID); comms.ErrorCode(err) != comms.EFORBIDDEN {
		t.Errorf("Approve by the author = %v; want EFORBIDDEN", err)
	}
	if _, err := svc.Approve(ctx, "UAPPROVER", c.ID); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	tick()
	sendAt := now
	c, err = svc.Send(ctx, "UAUTHOR", c.ID, time.Time{})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if c.State != comms.StateSending {
		t.Errorf("comm state after Send = %s; want sending", c.State)
	}
	got, err := svc.Incident(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != comms.Identified || got.LatestExternal != c.ID || !got.LastCommAt.Equal(sendAt) {
		t.Errorf("incident after Send = %+v; want identified, latest external %s", got, c.ID)
	}

	// The dispatcher's view: four rows queued, due now.
	var queued []comms.Delivery
	for _, m := range comms.Media {
		ds, err := db.Due(ctx, m, now, 0)
		if err != nil {
			t.Fatal(err)
		}
		queued = append(queued, ds...)
	}
	if len(queued) != 4 {
		t.Fatalf("queued %d deliveries (%v); want 4", len(queued), ids(queued))
	}
	if _, _, done, err := svc.Finish(ctx, c.ID); err != nil || done {
		t.Errorf("Finish with rows pending = done %t, %v; want not done", done, err)
	}
	tick()
	for _, d := range queued {
		if _, ok, err := db.Claim(ctx, d.ID, now, now.Add(time.Minute)); !ok || err != nil {
			t.Fatalf("Claim(%s) = %t, %v", d.ID, ok, err)
		}
		if _, err := db.UpdateDelivery(ctx, d.ID, func(d *comms.Delivery) error {
			d.State, d.SentAt, d.UpdatedAt, d.Deadline, d.ProviderRef = comms.DeliverySent, now, now, time.Time{}, "ref-"+d.Target
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	tick()
	c, counts, done, err := svc.Finish(ctx, c.ID)
	if err != nil || !done {
		t.Fatalf("Finish = done %t, %v; want done", done, err)
	}
	if c.State != comms.StateSent || !c.CompletedAt.Equal(now) {
		t.Errorf("comm after Finish = %s completed %v; want sent at %v", c.State, c.CompletedAt, now)
	}
	if want := (comms.Counts{Sent: 2}); counts[comms.MediumEmail] != want {
		t.Errorf("e-mail counts = %+v; want %+v", counts[comms.MediumEmail], want)
	}

	tl, err := svc.Timeline(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := comms.VerifyTimeline(tl); err != nil {
		t.Errorf("VerifyTimeline: %v", err)
	}
	var kinds []string
	for _, e := range tl {
		kinds = append(kinds, e.Kind)
	}
	wantKinds := []string{comms.KindDeclared, comms.KindCommDrafted, comms.KindApprovalRequested, comms.KindCommApproved,
		comms.KindStatusChanged, comms.KindCommSent, comms.KindDeliverySummary}
	if strings.Join(kinds, " ") != strings.Join(wantKinds, " ") {
		t.Errorf("timeline kinds = %v; want %v", kinds, wantKinds)
	}
	last := tl[len(tl)-1]
	if want := "INC-1 update #1 delivered: slack 1 sent; email 2 sent; statuspage 1 sent"; last.Text != want || last.CommID != c.ID {
		t.Errorf("delivery summary = %q (comm %s); want %q", last.Text, last.CommID, want)
	}
	if s, _ := db.Stats(ctx); s.Due != 0 || s.Sending != 0 || s.Deliveries != 4 {
		t.Errorf("stats = %+v; want 4 deliveries, none due or sending", s)
	}
	mustCheck(t, db)
}

// TestServiceSupersededCommFinishes checks that a comm whose every row a
// newer comm replaced does not stay "sending" for ever.
func TestServiceSupersededCommFinishes(t *testing.T) {
	db := mustOpen(t)
	svc := &comms.Service{Store: db, Rules: comms.Rules{DefaultRegion: "US", Media: map[comms.Medium]bool{comms.MediumSlack: true}}}
	inc, err := svc.Declare(ctx, "UIC", comms.DeclareInput{Title: "API slow", Severity: comms.SEV3})
	if err != nil {
		t.Fatal(err)
	}
	send := func(msg string) comms.Comm {
		t.Helper()
		c, err := svc.DraftComm(ctx, "UIC", inc.ID, comms.Input{Audience: comms.Internal, Message: msg, Status: comms.Identified, Channels: []string{"COPS"}})
		if err != nil {
			t.Fatal(err)
		}
		if c, err = svc.Send(ctx, "UIC", c.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := send("Looking into it.")
	second := send("Found it: a bad cache node.")
	got, err := svc.Comm(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != comms.StateSent {
		t.Errorf("superseded comm is %s; want sent (finished, nothing left to deliver)", got.State)
	}
	rows, _ := svc.Deliveries(ctx, first.ID)
	if len(rows) != 1 || rows[0].State != comms.DeliverySuperseded || rows[0].SupersededBy != second.ID {
		t.Errorf("first comm's rows = %+v; want one superseded by %s", rows, second.ID)
	}
	tl, _ := svc.Timeline(ctx, inc.ID)
	if last := tl[len(tl)-1]; last.Kind != comms.KindDeliverySummary || !strings.Contains(last.Text, "1 superseded") {
		t.Errorf("last timeline entry = %s %q; want a delivery summary with 1 superseded", last.Kind, last.Text)
	}
}
