package store

import (
	"bytes"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/herald-comms/herald/comms"
)

func TestTimelineChain(t *testing.T) {
	db := mustOpen(t)
	inc := mustIncident(t, db, "Checkout down")
	other := mustIncident(t, db, "Other")
	for i, text := range []string{"one", "two", "three"} {
		if _, err := db.UpdateIncident(ctx, inc.ID, func(ch *comms.IncidentChange) error {
			ch.Entries = append(ch.Entries, comms.Entry(t0, "U1", comms.KindNote, "", "%s", text))
			if i == 2 {
				ch.Entries = append(ch.Entries, comms.Entry(t0, "U1", comms.KindNote, "", "four"))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	tl, err := db.Timeline(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for i, e := range tl {
		texts = append(texts, e.Text)
		if e.Seq != uint64(i+1) || e.IncidentID != inc.ID || e.Hash == "" {
			t.Errorf("entry %d = %+v; want seq %d of %s, sealed", i, e, i+1, inc.ID)
		}
	}
	if got, want := strings.Join(texts, ","), "Declared INC-1,one,two,three,four"; got != want {
		t.Errorf("timeline texts = %s; want %s", got, want)
	}
	if err := comms.VerifyTimeline(tl); err != nil {
		t.Errorf("VerifyTimeline: %v", err)
	}
	if otl, _ := db.Timeline(ctx, other.ID); len(otl) != 1 || otl[0].Seq != 1 || otl[0].PrevHash != "" {
		t.Errorf("other incident's timeline = %+v; want its own chain from seq 1", otl)
	}
	mustCheck(t, db)
}

func TestTimelineTamperDetected(t *testing.T) {
	db := mustOpen(t)
	inc := mustIncident(t, db, "Checkout down")
	for _, text := range []string{"Rolled back the deploy", "Error rate normal"} {
		if _, err := db.UpdateIncident(ctx, inc.ID, func(ch *comms.IncidentChange) error {
			ch.Entries = append(ch.Entries, comms.Entry(t0, "U1", comms.KindNote, "", "%s", text))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Someone edits entry 2 in the file, keeping its stored hash.
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTimeline).Bucket([]byte(inc.ID))
		raw := b.Get(u64(2))
		edited := bytes.Replace(raw, []byte("Rolled back the deploy"), []byte("Nothing happened"), 1)
		if bytes.Equal(raw, edited) {
			t.Fatalf("entry 2 = %s; want the note text in it", raw)
		}
		return b.Put(u64(2), edited)
	})
	if err != nil {
		t.Fatal(err)
	}
	tl, err := db.Timeline(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	err = comms.VerifyTimeline(tl)
	if err == nil || !strings.Contains(err.Error(), "timeline entry 2 (note) does not match its hash") {
		t.Errorf("VerifyTimeline = %v; want entry 2 flagged", err)
	}
	if err := db.Check(ctx); err == nil || !strings.Contains(err.Error(), "INC-1: comms: conflict: timeline entry 2") {
		t.Errorf("Check = %v; want the tampered entry named", err)
	}
}
