package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"
)

// sep separates the parts of a composite key; no id, medium or target
// Herald stores contains a zero byte.
const sep = 0

// u64 encodes n big-endian, so byte order is numeric order.
func u64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, n)
}

// timeKey maps t to unix nanoseconds for a key, clamping times before 1970
// (including the zero time, "due at once") to 0 and times past 2262 to the
// largest value.
func timeKey(t time.Time) uint64 {
	switch {
	case t.IsZero() || t.Before(time.Unix(0, 0)):
		return 0
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return uint64(t.UnixNano())
}

// keyTime turns a timeKey back into a time.
func keyTime(k uint64) time.Time { return time.Unix(0, int64(k)).UTC() }

// compose joins parts with sep: prefix, 0, rest…
func compose(prefix string, rest ...[]byte) []byte {
	k := append([]byte(prefix), sep)
	for _, r := range rest {
		k = append(k, r...)
	}
	return k
}

// hasPrefix reports whether k starts with prefix; a nil k (end of cursor)
// never does.
func hasPrefix(k, prefix []byte) bool { return k != nil && bytes.HasPrefix(k, prefix) }

// get decodes the JSON value at key into v, reporting whether it exists.
func get(b *bolt.Bucket, key []byte, v any) (bool, error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("store: decode %q: %w", key, err)
	}
	return true, nil
}

// put stores v as JSON at key.
func put(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", key, err)
	}
	if err := b.Put(key, raw); err != nil {
		return fmt.Errorf("store: put %s: %w", key, err)
	}
	return nil
}
