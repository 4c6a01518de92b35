package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/herald-comms/herald/comms"
)

// UpdateDelivery runs fn on a fresh copy of one delivery row and stores the
// result in one transaction, moving the row between the due and sending
// indexes as its state says. The dispatcher records outcomes with it.
func (db *DB) UpdateDelivery(ctx context.Context, id string, fn func(*comms.Delivery) error) (comms.Delivery, error) {
	if err := ctx.Err(); err != nil {
		return comms.Delivery{}, err
	}
	var d comms.Delivery
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := loadDelivery(tx, id)
		if err != nil {
			return err
		}
		d = old
		if err := fn(&d); err != nil {
			return err
		}
		if d.ID != old.ID || d.CommID != old.CommID || d.IncidentID != old.IncidentID {
			return fmt.Errorf("store: a change to delivery %s altered its id, comm or incident", id)
		}
		return writeDelivery(tx, &old, &d)
	})
	if err != nil {
		return comms.Delivery{}, err
	}
	return d, nil
}

func loadDelivery(tx *bolt.Tx, id string) (comms.Delivery, error) {
	var d comms.Delivery
	ok, err := get(tx.Bucket(bucketDeliveries), []byte(id), &d)
	switch {
	case err != nil:
		return d, err
	case !ok || id == "":
		return d, comms.Errorf(comms.ENOTFOUND, "There is no delivery %s.", id)
	}
	return d, nil
}

// commDeliveries returns a comm's rows in the order they were queued.
func commDeliveries(tx *bolt.Tx, commID string) ([]comms.Delivery, error) {
	var out []comms.Delivery
	prefix := compose(commID)
	c := tx.Bucket(bucketCommDeliveries).Cursor()
	for k, v := c.Seek(prefix); hasPrefix(k, prefix); k, v = c.Next() {
		d, err := loadDelivery(tx, string(v))
		if err != nil {
			return nil, fmt.Errorf("store: comm %s lists delivery %s: %w", commID, v, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// due reports whether a row in state s waits for the dispatcher: pending and
// failed_temp rows to send, unknown rows to reconcile.
func due(s comms.DeliveryState) bool {
	return s == comms.DeliveryPending || s == comms.DeliveryFailedTemp || s == comms.DeliveryUnknown
}

// supersedable reports whether a newer comm to the same target may replace a
// row in state s: only rows that have not left Herald yet.
func supersedable(s comms.DeliveryState) bool {
	return s == comms.DeliveryPending || s == comms.DeliveryFailedTemp
}

func dueKey(d *comms.Delivery) []byte {
	return compose(string(d.Medium), u64(timeKey(d.NotBefore)), []byte(d.ID))
}

func sendingKey(d *comms.Delivery) []byte {
	return compose(string(d.Medium), u64(timeKey(d.Deadline)), []byte(d.ID))
}

func targetKey(d *comms.Delivery) []byte {
	return compose(d.SupersedeKey(), []byte(d.ID))
}

// indexKey is one index entry of a delivery row.
type indexKey struct{ bucket, key []byte }

// indexKeys lists the index entries a row in its current state must have.
func indexKeys(d *comms.Delivery) (keys []indexKey) {
	add := func(b, k []byte) { keys = append(keys, indexKey{b, k}) }
	if due(d.State) {
		add(bucketDue, dueKey(d))
	}
	if d.State == comms.DeliverySending {
		add(bucketSending, sendingKey(d))
	}
	if supersedable(d.State) {
		add(bucketOpenTargets, targetKey(d))
	}
	return keys
}

// writeDelivery stores d and moves its index entries from where old had them
// to where d needs them. old is nil for a new row, which also joins its
// comm's list.
func writeDelivery(tx *bolt.Tx, old, d *comms.Delivery) error {
	if old != nil {
		for _, ik := range indexKeys(old) {
			if err := tx.Bucket(ik.bucket).Delete(ik.key); err != nil {
				return fmt.Errorf("store: unindex delivery %s: %w", old.ID, err)
			}
		}
	} else {
		b := tx.Bucket(bucketDeliveries)
		if b.Get([]byte(d.ID)) != nil {
			return fmt.Errorf("store: delivery %s already exists", d.ID)
		}
		seq, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("store: number delivery %s: %w", d.ID, err)
		}
		if err := tx.Bucket(bucketCommDeliveries).Put(compose(d.CommID, u64(seq)), []byte(d.ID)); err != nil {
			return fmt.Errorf("store: index delivery %s: %w", d.ID, err)
		}
	}
	for _, ik := range indexKeys(d) {
		if err := tx.Bucket(ik.bucket).Put(ik.key, []byte{}); err != nil {
			return fmt.Errorf("store: index delivery %s: %w", d.ID, err)
		}
	}
	return put(tx.Bucket(bucketDeliveries), []byte(d.ID), d)
}
