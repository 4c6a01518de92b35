package store

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/herald-comms/herald/comms"
)

func TestBackupOpensWithSameData(t *testing.T) {
	db := mustOpen(t)
	inc := mustIncident(t, db, "Checkout down")
	c, _ := mustSend(t, db, inc.ID, comms.Recipients{Channels: []string{"C1"}, Emails: []string{"a@example.com"}}, t0)
	if _, err := db.DedupSeen(ctx, "env-1", time.Hour, t0); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "backup.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.Backup(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Size() != n || n == 0 {
		t.Errorf("Backup wrote %d bytes, file has %d", n, fi.Size())
	}

	bak := mustOpenAt(t, path)
	mustCheck(t, bak)
	type snapshot struct {
		Incidents  []comms.Incident
		Comms      []comms.Comm
		Deliveries []comms.Delivery
		Timeline   []comms.TimelineEntry
		Stats      Stats
	}
	take := func(db *DB) (s snapshot) {
		t.Helper()
		var err error
		if s.Incidents, err = db.Incidents(ctx); err != nil {
			t.Fatal(err)
		}
		if s.Comms, err = db.Comms(ctx, inc.ID); err != nil {
			t.Fatal(err)
		}
		if s.Deliveries, err = db.Deliveries(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if s.Timeline, err = db.Timeline(ctx, inc.ID); err != nil {
			t.Fatal(err)
		}
		if s.Stats, err = db.Stats(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	got, want := take(bak), take(db)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("backup holds %+v; want %+v", got, want)
	}
	if seen, _ := bak.DedupSeen(ctx, "env-1", time.Hour, t0.Add(time.Minute)); !seen {
		t.Error("the backup forgot envelope env-1")
	}
	if inc2 := mustIncident(t, bak, "next"); inc2.ID != "INC-2" {
		t.Errorf("next incident in the backup = %s; want INC-2", inc2.ID)
	}
}
