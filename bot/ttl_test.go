package bot

import (
	"testing"
	"time"
)

func TestTTLMap(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	type step struct {
		advance time.Duration
		op      string // put, add, get, peek, drop
		key     string
		val     int
		wantOK  bool // get and peek found it; add stored it
		wantVal int  // get and peek
		wantLen int  // entries after the step
	}
	tests := []struct {
		name      string
		sweepOver int
		steps     []step
	}{
		{"get until expiry", 0, []step{
			{0, "put", "a", 1, false, 0, 1},
			{ttl, "get", "a", 0, true, 1, 1},
			{time.Nanosecond, "get", "a", 0, false, 0, 1},
			{0, "peek", "a", 0, true, 1, 1},
		}},
		{"put sweeps expired", 0, []step{
			{0, "put", "a", 1, false, 0, 1},
			{ttl / 2, "put", "b", 2, false, 0, 2},
			{ttl/2 + time.Nanosecond, "put", "c", 3, false, 0, 2},
			{0, "peek", "a", 0, false, 0, 2},
			{0, "get", "b", 0, true, 2, 2},
		}},
		{"put replaces and restarts", 0, []step{
			{0, "put", "a", 1, false, 0, 1},
			{ttl, "put", "a", 2, false, 0, 1},
			{ttl, "get", "a", 0, true, 2, 1},
		}},
		{"add keeps the age", 0, []step{
			{0, "add", "a", 1, true, 0, 1},
			{ttl, "add", "a", 2, false, 0, 1},
			{0, "get", "a", 0, true, 1, 1},
			{time.Nanosecond, "add", "a", 3, true, 0, 1},
			{ttl, "get", "a", 0, true, 3, 1},
		}},
		{"sweep waits for sweepOver", 2, []step{
			{0, "put", "a", 1, false, 0, 1},
			{0, "put", "b", 2, false, 0, 2},
			{2 * ttl, "put", "c", 3, false, 0, 3},
			{0, "peek", "a", 0, true, 1, 3},
			{0, "add", "d", 4, true, 0, 2},
			{0, "peek", "a", 0, false, 0, 2},
		}},
		{"drop", 0, []step{
			{0, "put", "a", 1, false, 0, 1},
			{0, "drop", "a", 0, false, 0, 0},
			{0, "get", "a", 0, false, 0, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := time.Unix(1e9, 0)
			m := newTTLMap[string, int](ttl, tt.sweepOver, func() time.Time { return now })
			for i, s := range tt.steps {
				now = now.Add(s.advance)
				var ok bool
				var v int
				switch s.op {
				case "put":
					m.put(s.key, s.val)
				case "add":
					ok = m.add(s.key, s.val)
				case "get":
					v, ok = m.get(s.key)
				case "peek":
					v, ok = m.peek(s.key)
				case "drop":
					m.drop(s.key)
				}
				if ok != s.wantOK || v != s.wantVal {
					t.Errorf("step %d, %s %q: got %d, %v; want %d, %v", i, s.op, s.key, v, ok, s.wantVal, s.wantOK)
				}
				if got := len(m.m); got != s.wantLen {
					t.Errorf("step %d, %s %q: got %d entries; want %d", i, s.op, s.key, got, s.wantLen)
				}
			}
		})
	}
}

func TestTTLMapClear(t *testing.T) {
	t.Parallel()
	m := newTTLMap[string, int](time.Minute, 0, time.Now)
	m.put("a", 1)
	m.put("b", 2)
	m.clear()
	if _, ok := m.peek("a"); ok || len(m.m) != 0 {
		t.Errorf("got %d entries after clear; want 0", len(m.m))
	}
}
