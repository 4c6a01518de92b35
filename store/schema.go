package store

import (
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout this Herald reads and writes (see doc.go).
const SchemaVersion = 1

var (
	bucketMeta             = []byte("meta")
	bucketIncidents        = []byte("incidents")
	bucketIncidentChannels = []byte("incident_channels")
	bucketComms            = []byte("comms")
	bucketIncidentComms    = []byte("incident_comms")
	bucketDeliveries       = []byte("deliveries")
	bucketCommDeliveries   = []byte("comm_deliveries")
	bucketDue              = []byte("due")
	bucketSending          = []byte("sending")
	bucketOpenTargets      = []byte("open_targets")
	bucketTimeline         = []byte("timeline")
	bucketDedup            = []byte("dedup")

	keySchemaVersion = []byte("schema_version")
)

// allBuckets are the top-level buckets of schema 1.
var allBuckets = [][]byte{
	bucketMeta, bucketIncidents, bucketIncidentChannels, bucketComms, bucketIncidentComms,
	bucketDeliveries, bucketCommDeliveries, bucketDue, bucketSending, bucketOpenTargets,
	bucketTimeline, bucketDedup,
}

// migrate checks the schema version and, on a new file, writes it with every
// bucket. A bbolt file without Herald's meta bucket but with other buckets
// belongs to some other program and is left alone.
func (db *DB) migrate(readOnly bool) error {
	fresh := false
	err := db.openView(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			other := tx.ForEach(func([]byte, *bolt.Bucket) error { return errNotHerald })
			if other != nil {
				return corruptError(db.path, fmt.Errorf("it has no %q bucket", bucketMeta))
			}
			fresh = true
			return nil
		}
		raw := meta.Get(keySchemaVersion)
		v, err := strconv.ParseUint(string(raw), 10, 64)
		switch {
		case err != nil || v == 0:
			return unknownSchemaError(db.path, raw)
		case v > SchemaVersion:
			return newerSchemaError(db.path, v)
		}
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				return corruptError(db.path, fmt.Errorf("the %q bucket is missing", name))
			}
		}
		return nil
	})
	if err != nil || !fresh {
		return err
	}
	if readOnly {
		return corruptError(db.path, fmt.Errorf("it has no %q bucket and was opened read-only", bucketMeta))
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("store: create bucket %s: %w", name, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, []byte(strconv.Itoa(SchemaVersion)))
	})
}

var errNotHerald = fmt.Errorf("store: foreign bucket")

// openView runs fn in a read transaction while opening, turning a bbolt
// panic on a damaged page into an error naming the file instead of a crash.
func (db *DB) openView(fn func(*bolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = corruptError(db.path, fmt.Errorf("bbolt: %v", r))
		}
	}()
	return db.bolt.View(fn)
}
