package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// dedupSweepEvery is how often DedupSeen clears expired keys: often enough
// to keep the bucket small, rarely enough to cost nothing per envelope.
const dedupSweepEvery = time.Minute

// DedupSeen records key until now+ttl and reports whether it was already
// recorded and not yet expired. The bot passes a Socket Mode envelope id, so
// an envelope Slack redelivers is handled once, even across a restart.
func (db *DB) DedupSeen(ctx context.Context, key string, ttl time.Duration, now time.Time) (seen bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if key == "" {
		return false, errors.New("store: empty dedup key")
	}
	sweep := now.UnixNano()-db.lastSweep.Load() >= int64(dedupSweepEvery)
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDedup)
		if sweep {
			if err := sweepDedup(b, now); err != nil {
				return err
			}
		}
		if v := b.Get([]byte(key)); len(v) == 8 && timeKey(now) < binary.BigEndian.Uint64(v) {
			seen = true
			return nil
		}
		return b.Put([]byte(key), u64(timeKey(now.Add(ttl))))
	})
	if err == nil && sweep {
		db.lastSweep.Store(now.UnixNano())
	}
	return seen, err
}

// sweepDedup deletes the keys that expired by now.
func sweepDedup(b *bolt.Bucket, now time.Time) error {
	var expired [][]byte
	until := timeKey(now)
	err := b.ForEach(func(k, v []byte) error {
		if len(v) != 8 || binary.BigEndian.Uint64(v) <= until {
			expired = append(expired, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range expired {
		if err := b.Delete(k); err != nil {
			return fmt.Errorf("store: sweep dedup keys: %w", err)
		}
	}
	return nil
}

// Deduper adapts DedupSeen to a Seen(ctx, key) method with a fixed ttl, the
// shape the bot asks for.
type Deduper struct {
	DB  *DB
	TTL time.Duration    // how long a key is remembered; Slack redelivers for about five minutes
	Now func() time.Time // time.Now when nil
}

// Seen records key and reports whether it was already recorded within TTL.
func (d *Deduper) Seen(ctx context.Context, key string) (bool, error) {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	return d.DB.DedupSeen(ctx, key, d.TTL, now())
}
