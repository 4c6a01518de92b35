package store

import (
	"path/filepath"
	"testing"
	"time"
)

func TestDedupSeen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	db := mustOpenAt(t, path)
	ttl := 10 * time.Minute
	steps := []struct {
		key  string
		at   time.Duration // after t0
		want bool
	}{
		{"env-1", 0, false},
		{"env-1", time.Second, true},
		{"env-2", time.Second, false},
		{"env-1", ttl - time.Second, true},
		{"env-1", ttl, false}, // expired: recorded afresh
		{"env-1", ttl + time.Second, true},
		{"env-2", ttl + 2*time.Second, false},
	}
	for i, s := range steps {
		got, err := db.DedupSeen(ctx, s.key, ttl, t0.Add(s.at))
		if err != nil {
			t.Fatal(err)
		}
		if got != s.want {
			t.Errorf("step %d: DedupSeen(%s, t0+%v) = %t; want %t", i, s.key, s.at, got, s.want)
		}
	}

	// A restart does not forget what was seen.
	db.Close()
	db = mustOpenAt(t, path)
	if seen, _ := db.DedupSeen(ctx, "env-1", ttl, t0.Add(ttl+3*time.Second)); !seen {
		t.Error("DedupSeen after reopen = false; want true")
	}
	if _, err := db.DedupSeen(ctx, "", ttl, t0); err == nil {
		t.Error("DedupSeen with an empty key succeeded; want an error")
	}
}

func TestDedupSweeps(t *testing.T) {
	db := mustOpen(t)
	for _, k := range []string{"a", "b", "c"} {
		if _, err := db.DedupSeen(ctx, k, time.Minute, t0); err != nil {
			t.Fatal(err)
		}
	}
	// Far later, one call sweeps the expired keys away.
	if _, err := db.DedupSeen(ctx, "d", time.Minute, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	s, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.DedupKeys != 1 {
		t.Errorf("dedup keys after sweep = %d; want 1", s.DedupKeys)
	}
}

func TestDeduper(t *testing.T) {
	now := t0
	d := &Deduper{DB: mustOpen(t), TTL: time.Minute, Now: func() time.Time { return now }}
	for i, want := range []bool{false, true} {
		if got, err := d.Seen(ctx, "env-1"); err != nil || got != want {
			t.Errorf("call %d: Seen = %t, %v; want %t", i+1, got, err, want)
		}
	}
	now = now.Add(time.Minute)
	if got, _ := d.Seen(ctx, "env-1"); got {
		t.Error("Seen after TTL = true; want false")
	}
}
