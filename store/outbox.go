package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/herald-comms/herald/comms"
)

// Due returns up to limit rows of medium waiting for the dispatcher whose
// NotBefore is not after now, earliest first: pending and failed_temp rows
// to send, unknown rows to reconcile. limit ≤ 0 means no limit. It reads
// the due index only, so the cost follows the rows returned, not the outbox.
func (db *DB) Due(ctx context.Context, medium comms.Medium, now time.Time, limit int) ([]comms.Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []comms.Delivery
	prefix := compose(string(medium))
	until := timeKey(now)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDue).Cursor()
		for k, _ := c.Seek(prefix); hasPrefix(k, prefix); k, _ = c.Next() {
			at, id, err := splitTimeKey(k, prefix)
			if err != nil {
				return err
			}
			if at > until || (limit > 0 && len(out) >= limit) {
				break
			}
			d, err := loadDelivery(tx, id)
			if err != nil {
				return fmt.Errorf("store: due index names %s: %w", id, err)
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// NextDue returns the earliest NotBefore among medium's waiting rows, so the
// dispatcher can sleep until then; ok is false when none is waiting. A row
// due "at once" (zero NotBefore) reports the Unix epoch.
func (db *DB) NextDue(ctx context.Context, medium comms.Medium) (at time.Time, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, false, err
	}
	prefix := compose(string(medium))
	err = db.bolt.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketDue).Cursor().Seek(prefix)
		if !hasPrefix(k, prefix) {
			return nil
		}
		n, _, err := splitTimeKey(k, prefix)
		at, ok = keyTime(n), err == nil
		return err
	})
	return at, ok, err
}

// Claim moves a waiting row to sending, with deadline as the time after
// which the attempt is presumed lost and one more attempt counted. ok is
// false, with no error and the row as it is, when it is not claimable:
// superseded, claimed by someone else, finished, or not yet due at now.
func (db *DB) Claim(ctx context.Context, id string, now, deadline time.Time) (d comms.Delivery, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return comms.Delivery{}, false, err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := loadDelivery(tx, id)
		if err != nil {
			return err
		}
		d = old
		if !due(old.State) || old.NotBefore.After(now) {
			return nil // d reports the row as it is
		}
		d.State, d.Deadline, d.UpdatedAt = comms.DeliverySending, deadline, now
		d.Attempts++
		ok = true
		return writeDelivery(tx, &old, &d)
	})
	if err != nil {
		return comms.Delivery{}, false, err
	}
	return d, ok, nil
}

// Sending returns the rows left in sending, by medium and then deadline. On
// start the dispatcher reconciles them: the previous process may or may not
// have delivered them before it stopped.
func (db *DB) Sending(ctx context.Context) ([]comms.Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []comms.Delivery
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSending).ForEach(func(k, _ []byte) error {
			id, err := sendingID(k)
			if err != nil {
				return err
			}
			d, err := loadDelivery(tx, id)
			if err != nil {
				return fmt.Errorf("store: sending index names %s: %w", id, err)
			}
			out = append(out, d)
			return nil
		})
	})
	return out, err
}

// splitTimeKey splits a medium, 0, time, id key whose medium part is prefix.
func splitTimeKey(k, prefix []byte) (uint64, string, error) {
	rest := k[len(prefix):]
	if len(rest) < 8 {
		return 0, "", fmt.Errorf("store: malformed index key %q", k)
	}
	return binary.BigEndian.Uint64(rest), string(rest[8:]), nil
}

// sendingID returns the delivery id of a sending-index key.
func sendingID(k []byte) (string, error) {
	for i, b := range k {
		if b == sep {
			_, id, err := splitTimeKey(k, k[:i+1])
			return id, err
		}
	}
	return "", fmt.Errorf("store: malformed index key %q", k)
}
