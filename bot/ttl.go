package bot

import (
	"sync"
	"time"
)

// ttlMap is a map whose entries expire ttl after they were stored. Expired
// entries are swept out when an entry is stored while the map holds more
// than sweepOver of them. Its methods are safe for concurrent use.
type ttlMap[K comparable, V any] struct {
	ttl       time.Duration
	sweepOver int
	now       func() time.Time
	mu        sync.Mutex
	m         map[K]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v  V
	at time.Time
}

func newTTLMap[K comparable, V any](ttl time.Duration, sweepOver int, now func() time.Time) *ttlMap[K, V] {
	return &ttlMap[K, V]{ttl: ttl, sweepOver: sweepOver, now: now, m: map[K]ttlEntry[V]{}}
}

// get returns the value stored under k unless it has expired.
func (t *ttlMap[K, V]) get(k K) (V, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[k]
	if !ok || t.now().Sub(e.at) > t.ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}

// peek returns the value stored under k, expired or not, as long as no sweep
// has dropped it.
func (t *ttlMap[K, V]) peek(k K) (V, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[k]
	return e.v, ok
}

// put stores v under k.
func (t *ttlMap[K, V]) put(k K, v V) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.sweep(now)
	t.m[k] = ttlEntry[V]{v: v, at: now}
}

// add stores v under k unless an entry that has not expired is there, and
// reports whether it stored it. An entry already there keeps its age.
func (t *ttlMap[K, V]) add(k K, v V) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.sweep(now)
	if e, ok := t.m[k]; ok && now.Sub(e.at) <= t.ttl {
		return false
	}
	t.m[k] = ttlEntry[V]{v: v, at: now}
	return true
}

// drop forgets k.
func (t *ttlMap[K, V]) drop(k K) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, k)
}

// clear forgets every entry.
func (t *ttlMap[K, V]) clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.m)
}

// sweep drops expired entries once there are more than sweepOver; t.mu
// must be held.
func (t *ttlMap[K, V]) sweep(now time.Time) {
	if len(t.m) <= t.sweepOver {
		return
	}
	for k, e := range t.m {
		if now.Sub(e.at) > t.ttl {
			delete(t.m, k)
		}
	}
}
