package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/herald-comms/herald/comms"
)

var _ comms.Store = (*DB)(nil)

// CreateIncident numbers a new incident, lets fn fill it in and stores it
// with fn's timeline entries, all in one transaction.
func (db *DB) CreateIncident(ctx context.Context, fn func(*comms.IncidentChange) error) (comms.Incident, error) {
	if err := ctx.Err(); err != nil {
		return comms.Incident{}, err
	}
	var inc comms.Incident
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		n, err := tx.Bucket(bucketIncidents).NextSequence()
		if err != nil {
			return fmt.Errorf("store: number incident: %w", err)
		}
		inc = comms.Incident{ID: comms.IncidentID(n), Number: n}
		ch := &comms.IncidentChange{Incident: &inc}
		if err := fn(ch); err != nil {
			return err
		}
		if err := sameIncident(&inc, comms.IncidentID(n), n); err != nil {
			return err
		}
		if err := putIncident(tx, nil, &inc); err != nil {
			return err
		}
		return appendEntries(tx, inc.ID, ch.Entries)
	})
	if err != nil {
		return comms.Incident{}, err
	}
	return inc, nil
}

// UpdateIncident runs fn on a fresh copy of the incident and stores the
// result with fn's timeline entries, all in one transaction.
func (db *DB) UpdateIncident(ctx context.Context, id string, fn func(*comms.IncidentChange) error) (comms.Incident, error) {
	if err := ctx.Err(); err != nil {
		return comms.Incident{}, err
	}
	var inc comms.Incident
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := loadIncident(tx, id)
		if err != nil {
			return err
		}
		inc = old
		ch := &comms.IncidentChange{Incident: &inc}
		if err := fn(ch); err != nil {
			return err
		}
		if err := sameIncident(&inc, old.ID, old.Number); err != nil {
			return err
		}
		if err := putIncident(tx, &old, &inc); err != nil {
			return err
		}
		return appendEntries(tx, inc.ID, ch.Entries)
	})
	if err != nil {
		return comms.Incident{}, err
	}
	return inc, nil
}

// Incident returns the incident with id, or ENOTFOUND.
func (db *DB) Incident(ctx context.Context, id string) (comms.Incident, error) {
	if err := ctx.Err(); err != nil {
		return comms.Incident{}, err
	}
	var inc comms.Incident
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		inc, err = loadIncident(tx, id)
		return err
	})
	return inc, err
}

// IncidentByChannel returns the incident whose Slack channel is channelID,
// or ENOTFOUND.
func (db *DB) IncidentByChannel(ctx context.Context, channelID string) (comms.Incident, error) {
	if err := ctx.Err(); err != nil {
		return comms.Incident{}, err
	}
	var inc comms.Incident
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		id := tx.Bucket(bucketIncidentChannels).Get([]byte(channelID))
		if channelID == "" || id == nil {
			return comms.Errorf(comms.ENOTFOUND, "This channel is not an incident channel. Run the command in the incident's channel, or name the incident.")
		}
		inc, err = loadIncident(tx, string(id))
		return err
	})
	return inc, err
}

// Incidents returns every incident, ordered by number.
func (db *DB) Incidents(ctx context.Context) ([]comms.Incident, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []comms.Incident
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketIncidents).ForEach(func(k, _ []byte) error {
			var inc comms.Incident
			if _, err := get(tx.Bucket(bucketIncidents), k, &inc); err != nil {
				return err
			}
			out = append(out, inc)
			return nil
		})
	})
	// Keys sort as text (INC-10 before INC-2), so order by number here.
	slices.SortFunc(out, func(a, b comms.Incident) int { return cmp.Compare(a.Number, b.Number) })
	return out, err
}

func loadIncident(tx *bolt.Tx, id string) (comms.Incident, error) {
	var inc comms.Incident
	ok, err := get(tx.Bucket(bucketIncidents), []byte(id), &inc)
	switch {
	case err != nil:
		return inc, err
	case !ok || id == "":
		return inc, comms.Errorf(comms.ENOTFOUND, "There is no incident %s.", id)
	}
	return inc, nil
}

// sameIncident guards the key fields a change function must not touch.
func sameIncident(inc *comms.Incident, id string, n uint64) error {
	if inc.ID != id || inc.Number != n {
		return fmt.Errorf("store: a change to %s altered its id or number (%s, %d)", id, inc.ID, n)
	}
	return nil
}

// putIncident stores inc and keeps the channel index in step with its
// channel. old is the stored version, nil for a new incident.
func putIncident(tx *bolt.Tx, old, inc *comms.Incident) error {
	idx := tx.Bucket(bucketIncidentChannels)
	if old != nil && old.Channel != inc.Channel && old.Channel != "" {
		if string(idx.Get([]byte(old.Channel))) == inc.ID {
			if err := idx.Delete([]byte(old.Channel)); err != nil {
				return fmt.Errorf("store: unindex channel: %w", err)
			}
		}
	}
	if inc.Channel != "" && (old == nil || old.Channel != inc.Channel) {
		if other := idx.Get([]byte(inc.Channel)); other != nil && string(other) != inc.ID {
			return comms.Errorf(comms.ECONFLICT, "That channel already belongs to %s.", other)
		}
		if err := idx.Put([]byte(inc.Channel), []byte(inc.ID)); err != nil {
			return fmt.Errorf("store: index channel: %w", err)
		}
	}
	return put(tx.Bucket(bucketIncidents), []byte(inc.ID), inc)
}
