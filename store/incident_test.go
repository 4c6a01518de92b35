package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/herald-comms/herald/comms"
)

func TestIncidentRoundTrip(t *testing.T) {
	db := mustOpen(t)
	full := comms.Incident{
		Title: "Checkout down", Severity: comms.SEV1, Status: comms.Identified, Commander: "U2",
		DeclaredBy: "U1", DeclaredAt: t0, UpdatedAt: t0.Add(time.Minute), ResolvedAt: t0.Add(time.Hour),
		Channel: "C100", ChannelName: "inc-1-checkout-down", SummaryTS: "1700000000.000100",
		Permalink: "https://example.slack.com/archives/C100/p1", StatuspageIncidentID: "sp1",
		StatuspageShortlink: "https://stspg.io/x", LastCommAt: t0.Add(2 * time.Minute),
		NextUpdateDue: t0.Add(32 * time.Minute), LatestInternal: "C-1", LatestExternal: "C-2", CommCount: 2,
	}
	created, err := db.CreateIncident(ctx, func(ch *comms.IncidentChange) error {
		if ch.Incident.ID != "INC-1" || ch.Incident.Number != 1 {
			t.Errorf("fn got %s (%d); want INC-1 (1)", ch.Incident.ID, ch.Incident.Number)
		}
		id, n := ch.Incident.ID, ch.Incident.Number
		*ch.Incident = full
		ch.Incident.ID, ch.Incident.Number = id, n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := full
	want.ID, want.Number = "INC-1", 1
	if !reflect.DeepEqual(created, want) {
		t.Errorf("CreateIncident = %+v; want %+v", created, want)
	}
	got, err := db.Incident(ctx, "INC-1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Incident = %+v; want %+v", got, want)
	}
	got, err = db.IncidentByChannel(ctx, "C100")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("IncidentByChannel = %+v; want %+v", got, want)
	}

	updated, err := db.UpdateIncident(ctx, "INC-1", func(ch *comms.IncidentChange) error {
		ch.Incident.Title = "Checkout and cart down"
		ch.Incident.Channel = "C200"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want.Title, want.Channel = "Checkout and cart down", "C200"
	if !reflect.DeepEqual(updated, want) {
		t.Errorf("UpdateIncident = %+v; want %+v", updated, want)
	}
	if _, err := db.IncidentByChannel(ctx, "C100"); comms.ErrorCode(err) != comms.ENOTFOUND {
		t.Errorf("IncidentByChannel(old channel) error = %v; want ENOTFOUND", err)
	}
	if got, err := db.IncidentByChannel(ctx, "C200"); err != nil || got.ID != "INC-1" {
		t.Errorf("IncidentByChannel(new channel) = %s, %v; want INC-1", got.ID, err)
	}
	mustCheck(t, db)
}

func TestIncidentNotFound(t *testing.T) {
	db := mustOpen(t)
	mustIncident(t, db, "Checkout down")
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"Incident", func() error { _, err := db.Incident(ctx, "INC-9"); return err }, "There is no incident INC-9."},
		{"UpdateIncident", func() error {
			_, err := db.UpdateIncident(ctx, "INC-9", func(*comms.IncidentChange) error { return nil })
			return err
		}, "There is no incident INC-9."},
		{"Timeline", func() error { _, err := db.Timeline(ctx, "INC-9"); return err }, "There is no incident INC-9."},
		{"Comms", func() error { _, err := db.Comms(ctx, "INC-9"); return err }, "There is no incident INC-9."},
		{"CreateComm", func() error {
			_, err := db.CreateComm(ctx, "INC-9", func(*comms.CommChange) error { return nil })
			return err
		}, "There is no incident INC-9."},
		{"Comm", func() error { _, err := db.Comm(ctx, "C-9"); return err }, "There is no comm C-9."},
		{"Deliveries", func() error { _, err := db.Deliveries(ctx, "C-9"); return err }, "There is no comm C-9."},
		{"IncidentByChannel", func() error { _, err := db.IncidentByChannel(ctx, "C999"); return err },
			"This channel is not an incident channel. Run the command in the incident's channel, or name the incident."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if got := comms.ErrorCode(err); got != comms.ENOTFOUND {
				t.Errorf("code = %q (%v); want %q", got, err, comms.ENOTFOUND)
			}
			if got := comms.ErrorMessage(err); got != tt.want {
				t.Errorf("message = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestIncidentsOrderedByNumber(t *testing.T) {
	db := mustOpen(t)
	for range 12 {
		mustIncident(t, db, "x")
	}
	all, err := db.Incidents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 12 {
		t.Fatalf("got %d incidents; want 12", len(all))
	}
	for i, inc := range all {
		if inc.Number != uint64(i+1) {
			t.Errorf("Incidents()[%d] = %s; want INC-%d", i, inc.ID, i+1)
		}
	}
}

func TestIncidentChannelConflict(t *testing.T) {
	db := mustOpen(t)
	a, b := mustIncident(t, db, "a"), mustIncident(t, db, "b")
	setChannel := func(id, channel string) error {
		_, err := db.UpdateIncident(ctx, id, func(ch *comms.IncidentChange) error {
			ch.Incident.Channel = channel
			return nil
		})
		return err
	}
	if err := setChannel(a.ID, "C1"); err != nil {
		t.Fatal(err)
	}
	err := setChannel(b.ID, "C1")
	if got := comms.ErrorCode(err); got != comms.ECONFLICT {
		t.Errorf("second incident on C1: code %q (%v); want %q", got, err, comms.ECONFLICT)
	}
	if got, _ := db.IncidentByChannel(ctx, "C1"); got.ID != a.ID {
		t.Errorf("IncidentByChannel(C1) = %s; want %s", got.ID, a.ID)
	}
}

func TestFnErrorWritesNothing(t *testing.T) {
	db := mustOpen(t)
	inc := mustIncident(t, db, "Checkout down")
	c, ds := mustSend(t, db, inc.ID, channels("C1"), t0)
	before, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	boom := comms.Errorf(comms.ECONFLICT, "No.")
	tests := []struct {
		name string
		call func() error
	}{
		{"CreateIncident", func() error {
			_, err := db.CreateIncident(ctx, func(ch *comms.IncidentChange) error {
				ch.Incident.Title, ch.Incident.Channel = "nope", "C9"
				ch.Entries = append(ch.Entries, comms.Entry(t0, "U1", comms.KindNote, "", "nope"))
				return boom
			})
			return err
		}},
		{"UpdateIncident", func() error {
			_, err := db.UpdateIncident(ctx, inc.ID, func(ch *comms.IncidentChange) error {
				ch.Incident.Title = "nope"
				ch.Entries = append(ch.Entries, comms.Entry(t0, "U1", comms.KindNote, "", "nope"))
				return boom
			})
			return err
		}},
		{"CreateComm", func() error {
			_, err := db.CreateComm(ctx, inc.ID, func(ch *comms.CommChange) error {
				ch.Incident.CommCount++
				ch.Entries = append(ch.Entries, comms.Entry(t0, "U1", comms.KindNote, "", "nope"))
				return boom
			})
			return err
		}},
		{"UpdateComm", func() error {
			_, err := db.UpdateComm(ctx, c.ID, func(ch *comms.CommChange) error {
				ch.Comm.Message = "nope"
				ch.Deliveries[0].State = comms.DeliverySent
				ch.NewDeliveries = append(ch.NewDeliveries, comms.Delivery{ID: "x", Medium: comms.MediumSlack, Target: "C1", State: comms.DeliveryPending})
				return boom
			})
			return err
		}},
		{"UpdateDelivery", func() error {
			_, err := db.UpdateDelivery(ctx, ds[0].ID, func(d *comms.Delivery) error {
				d.State = comms.DeliverySent
				return boom
			})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err != boom {
				t.Errorf("error = %v; want the fn's error unchanged", err)
			}
		})
	}
	after, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("stats after failed changes = %+v; want %+v", after, before)
	}
	if got, _ := db.Incident(ctx, inc.ID); got.Title != "Checkout down" || got.CommCount != 1 {
		t.Errorf("incident = %q with %d comms; want unchanged", got.Title, got.CommCount)
	}
	if got, _ := db.Comm(ctx, c.ID); got.Message != c.Message {
		t.Errorf("comm message = %q; want %q", got.Message, c.Message)
	}
	if got, _ := db.Deliveries(ctx, c.ID); !reflect.DeepEqual(got, ds) {
		t.Errorf("deliveries = %+v; want %+v", got, ds)
	}
	if tl, _ := db.Timeline(ctx, inc.ID); len(tl) != 1 {
		t.Errorf("timeline has %d entries; want 1", len(tl))
	}
	// Sequences consumed by the failed transactions were rolled back.
	if inc2 := mustIncident(t, db, "next"); inc2.ID != "INC-2" {
		t.Errorf("next incident = %s; want INC-2", inc2.ID)
	}
	if c2, _ := mustSend(t, db, inc.ID, channels("C2"), t0); c2.ID != "C-2" {
		t.Errorf("next comm = %s; want C-2", c2.ID)
	}
	mustCheck(t, db)
}

func TestContextCancelled(t *testing.T) {
	db := mustOpen(t)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.Incidents(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Incidents with a cancelled context: %v; want %v", err, context.Canceled)
	}
}
