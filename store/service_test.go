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
	requested, err := svc.RequestApproval(ctx, "UAUTHOR", c.ID)
	if err != nil {
		t.Fatalf("RequestApproval: %v", err)
	}
	tick()
	if _, err := svc.Approve(ctx, "UAUTHOR", c.ID, requested.Version); comms.ErrorCode(err) != comms.EFORBIDDEN {
		t.Errorf("Approve by the author = %v; want EFORBIDDEN", err)
	}
	if _, err := svc.Approve(ctx, "UAPPROVER", c.ID, requested.Version-1); comms.ErrorCode(err) != comms.ECONFLICT {
		t.Errorf("Approve of a version the approver did not see = %v; want ECONFLICT", err)
	}
	if _, err := svc.Approve(ctx, "UAPPROVER", c.ID, requested.Version); err != nil {
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
	if got.State != comms.StateSuperseded {
		t.Errorf("superseded comm is %s; want superseded (finished, nothing of it delivered)", got.State)
	}
	rows, _ := svc.Deliveries(ctx, first.ID)
	if len(rows) != 1 || rows[0].State != comms.DeliverySuperseded || rows[0].SupersededBy != second.ID {
		t.Errorf("first comm's rows = %+v; want one superseded by %s", rows, second.ID)
	}
	tl, _ := svc.Timeline(ctx, inc.ID)
	if last := tl[len(tl)-1]; last.Kind != comms.KindDeliverySummary || !strings.Contains(last.Text, "replaced by a newer update") {
		t.Errorf("last timeline entry = %s %q; want a delivery summary saying it was replaced", last.Kind, last.Text)
	}
}

// TestServiceScheduledComm checks that a scheduled comm changes nothing
// people see until it has gone out, and can be cancelled until then.
func TestServiceScheduledComm(t *testing.T) {
	db := mustOpen(t)
	now := t0
	svc := &comms.Service{Store: db, Now: func() time.Time { return now },
		Rules: comms.Rules{DefaultRegion: "US", Media: map[comms.Medium]bool{comms.MediumSlack: true}}}
	inc, err := svc.Declare(ctx, "UIC", comms.DeclareInput{Title: "Maintenance", Severity: comms.SEV3})
	if err != nil {
		t.Fatal(err)
	}
	schedule := func(status comms.Status) comms.Comm {
		t.Helper()
		c, err := svc.DraftComm(ctx, "UIC", inc.ID, comms.Input{Audience: comms.Internal, Message: "All clear.", Status: status, Channels: []string{"COPS"}})
		if err != nil {
			t.Fatal(err)
		}
		if c, err = svc.Send(ctx, "UIC", c.ID, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := schedule(comms.Resolved)
	got, _ := svc.Incident(ctx, inc.ID)
	if got.Status != comms.Investigating || got.LatestInternal != "" {
		t.Errorf("after scheduling: incident %s, latest %q; want still investigating with no latest update", got.Status, got.LatestInternal)
	}
	if _, err := svc.Cancel(ctx, "USTRANGER", c.ID); comms.ErrorCode(err) != comms.EFORBIDDEN {
		t.Errorf("cancel by a stranger: %v; want EFORBIDDEN", err)
	}
	if c, err = svc.Cancel(ctx, "UIC", c.ID); err != nil || c.State != comms.StateCancelled {
		t.Fatalf("cancel of a scheduled comm: %v, %s; want cancelled", err, c.State)
	}
	if due, _ := db.Due(ctx, comms.MediumSlack, now.Add(2*time.Hour), 0); len(due) != 0 {
		t.Errorf("a cancelled comm still has %d rows due", len(due))
	}

	// A scheduled comm that goes out becomes the latest update then.
	c = schedule(comms.Monitoring)
	now = now.Add(time.Hour)
	rows, _ := svc.Deliveries(ctx, c.ID)
	if _, ok, err := db.Claim(ctx, rows[0].ID, now, now.Add(time.Minute)); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if _, err := db.UpdateDelivery(ctx, rows[0].ID, func(d *comms.Delivery) error { d.State = comms.DeliverySent; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, done, err := svc.Finish(ctx, c.ID); !done || err != nil {
		t.Fatalf("Finish: %v %v", done, err)
	}
	got, _ = svc.Incident(ctx, inc.ID)
	if got.Status != comms.Monitoring || got.LatestInternal != c.ID {
		t.Errorf("after the scheduled comm went out: incident %s, latest %q; want monitoring and %s", got.Status, got.LatestInternal, c.ID)
	}
}

// TestServiceRetryRefusedAfterNewerUpdate keeps the latest status the last
// one people get: an older comm's failed rows are not resent after a newer
// comm went out.
func TestServiceRetryRefusedAfterNewerUpdate(t *testing.T) {
	db := mustOpen(t)
	svc := &comms.Service{Store: db, Rules: comms.Rules{DefaultRegion: "US", Media: map[comms.Medium]bool{comms.MediumSlack: true}}}
	inc, _ := svc.Declare(ctx, "UIC", comms.DeclareInput{Title: "DB", Severity: comms.SEV2})
	send := func(channel string) comms.Comm {
		c, err := svc.DraftComm(ctx, "UIC", inc.ID, comms.Input{Audience: comms.Internal, Message: "m", Status: comms.Identified, Channels: []string{channel}})
		if err != nil {
			t.Fatal(err)
		}
		c, err = svc.Send(ctx, "UIC", c.ID, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	old := send("CGONE")
	rows, _ := svc.Deliveries(ctx, old.ID)
	db.UpdateDelivery(ctx, rows[0].ID, func(d *comms.Delivery) error { d.State = comms.DeliveryFailedPerm; return nil })
	if c, _, _, _ := svc.Finish(ctx, old.ID); c.State != comms.StatePartiallyFailed {
		t.Fatalf("old comm %s; want partially failed", c.State)
	}
	send("COPS")
	if _, err := svc.RetryFailed(ctx, "UIC", old.ID); comms.ErrorCode(err) != comms.ECONFLICT || !strings.Contains(comms.ErrorMessage(err), "newer update") {
		t.Errorf("retry after a newer update: %v; want ECONFLICT naming the newer update", err)
	}
}

// TestServiceOnlyApproversChangeCommander: the commander approves external
// comms, so making oneself commander must not be open to anyone.
func TestServiceOnlyApproversChangeCommander(t *testing.T) {
	db := mustOpen(t)
	svc := &comms.Service{Store: db, Policy: comms.Policy{Approvers: []string{"UAPPROVER"}}}
	inc, _ := svc.Declare(ctx, "UIC", comms.DeclareInput{Title: "DB", Severity: comms.SEV2})
	if _, err := svc.ChangeCommander(ctx, "UENG", inc.ID, "UENG"); comms.ErrorCode(err) != comms.EFORBIDDEN {
		t.Errorf("an engineer making themselves commander: %v; want EFORBIDDEN", err)
	}
	for _, who := range []string{"UIC", "UAPPROVER"} {
		got, err := svc.ChangeCommander(ctx, who, inc.ID, "UNEW"+who)
		if err != nil || got.Commander != "UNEW"+who {
			t.Errorf("%s handing over: %v, commander %s", who, err, got.Commander)
		}
		if who == "UIC" { // the old commander is no longer one
			if _, err := svc.ChangeCommander(ctx, "UIC", inc.ID, "UIC"); comms.ErrorCode(err) != comms.EFORBIDDEN {
				t.Errorf("former commander taking it back: %v; want EFORBIDDEN", err)
			}
		}
	}
}

// TestServiceUnchangedSubmitKeepsApprovalState: an approver who opens
// someone's comm and submits it unchanged has not edited it, so they may
// still approve it.
func TestServiceUnchangedSubmitKeepsApprovalState(t *testing.T) {
	db := mustOpen(t)
	svc := &comms.Service{Store: db, Policy: comms.Policy{Approvers: []string{"UAPPROVER"}},
		Rules: comms.Rules{DefaultRegion: "US", Media: map[comms.Medium]bool{comms.MediumSlack: true}}}
	inc, _ := svc.Declare(ctx, "UIC", comms.DeclareInput{Title: "DB", Severity: comms.SEV2})
	in := comms.Input{Audience: comms.External, Message: "We are on it.", Status: comms.Identified, Channels: []string{"CSTATUS"}}
	c, err := svc.DraftComm(ctx, "UENG", inc.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	c, _ = svc.RequestApproval(ctx, "UENG", c.ID)
	same, err := svc.UpdateDraft(ctx, "UAPPROVER", c.ID, c.Version, in)
	if err != nil || same.Version != c.Version || same.State != comms.StateAwaitingApproval || same.EditedBy != "UENG" {
		t.Fatalf("unchanged submit: %v, version %d→%d, state %s, edited by %s; want nothing changed", err, c.Version, same.Version, same.State, same.EditedBy)
	}
	if _, err := svc.Approve(ctx, "UAPPROVER", c.ID, same.Version); err != nil {
		t.Errorf("approve after an unchanged submit: %v", err)
	}
}
