package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/herald-comms/herald/comms"
)

// CreateComm numbers a new comm of the incident, lets fn fill it in and
// stores it, the incident and fn's timeline entries in one transaction.
func (db *DB) CreateComm(ctx context.Context, incidentID string, fn func(*comms.CommChange) error) (comms.Comm, error) {
	if err := ctx.Err(); err != nil {
		return comms.Comm{}, err
	}
	var c comms.Comm
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		inc, err := loadIncident(tx, incidentID)
		if err != nil {
			return err
		}
		n, err := tx.Bucket(bucketComms).NextSequence()
		if err != nil {
			return fmt.Errorf("store: number comm: %w", err)
		}
		oldInc := inc
		c = comms.Comm{ID: comms.CommID(n), IncidentID: inc.ID}
		ch := &comms.CommChange{Incident: &inc, Comm: &c}
		if err := fn(ch); err != nil {
			return err
		}
		key := compose(oldInc.ID, u64(n))
		if err := tx.Bucket(bucketIncidentComms).Put(key, []byte(comms.CommID(n))); err != nil {
			return fmt.Errorf("store: index comm %s: %w", comms.CommID(n), err)
		}
		c, err = saveCommChange(tx, &oldInc, comms.Comm{ID: comms.CommID(n), IncidentID: oldInc.ID}, nil, ch)
		return err
	})
	if err != nil {
		return comms.Comm{}, err
	}
	return c, nil
}

// UpdateComm runs fn on fresh copies of the comm, its incident and its
// delivery rows, then stores in one transaction: the comm, the incident,
// every row fn changed, the rows fn queued in NewDeliveries (superseding
// older rows of the incident to the same target that have not left yet)
// and fn's timeline entries.
func (db *DB) UpdateComm(ctx context.Context, id string, fn func(*comms.CommChange) error) (comms.Comm, error) {
	if err := ctx.Err(); err != nil {
		return comms.Comm{}, err
	}
	var c comms.Comm
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := loadComm(tx, id)
		if err != nil {
			return err
		}
		inc, err := loadIncident(tx, old.IncidentID)
		if err != nil {
			return fmt.Errorf("store: comm %s: %w", id, err)
		}
		rows, err := commDeliveries(tx, id)
		if err != nil {
			return err
		}
		oldInc, cur := inc, old
		ch := &comms.CommChange{Incident: &inc, Comm: &cur, Deliveries: cloneDeliveries(rows)}
		if err := fn(ch); err != nil {
			return err
		}
		c, err = saveCommChange(tx, &oldInc, old, rows, ch)
		return err
	})
	if err != nil {
		return comms.Comm{}, err
	}
	return c, nil
}

// saveCommChange writes back what fn left in ch. old is the comm as stored
// (or as numbered, for a new one) and rows its stored delivery rows.
func saveCommChange(tx *bolt.Tx, oldInc *comms.Incident, old comms.Comm, rows []comms.Delivery, ch *comms.CommChange) (comms.Comm, error) {
	if ch.Incident == nil || ch.Comm == nil {
		return comms.Comm{}, fmt.Errorf("store: a change to %s dropped its incident or comm", old.ID)
	}
	inc, c := ch.Incident, ch.Comm
	var err error
	if err := sameIncident(inc, oldInc.ID, oldInc.Number); err != nil {
		return comms.Comm{}, err
	}
	if c.ID != old.ID || c.IncidentID != old.IncidentID {
		return comms.Comm{}, fmt.Errorf("store: a change to %s altered its id or incident", old.ID)
	}
	if err := putIncident(tx, oldInc, inc); err != nil {
		return comms.Comm{}, err
	}
	if err := put(tx.Bucket(bucketComms), []byte(c.ID), c); err != nil {
		return comms.Comm{}, err
	}
	if err := writeBackDeliveries(tx, c.ID, rows, ch.Deliveries); err != nil {
		return comms.Comm{}, err
	}
	if ch.Superseded, err = queueDeliveries(tx, c, ch.NewDeliveries); err != nil {
		return comms.Comm{}, err
	}
	return *c, appendEntries(tx, inc.ID, ch.Entries)
}

// writeBackDeliveries stores each row fn changed; unchanged rows are not
// rewritten, so a read-only fn costs no index churn.
func writeBackDeliveries(tx *bolt.Tx, commID string, stored, changed []comms.Delivery) error {
	byID := make(map[string]*comms.Delivery, len(stored))
	for i := range stored {
		byID[stored[i].ID] = &stored[i]
	}
	for i := range changed {
		d := &changed[i]
		old, ok := byID[d.ID]
		if !ok {
			return fmt.Errorf("store: delivery %s is not one of %s's rows; queue new rows in NewDeliveries", d.ID, commID)
		}
		if d.CommID != old.CommID || d.IncidentID != old.IncidentID {
			return fmt.Errorf("store: a change to delivery %s altered its comm or incident", d.ID)
		}
		if equalJSON(old, d) {
			continue
		}
		if err := writeDelivery(tx, old, d); err != nil {
			return err
		}
	}
	return nil
}

// queueDeliveries inserts a comm's new rows. Each one first supersedes the
// older rows of the incident to the same target that have not left Herald
// yet: the latest status wins, and nobody gets a stale update after a
// newer one.
// It returns the ids of the comms whose rows it superseded.
func queueDeliveries(tx *bolt.Tx, c *comms.Comm, rows []comms.Delivery) (superseded []string, err error) {
	for i := range rows {
		d := rows[i]
		if d.CommID == "" {
			d.CommID = c.ID
		}
		if d.IncidentID == "" {
			d.IncidentID = c.IncidentID
		}
		if d.ID == "" {
			d.ID = comms.DeliveryID(d.CommID, d.Medium, d.Target)
		}
		if d.CommID != c.ID || d.IncidentID != c.IncidentID {
			return nil, fmt.Errorf("store: new delivery %s belongs to %s/%s, not %s/%s", d.ID, d.IncidentID, d.CommID, c.IncidentID, c.ID)
		}
		now := d.UpdatedAt
		if now.IsZero() {
			now = time.Now()
		}
		ids, err := supersede(tx, &d, now)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if !slices.Contains(superseded, id) {
				superseded = append(superseded, id)
			}
		}
		if err := writeDelivery(tx, nil, &d); err != nil {
			return nil, err
		}
	}
	return superseded, nil
}

// supersede marks the open rows of other comms with d's target superseded by
// d's comm, and returns the ids of those comms.
func supersede(tx *bolt.Tx, d *comms.Delivery, now time.Time) (commIDs []string, err error) {
	prefix := compose(d.SupersedeKey())
	var ids []string
	c := tx.Bucket(bucketOpenTargets).Cursor()
	for k, _ := c.Seek(prefix); hasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, string(k[len(prefix):]))
	}
	// Collected first: writeDelivery deletes from the bucket being walked.
	for _, id := range ids {
		old, err := loadDelivery(tx, id)
		if err != nil {
			return nil, fmt.Errorf("store: open target index names %s: %w", id, err)
		}
		// Scheduled updates keep their time: they neither replace the rows of
		// other comms nor are replaced by an update sent now.
		if old.CommID == d.CommID || !supersedable(old.State) || scheduledRow(d) || scheduledRow(&old) {
			continue
		}
		nd := old
		nd.State, nd.SupersededBy, nd.UpdatedAt = comms.DeliverySuperseded, d.CommID, now
		if err := writeDelivery(tx, &old, &nd); err != nil {
			return nil, err
		}
		commIDs = append(commIDs, old.CommID)
	}
	return commIDs, nil
}

// Comm returns the comm with id, or ENOTFOUND.
func (db *DB) Comm(ctx context.Context, id string) (comms.Comm, error) {
	if err := ctx.Err(); err != nil {
		return comms.Comm{}, err
	}
	var c comms.Comm
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		c, err = loadComm(tx, id)
		return err
	})
	return c, err
}

// Comms returns the incident's comms in the order they were drafted.
func (db *DB) Comms(ctx context.Context, incidentID string) ([]comms.Comm, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []comms.Comm
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if _, err := loadIncident(tx, incidentID); err != nil {
			return err
		}
		prefix := compose(incidentID)
		cur := tx.Bucket(bucketIncidentComms).Cursor()
		for k, v := cur.Seek(prefix); hasPrefix(k, prefix); k, v = cur.Next() {
			c, err := loadComm(tx, string(v))
			if err != nil {
				return fmt.Errorf("store: %s lists comm %s: %w", incidentID, v, err)
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// Deliveries returns the comm's delivery rows in the order they were queued.
func (db *DB) Deliveries(ctx context.Context, commID string) ([]comms.Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []comms.Delivery
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if _, err := loadComm(tx, commID); err != nil {
			return err
		}
		var err error
		out, err = commDeliveries(tx, commID)
		return err
	})
	return out, err
}

func loadComm(tx *bolt.Tx, id string) (comms.Comm, error) {
	var c comms.Comm
	ok, err := get(tx.Bucket(bucketComms), []byte(id), &c)
	switch {
	case err != nil:
		return c, err
	case !ok || id == "":
		return c, comms.Errorf(comms.ENOTFOUND, "There is no comm %s.", id)
	}
	return c, nil
}

func cloneDeliveries(ds []comms.Delivery) []comms.Delivery {
	if ds == nil {
		return nil
	}
	return append([]comms.Delivery(nil), ds...)
}

// equalJSON reports whether a and b store the same bytes.
func equalJSON(a, b any) bool {
	ra, errA := json.Marshal(a)
	rb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ra, rb)
}

// scheduledRow reports whether d waits for its comm's scheduled send time
// (rather than for a retry).
func scheduledRow(d *comms.Delivery) bool {
	return d.State == comms.DeliveryPending && d.Attempts == 0 && d.NotBefore.After(d.CreatedAt)
}
