package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-comms/herald/comms"
)

// t0 is the tests' "now": fixed, in UTC, so times survive JSON unchanged.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

var ctx = context.Background()

// mustOpen opens a fresh database in a temporary directory, closed at the
// end of the test.
func mustOpen(tb testing.TB) *DB {
	tb.Helper()
	return mustOpenAt(tb, filepath.Join(tb.TempDir(), "herald.db"))
}

// mustOpenAt opens the database at path with fsync off, closed at the end
// of the test unless the test closes it first.
func mustOpenAt(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// mustCheck fails the test when Check finds a problem.
func mustCheck(tb testing.TB, db *DB) {
	tb.Helper()
	if err := db.Check(ctx); err != nil {
		tb.Fatalf("Check: %v", err)
	}
}

// mustIncident declares an incident the way comms.Service does.
func mustIncident(tb testing.TB, db *DB, title string) comms.Incident {
	tb.Helper()
	inc, err := db.CreateIncident(ctx, func(ch *comms.IncidentChange) error {
		i := ch.Incident
		i.Title, i.Severity, i.Status, i.Commander = title, comms.SEV2, comms.Investigating, "U1"
		i.DeclaredBy, i.DeclaredAt, i.UpdatedAt = "U1", t0, t0
		ch.Entries = append(ch.Entries, comms.Entry(t0, "U1", comms.KindDeclared, "", "Declared %s", i.ID))
		return nil
	})
	if err != nil {
		tb.Fatalf("CreateIncident: %v", err)
	}
	return inc
}

// mustSend drafts a comm to r and queues its deliveries, due at due.
func mustSend(tb testing.TB, db *DB, incidentID string, r comms.Recipients, due time.Time) (comms.Comm, []comms.Delivery) {
	tb.Helper()
	c, err := db.CreateComm(ctx, incidentID, func(ch *comms.CommChange) error {
		ch.Incident.CommCount++
		c := ch.Comm
		c.Number, c.Audience, c.Message, c.Status = ch.Incident.CommCount, comms.Internal, "We are looking into it.", comms.Investigating
		c.Recipients, c.State, c.Author, c.CreatedAt, c.UpdatedAt, c.Version = r, comms.StateDraft, "U1", t0, t0, 1
		return nil
	})
	if err != nil {
		tb.Fatalf("CreateComm: %v", err)
	}
	c, err = db.UpdateComm(ctx, c.ID, func(ch *comms.CommChange) error {
		if err := ch.Comm.Send(comms.Actor{ID: "U1"}, t0, time.Time{}); err != nil {
			return err
		}
		ch.NewDeliveries = comms.Deliveries(ch.Comm, due, due, due.Add(time.Hour)) // queued when due: sent now, not scheduled
		return nil
	})
	if err != nil {
		tb.Fatalf("UpdateComm(send): %v", err)
	}
	ds, err := db.Deliveries(ctx, c.ID)
	if err != nil {
		tb.Fatalf("Deliveries: %v", err)
	}
	return c, ds
}

// channels returns recipients of the given Slack channels.
func channels(ids ...string) comms.Recipients { return comms.Recipients{Channels: ids} }

func ids(ds []comms.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}
