package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/herald-comms/herald/comms"
)

// Timeline returns the incident's timeline, oldest first, as stored: callers
// that must trust it run comms.VerifyTimeline (Check does for every incident).
func (db *DB) Timeline(ctx context.Context, incidentID string) ([]comms.TimelineEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []comms.TimelineEntry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if _, err := loadIncident(tx, incidentID); err != nil {
			return err
		}
		var err error
		out, err = readTimeline(tx, incidentID)
		return err
	})
	return out, err
}

func readTimeline(tx *bolt.Tx, incidentID string) ([]comms.TimelineEntry, error) {
	b := tx.Bucket(bucketTimeline).Bucket([]byte(incidentID))
	if b == nil {
		return nil, nil
	}
	var out []comms.TimelineEntry
	err := b.ForEach(func(k, _ []byte) error {
		var e comms.TimelineEntry
		if _, err := get(b, k, &e); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// appendEntries seals entries onto the end of the incident's hash chain and
// stores them, inside the caller's transaction so the chain and the change
// it records commit together.
func appendEntries(tx *bolt.Tx, incidentID string, entries []comms.TimelineEntry) error {
	if len(entries) == 0 {
		return nil
	}
	b, err := tx.Bucket(bucketTimeline).CreateBucketIfNotExists([]byte(incidentID))
	if err != nil {
		return fmt.Errorf("store: timeline of %s: %w", incidentID, err)
	}
	prev := ""
	if k, _ := b.Cursor().Last(); k != nil {
		var last comms.TimelineEntry
		if _, err := get(b, k, &last); err != nil {
			return err
		}
		prev = last.Hash
	}
	for _, e := range entries {
		seq, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("store: timeline of %s: %w", incidentID, err)
		}
		e.IncidentID = incidentID
		e.Seal(seq, prev)
		if err := put(b, u64(seq), e); err != nil {
			return err
		}
		prev = e.Hash
	}
	return nil
}
