package store

import (
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/herald-comms/herald/comms"
)

func TestDueOrderAndFilter(t *testing.T) {
	db := mustOpen(t)
	inc := mustIncident(t, db, "a")
	// Queued out of time order, across media.
	_, late := mustSend(t, db, inc.ID, comms.Recipients{Channels: []string{"C3"}, Emails: []string{"x@example.com"}}, t0.Add(2*time.Minute))
	_, early := mustSend(t, db, inc.ID, channels("C1"), t0)
	_, mid := mustSend(t, db, inc.ID, channels("C2"), t0.Add(time.Minute))
	_, future := mustSend(t, db, inc.ID, channels("C4"), t0.Add(time.Hour))

	tests := []struct {
		name   string
		medium comms.Medium
		now    time.Time
		limit  int
		want   []string
	}{
		{"all due slack, in due order", comms.MediumSlack, t0.Add(5 * time.Minute), 0,
			[]string{early[0].ID, mid[0].ID, late[0].ID}},
		{"limit", comms.MediumSlack, t0.Add(5 * time.Minute), 2, []string{early[0].ID, mid[0].ID}},
		{"due exactly now", comms.MediumSlack, t0.Add(time.Minute), 0, []string{early[0].ID, mid[0].ID}},
		{"nothing due yet", comms.MediumSlack, t0.Add(-time.Second), 0, nil},
		{"other medium", comms.MediumEmail, t0.Add(5 * time.Minute), 0, []string{late[1].ID}},
		{"empty medium", comms.MediumSMS, t0.Add(5 * time.Hour), 0, nil},
		{"far future", comms.MediumSlack, t0.Add(5 * time.Hour), 0,
			[]string{early[0].ID, mid[0].ID, late[0].ID, future[0].ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Due(ctx, tt.medium, tt.now, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if g := ids(got); !reflect.DeepEqual(g, tt.want) && (len(g) > 0 || len(tt.want) > 0) {
				t.Errorf("Due = %v; want %v", g, tt.want)
			}
		})
	}

	at, ok, err := db.NextDue(ctx, comms.MediumSlack)
	if err != nil || !ok || !at.Equal(t0) {
		t.Errorf("NextDue(slack) = %v, %t, %v; want %v, true", at, ok, err, t0)
	}
	if _, ok, _ := db.NextDue(ctx, comms.MediumSMS); ok {
		t.Error("NextDue(sms) ok = true; want false")
	}
}

func TestClaimAndUpdateKeepIndexes(t *testing.T) {
	db := mustOpen(t)
	inc := mustIncident(t, db, "a")
	_, ds := mustSend(t, db, inc.ID, channels("C1", "C2"), t0)
	a, b := ds[0].ID, ds[1].ID
	deadline := t0.Add(30 * time.Second)

	if _, ok, err := db.Claim(ctx, a, t0.Add(-time.Second), deadline); err != nil || ok {
		t.Errorf("Claim before due = %t, %v; want false", ok, err)
	}
	d, ok, err := db.Claim(ctx, a, t0, deadline)
	if err != nil || !ok {
		t.Fatalf("Claim = %t, %v; want true", ok, err)
	}
	if d.State != comms.DeliverySending || d.Attempts != 1 || !d.Deadline.Equal(deadline) || !d.UpdatedAt.Equal(t0) {
		t.Errorf("claimed row = %+v; want sending, 1 attempt, deadline %v", d, deadline)
	}
	if _, ok, _ := db.Claim(ctx, a, t0, deadline); ok {
		t.Error("second Claim = true; want false")
	}
	mustCheck(t, db)
	if got, _ := db.Due(ctx, comms.MediumSlack, t0.Add(time.Hour), 0); !reflect.DeepEqual(ids(got), []string{b}) {
		t.Errorf("Due after Claim = %v; want [%s]", ids(got), b)
	}
	if got, _ := db.Sending(ctx); !reflect.DeepEqual(ids(got), []string{a}) {
		t.Errorf("Sending after Claim = %v; want [%s]", ids(got), a)
	}

	// A temporary failure returns the row to the due index at its retry time.
	retry := t0.Add(10 * time.Minute)
	if _, err := db.UpdateDelivery(ctx, a, func(d *comms.Delivery) error {
		d.State, d.NotBefore, d.Deadline, d.LastError = comms.DeliveryFailedTemp, retry, time.Time{}, "ratelimited"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, db)
	if got, _ := db.Due(ctx, comms.MediumSlack, t0.Add(time.Hour), 0); !reflect.DeepEqual(ids(got), []string{b, a}) {
		t.Errorf("Due after failed_temp = %v; want [%s %s]", ids(got), b, a)
	}
	if got, _ := db.Sending(ctx); len(got) != 0 {
		t.Errorf("Sending after failed_temp = %v; want none", ids(got))
	}
	if _, ok, _ := db.Claim(ctx, a, t0.Add(time.Minute), deadline); ok {
		t.Error("Claim before the retry time = true; want false")
	}
	d, ok, _ = db.Claim(ctx, a, retry, retry.Add(time.Minute))
	if !ok || d.Attempts != 2 {
		t.Errorf("Claim at retry = %t with %d attempts; want true, 2", ok, d.Attempts)
	}

	// Unknown outcomes wait in the due index for reconciliation.
	if _, err := db.UpdateDelivery(ctx, a, func(d *comms.Delivery) error {
		d.State = comms.DeliveryUnknown
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Due(ctx, comms.MediumSlack, t0.Add(time.Hour), 0); !reflect.DeepEqual(ids(got), []string{b, a}) {
		t.Errorf("Due after unknown = %v; want [%s %s]", ids(got), b, a)
	}

	// Final states leave every index.
	for _, id := range []string{a, b} {
		if _, err := db.UpdateDelivery(ctx, id, func(d *comms.Delivery) error {
			d.State, d.SentAt = comms.DeliverySent, t0
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	mustCheck(t, db)
	if got, _ := db.Due(ctx, comms.MediumSlack, t0.Add(time.Hour), 0); len(got) != 0 {
		t.Errorf("Due after sent = %v; want none", ids(got))
	}
	if _, ok, _ := db.NextDue(ctx, comms.MediumSlack); ok {
		t.Error("NextDue after sent ok = true; want false")
	}
	if _, ok, _ := db.Claim(ctx, a, t0.Add(time.Hour), deadline); ok {
		t.Error("Claim of a sent row = true; want false")
	}
	if _, _, err := db.Claim(ctx, "C-9/slack/C1", t0, deadline); comms.ErrorCode(err) != comms.ENOTFOUND {
		t.Errorf("Claim of a missing row: %v; want ENOTFOUND", err)
	}
	if _, err := db.UpdateDelivery(ctx, a, func(d *comms.Delivery) error {
		d.ID = "other"
		return nil
	}); err == nil {
		t.Error("UpdateDelivery changing the id succeeded; want an error")
	}
}

func TestClaimSuperseded(t *testing.T) {
	db := mustOpen(t)
	inc := mustIncident(t, db, "a")
	_, old := mustSend(t, db, inc.ID, channels("C1"), t0)
	mustSend(t, db, inc.ID, channels("C1"), t0)
	if _, ok, err := db.Claim(ctx, old[0].ID, t0, t0.Add(time.Minute)); err != nil || ok {
		t.Errorf("Claim of a superseded row = %t, %v; want false", ok, err)
	}
}

func TestClaimIsExclusive(t *testing.T) {
	db := mustOpen(t)
	inc := mustIncident(t, db, "a")
	_, ds := mustSend(t, db, inc.ID, channels("C1"), t0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Go(func() {
			_, ok, err := db.Claim(ctx, ds[0].ID, t0, t0.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d of 8 concurrent Claims won; want 1", wins)
	}
}

func TestSendingSurvivesCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	db := mustOpenAt(t, path)
	inc := mustIncident(t, db, "a")
	_, ds := mustSend(t, db, inc.ID, comms.Recipients{Channels: []string{"C1"}, Emails: []string{"a@example.com"}}, t0)
	for _, d := range ds {
		if _, ok, err := db.Claim(ctx, d.ID, t0, t0.Add(time.Minute)); !ok || err != nil {
			t.Fatalf("Claim(%s) = %t, %v", d.ID, ok, err)
		}
	}
	if _, err := db.UpdateDelivery(ctx, ds[1].ID, func(d *comms.Delivery) error {
		d.State = comms.DeliverySent
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The process stops between claiming and recording the Slack outcome.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = mustOpenAt(t, path)
	got, err := db.Sending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != ds[0].ID || got[0].Attempts != 1 || !got[0].Deadline.Equal(t0.Add(time.Minute)) {
		t.Errorf("Sending after restart = %+v; want [%s] with 1 attempt", got, ds[0].ID)
	}
	if due, _ := db.Due(ctx, comms.MediumSlack, t0.Add(time.Hour), 0); len(due) != 0 {
		t.Errorf("Due after restart = %v; want none (sending rows are reconciled, not resent)", ids(due))
	}
	mustCheck(t, db)
}

func TestCheckFindsIndexDrift(t *testing.T) {
	db := mustOpen(t)
	inc := mustIncident(t, db, "a")
	_, ds := mustSend(t, db, inc.ID, channels("C1"), t0)
	mustCheck(t, db)
	// A row whose state changed behind the store's back.
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		d := ds[0]
		d.State = comms.DeliverySent
		return put(tx.Bucket(bucketDeliveries), []byte(d.ID), d)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Check(ctx)
	if err == nil || !strings.Contains(err.Error(), "index due has a stale entry") {
		t.Errorf("Check = %v; want the stale due entry reported", err)
	}
}
