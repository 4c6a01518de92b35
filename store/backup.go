package store

import (
	"context"
	"errors"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

	"github.com/herald-comms/herald/comms"
)

// Backup writes a consistent copy of the whole database to w while Herald
// keeps running, and returns the bytes written. The copy opens with Open.
func (db *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: backup %s: %w", db.path, err)
	}
	return n, nil
}

// Stats counts what the database holds, for the health endpoint and logs.
type Stats struct {
	Incidents  int   // incidents ever declared
	Comms      int   // comms ever drafted
	Deliveries int   // delivery rows
	Due        int   // rows waiting for the dispatcher
	Sending    int   // rows being sent
	DedupKeys  int   // recorded envelope ids, expired ones included until swept
	Size       int64 // bytes of the database file in use
}

// Stats returns the current counts.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	var s Stats
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, c := range []struct {
			n      *int
			bucket []byte
		}{
			{&s.Incidents, bucketIncidents}, {&s.Comms, bucketComms}, {&s.Deliveries, bucketDeliveries},
			{&s.Due, bucketDue}, {&s.Sending, bucketSending}, {&s.DedupKeys, bucketDedup},
		} {
			*c.n = tx.Bucket(c.bucket).Stats().KeyN
		}
		s.Size = tx.Size()
		return nil
	})
	return s, err
}

// Check verifies the database: bbolt's own page checks, that every delivery
// row has exactly the index entries its state calls for, and that every
// incident's timeline hash chain is unbroken. It reads everything, so it is
// for operators and tests, not for every request. The error lists every
// problem found.
func (db *DB) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// bbolt's page check is only safe beside writers inside a write
	// transaction; a read-only process has no writers and cannot begin one.
	tx, err := db.bolt.Begin(!db.bolt.IsReadOnly())
	if err != nil {
		return fmt.Errorf("store: check %s: %w", db.path, err)
	}
	defer func() { _ = tx.Rollback() }()
	var problems []error
	err = func() error {
		for err := range tx.Check() {
			problems = append(problems, fmt.Errorf("bbolt: %w", err))
		}
		problems = append(problems, checkIndexes(tx)...)
		return tx.Bucket(bucketIncidents).ForEach(func(k, _ []byte) error {
			entries, err := readTimeline(tx, string(k))
			if err != nil {
				problems = append(problems, err)
				return nil
			}
			if err := comms.VerifyTimeline(entries); err != nil {
				problems = append(problems, fmt.Errorf("%s: %w", k, err))
			}
			return nil
		})
	}()
	if err != nil {
		return fmt.Errorf("store: check %s: %w", db.path, err)
	}
	if err := errors.Join(problems...); err != nil {
		return fmt.Errorf("store: check %s: %w", db.path, err)
	}
	return nil
}

// checkIndexes compares the index buckets with what the delivery rows say
// they should hold.
func checkIndexes(tx *bolt.Tx) []error {
	var problems []error
	want := map[string]map[string]bool{}
	for _, b := range [][]byte{bucketDue, bucketSending, bucketOpenTargets} {
		want[string(b)] = map[string]bool{}
	}
	err := tx.Bucket(bucketDeliveries).ForEach(func(k, _ []byte) error {
		d, err := loadDelivery(tx, string(k))
		if err != nil {
			problems = append(problems, err)
			return nil
		}
		for _, ik := range indexKeys(&d) {
			want[string(ik.bucket)][string(ik.key)] = true
		}
		return nil
	})
	if err != nil {
		problems = append(problems, err)
	}
	for name, keys := range want {
		b := tx.Bucket([]byte(name))
		_ = b.ForEach(func(k, _ []byte) error {
			if !keys[string(k)] {
				problems = append(problems, fmt.Errorf("index %s has a stale entry %q", name, k))
			}
			delete(keys, string(k))
			return nil
		})
		for k := range keys {
			problems = append(problems, fmt.Errorf("index %s lacks an entry %q", name, k))
		}
	}
	return problems
}
