package store

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/herald-comms/herald/comms"
)

func TestCommRoundTrip(t *testing.T) {
	db := mustOpen(t)
	inc := mustIncident(t, db, "Checkout down")
	full := comms.Comm{
		Number: 1, Audience: comms.External, Message: "*Checkout* is degraded.\nWe are on it.", Status: comms.Identified,
		Recipients: comms.Recipients{
			Emails: []string{"ops@example.com"}, Audiences: []string{"execs"},
			SMS:        []comms.Person{{Name: "Ann", SlackUser: "U7", Phone: "+14155550100", Email: "ann@example.com"}},
			Channels:   []string{"C1", "C2"},
			Statuspage: &comms.StatuspageTarget{IncidentID: "sp1", IncidentName: "Checkout", Notify: true},
		},
		IncludeLink: true, Corrects: "C-0", State: comms.StateApproved, Version: 3, Author: "U1",
		CreatedAt: t0, UpdatedAt: t0.Add(time.Minute), RequestedBy: "U1", Approver: "U2", ApprovedAt: t0.Add(time.Minute),
		SentBy: "U1", SentAt: t0.Add(2 * time.Minute), SendAt: t0.Add(time.Hour), CompletedAt: t0.Add(3 * time.Minute),
		ApprovalCard: comms.MessageRef{Channel: "C100", TS: "1.2"},
	}
	created, err := db.CreateComm(ctx, inc.ID, func(ch *comms.CommChange) error {
		if ch.Comm.ID != "C-1" || ch.Comm.IncidentID != inc.ID {
			t.Errorf("fn got comm %s of %s; want C-1 of %s", ch.Comm.ID, ch.Comm.IncidentID, inc.ID)
		}
		if ch.Deliveries != nil {
			t.Errorf("a new comm has deliveries %+v; want none", ch.Deliveries)
		}
		c := full
		c.ID, c.IncidentID = ch.Comm.ID, ch.Comm.IncidentID
		*ch.Comm = c
		ch.Incident.CommCount = 1
		ch.Entries = append(ch.Entries, comms.Entry(t0, "U1", comms.KindCommDrafted, c.ID, "drafted"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := full
	want.ID, want.IncidentID = "C-1", inc.ID
	if !reflect.DeepEqual(created, want) {
		t.Errorf("CreateComm = %+v; want %+v", created, want)
	}
	got, err := db.Comm(ctx, "C-1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Comm = %+v; want %+v", got, want)
	}
	if i, _ := db.Incident(ctx, inc.ID); i.CommCount != 1 {
		t.Errorf("incident CommCount = %d; want 1 (CreateComm writes the incident back)", i.CommCount)
	}
	tl, _ := db.Timeline(ctx, inc.ID)
	if len(tl) != 2 || tl[1].Kind != comms.KindCommDrafted || tl[1].CommID != "C-1" || tl[1].IncidentID != inc.ID {
		t.Errorf("timeline = %+v; want declared, comm_drafted of C-1", tl)
	}

	// Queue every medium's row, then change them all.
	_, err = db.UpdateComm(ctx, "C-1", func(ch *comms.CommChange) error {
		ch.NewDeliveries = comms.Deliveries(ch.Comm, t0, t0, t0.Add(time.Hour))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := db.Deliveries(ctx, "C-1")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []string{"C-1/slack/C1", "C-1/slack/C2", "C-1/email/ops@example.com", "C-1/sms/+14155550100", "C-1/statuspage/incident"}
	if got := ids(ds); !reflect.DeepEqual(got, wantIDs) {
		t.Errorf("Deliveries = %v; want %v (queue order)", got, wantIDs)
	}
	wantRow := comms.Delivery{
		ID: "C-1/sms/+14155550100", CommID: "C-1", IncidentID: inc.ID, Medium: comms.MediumSMS,
		Target: "+14155550100", TargetName: "Ann", State: comms.DeliverySent, Attempts: 2, NotBefore: t0,
		Deadline: t0.Add(time.Minute), GiveUpAt: t0.Add(time.Hour), LastError: "timeout", ProviderRef: "SM123",
		CreatedAt: t0, UpdatedAt: t0.Add(time.Minute), SentAt: t0.Add(time.Minute),
	}
	_, err = db.UpdateComm(ctx, "C-1", func(ch *comms.CommChange) error {
		for i := range ch.Deliveries {
			if ch.Deliveries[i].ID == wantRow.ID {
				ch.Deliveries[i] = wantRow
			} else {
				ch.Deliveries[i].State = comms.DeliveryFailedPerm
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ds, _ = db.Deliveries(ctx, "C-1")
	for _, d := range ds {
		switch {
		case d.ID == wantRow.ID && !reflect.DeepEqual(d, wantRow):
			t.Errorf("row = %+v; want %+v", d, wantRow)
		case d.ID != wantRow.ID && d.State != comms.DeliveryFailedPerm:
			t.Errorf("row %s state = %s; want failed_perm", d.ID, d.State)
		}
	}
	mustCheck(t, db)
}

func TestCommsInCreationOrder(t *testing.T) {
	db := mustOpen(t)
	a, b := mustIncident(t, db, "a"), mustIncident(t, db, "b")
	var wantA []string
	for i := range 11 {
		inc := a
		if i%3 == 0 {
			inc = b
		}
		c, _ := mustSend(t, db, inc.ID, channels("C1"), t0)
		if inc.ID == a.ID {
			wantA = append(wantA, c.ID)
		}
	}
	cs, err := db.Comms(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cs {
		got = append(got, c.ID)
	}
	if !reflect.DeepEqual(got, wantA) {
		t.Errorf("Comms(%s) = %v; want %v", a.ID, got, wantA)
	}
}

func TestUpdateCommRejectsBadRows(t *testing.T) {
	db := mustOpen(t)
	inc := mustIncident(t, db, "a")
	c, ds := mustSend(t, db, inc.ID, channels("C1"), t0)
	tests := []struct {
		name string
		fn   func(ch *comms.CommChange)
		want string
	}{
		{"duplicate new row", func(ch *comms.CommChange) {
			ch.NewDeliveries = append(ch.NewDeliveries, ds[0])
		}, "already exists"},
		{"foreign row written back", func(ch *comms.CommChange) {
			ch.Deliveries = append(ch.Deliveries, comms.Delivery{ID: "C-9/slack/C1", CommID: "C-9"})
		}, "is not one of C-1's rows"},
		{"new row of another comm", func(ch *comms.CommChange) {
			ch.NewDeliveries = append(ch.NewDeliveries, comms.Delivery{ID: "C-9/slack/C1", CommID: "C-9", Medium: comms.MediumSlack})
		}, "belongs to"},
		{"changed comm id", func(ch *comms.CommChange) { ch.Comm.ID = "C-7" }, "altered its id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.UpdateComm(ctx, c.ID, func(ch *comms.CommChange) error {
				ch.Comm.Message = "changed"
				tt.fn(ch)
				return nil
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v; want one containing %q", err, tt.want)
			}
			if got, _ := db.Comm(ctx, c.ID); got.Message == "changed" {
				t.Error("the comm changed despite the error")
			}
		})
	}
	mustCheck(t, db)
}

func TestSupersede(t *testing.T) {
	tests := []struct {
		old  comms.DeliveryState
		want comms.DeliveryState
	}{
		{comms.DeliveryPending, comms.DeliverySuperseded},
		{comms.DeliveryFailedTemp, comms.DeliverySuperseded},
		{comms.DeliverySending, comms.DeliverySending},
		{comms.DeliveryUnknown, comms.DeliveryUnknown},
		{comms.DeliverySent, comms.DeliverySent},
		{comms.DeliveryFailedPerm, comms.DeliveryFailedPerm},
	}
	for _, tt := range tests {
		t.Run(string(tt.old), func(t *testing.T) {
			db := mustOpen(t)
			inc, other := mustIncident(t, db, "a"), mustIncident(t, db, "b")
			old, oldRows := mustSend(t, db, inc.ID, comms.Recipients{Channels: []string{"C1", "C2"}, Emails: []string{"a@example.com"}}, t0)
			_, otherRows := mustSend(t, db, other.ID, channels("C1"), t0)
			for _, d := range oldRows {
				if _, err := db.UpdateDelivery(ctx, d.ID, func(d *comms.Delivery) error {
					d.State = tt.old
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}

			// The newer comm goes to C1 and the e-mail address, not to C2.
			newer, newRows := mustSend(t, db, inc.ID, comms.Recipients{Channels: []string{"C1"}, Emails: []string{"a@example.com"}}, t0.Add(time.Minute))
			got, _ := db.Deliveries(ctx, old.ID)
			wantState := map[string]comms.DeliveryState{
				"C-1/slack/C1": tt.want, "C-1/email/a@example.com": tt.want, "C-1/slack/C2": tt.old,
			}
			for _, d := range got {
				if d.State != wantState[d.ID] {
					t.Errorf("old row %s state = %s; want %s", d.ID, d.State, wantState[d.ID])
				}
				wantBy := ""
				if d.State == comms.DeliverySuperseded {
					wantBy = newer.ID
				}
				if d.SupersededBy != wantBy {
					t.Errorf("old row %s SupersededBy = %q; want %q", d.ID, d.SupersededBy, wantBy)
				}
			}
			for _, d := range newRows {
				if d.State != comms.DeliveryPending {
					t.Errorf("new row %s state = %s; want pending", d.ID, d.State)
				}
			}
			if got, _ := db.Deliveries(ctx, otherRows[0].CommID); got[0].State != comms.DeliveryPending {
				t.Errorf("another incident's row to C1 is %s; want pending", got[0].State)
			}
			mustCheck(t, db)
		})
	}
}

// TestScheduledCommLeavesEarlierRows: a comm scheduled for later does not
// supersede rows due before it, nor does a comm sent now supersede it.
func TestScheduledCommLeavesEarlierRows(t *testing.T) {
	db := mustOpen(t)
	inc := mustIncident(t, db, "a")
	old, _ := mustSend(t, db, inc.ID, channels("C1"), t0)
	c, err := db.CreateComm(ctx, inc.ID, func(ch *comms.CommChange) error {
		ch.Comm.Number, ch.Comm.Audience, ch.Comm.Recipients, ch.Comm.State, ch.Comm.Author = 2, comms.Internal, channels("C1"), comms.StateDraft, "U1"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	if _, err := db.UpdateComm(ctx, c.ID, func(ch *comms.CommChange) error {
		ch.NewDeliveries = comms.Deliveries(ch.Comm, t0, later, later.Add(time.Hour))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows, _ := db.Deliveries(ctx, old.ID)
	if rows[0].State != comms.DeliveryPending {
		t.Errorf("row due now after a comm scheduled for later: %s; want still pending", rows[0].State)
	}
	mustSend(t, db, inc.ID, channels("C1"), t0.Add(time.Minute))
	rows, _ = db.Deliveries(ctx, c.ID)
	if rows[0].State != comms.DeliveryPending {
		t.Errorf("scheduled row after a comm sent now: %s; want still pending", rows[0].State)
	}
}
