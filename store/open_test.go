package store

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/herald-comms/herald/comms"
)

func TestOpenCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	mustOpenAt(t, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Errorf("mode = %v; want %v", got, want)
	}
}

func TestOpenTightensWiderMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	db := mustOpenAt(t, path)
	mustIncident(t, db, "Checkout down")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	db = mustOpenAt(t, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Errorf("mode after reopen = %v; want %v", got, want)
	}
	if _, err := db.Incident(ctx, "INC-1"); err != nil {
		t.Errorf("Incident(INC-1) after reopen: %v", err)
	}
}

func TestOpenInUseFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	mustOpenAt(t, path)
	start := time.Now()
	db, err := Open(path, Options{NoSync: true})
	if err == nil {
		db.Close()
		t.Fatal("second Open succeeded; want an in-use error")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("second Open took %v; want under 2s", took)
	}
	want := "store: the database " + path + " is in use by another herald process"
	if got := err.Error(); got != want {
		t.Errorf("error = %q; want %q", got, want)
	}
	if !errors.Is(err, ErrInUse) {
		t.Errorf("errors.Is(%v, ErrInUse) = false; want true", err)
	}
}

func TestOpenRejectsForeignFiles(t *testing.T) {
	dir := t.TempDir()
	random := make([]byte, 64<<10)
	rand.Read(random)
	tests := []struct {
		name  string
		write func(t *testing.T, path string)
	}{
		{"random bytes", func(t *testing.T, path string) { writeFile(t, path, random) }},
		{"short text", func(t *testing.T, path string) { writeFile(t, path, []byte("hello, world\n")) }},
		{"a directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
		{"another program's bbolt file", func(t *testing.T, path string) {
			bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer bdb.Close()
			if err := bdb.Update(func(tx *bolt.Tx) error {
				_, err := tx.CreateBucket([]byte("widgets"))
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}},
		{"herald file with damaged pages", func(t *testing.T, path string) {
			db, err := Open(path, Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			for range 20 {
				mustIncident(t, db, strings.Repeat("x", 500))
			}
			db.Close()
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			copy(raw[2*4096:], random) // keep both meta pages, ruin the rest
			writeFile(t, path, raw)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".db")
			tt.write(t, path)
			db, err := Open(path, Options{NoSync: true})
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded; want an error")
			}
			t.Log(err)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("errors.Is(%v, ErrCorrupt) = false; want true", err)
			}
			want := "store: " + path + " is not a Herald database or is corrupt"
			if got := err.Error(); !strings.HasPrefix(got, want) {
				t.Errorf("error = %q; want it to start with %q", got, want)
			}
		})
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRejectsOtherSchemaVersions(t *testing.T) {
	tests := []struct {
		version string
		want    string
	}{
		{"2", "was written by a newer Herald (schema 2); this Herald understands schema 1"},
		{"17", "was written by a newer Herald (schema 17); this Herald understands schema 1"},
		{"one", `has an unknown schema version "one"; this Herald understands schema 1`},
		{"0", `has an unknown schema version "0"; this Herald understands schema 1`},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "herald.db")
			db, err := Open(path, Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			err = db.bolt.Update(func(tx *bolt.Tx) error {
				return tx.Bucket(bucketMeta).Put(keySchemaVersion, []byte(tt.version))
			})
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			db, err = Open(path, Options{NoSync: true})
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded; want a schema error")
			}
			want := "store: the database " + path + " " + tt.want
			if got := err.Error(); got != want {
				t.Errorf("error = %q; want %q", got, want)
			}
			if !errors.Is(err, ErrSchema) {
				t.Errorf("errors.Is(%v, ErrSchema) = false; want true", err)
			}
		})
	}
}

func TestOpenWritesSchemaVersion(t *testing.T) {
	db := mustOpen(t)
	var got string
	db.bolt.View(func(tx *bolt.Tx) error {
		got = string(tx.Bucket(bucketMeta).Get(keySchemaVersion))
		return nil
	})
	if want := strconv.Itoa(SchemaVersion); got != want {
		t.Errorf("schema_version = %q; want %q", got, want)
	}
}

func TestReopenKeepsDataAndSequences(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	db := mustOpenAt(t, path)
	inc := mustIncident(t, db, "Checkout down")
	c1, ds1 := mustSend(t, db, inc.ID, channels("C1"), t0)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = mustOpenAt(t, path)
	got, err := db.Incident(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Checkout down" || got.CommCount != 1 {
		t.Errorf("incident after reopen = %+v; want title Checkout down, 1 comm", got)
	}
	ds, err := db.Deliveries(ctx, c1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0] != ds1[0] {
		t.Errorf("deliveries after reopen = %+v; want %+v", ds, ds1)
	}
	inc2 := mustIncident(t, db, "Search slow")
	if inc2.ID != "INC-2" || inc2.Number != 2 {
		t.Errorf("next incident = %s (%d); want INC-2 (2)", inc2.ID, inc2.Number)
	}
	c2, _ := mustSend(t, db, inc.ID, channels("C2"), t0)
	if c2.ID != "C-2" {
		t.Errorf("next comm = %s; want C-2", c2.ID)
	}
	if _, err := db.UpdateIncident(ctx, inc.ID, func(ch *comms.IncidentChange) error {
		ch.Entries = append(ch.Entries, comms.Entry(t0, "U1", comms.KindNote, "", "after reopen"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tl, err := db.Timeline(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := comms.VerifyTimeline(tl); err != nil {
		t.Errorf("timeline after reopen: %v", err)
	}
	if got, want := len(tl), 2; got != want {
		t.Errorf("timeline has %d entries; want %d", got, want)
	}
	mustCheck(t, db)
}

func TestOpenReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	db := mustOpenAt(t, path)
	mustIncident(t, db, "Checkout down")
	db.Close()

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("Open read-only: %v", err)
	}
	defer ro.Close()
	if _, err := ro.Incident(ctx, "INC-1"); err != nil {
		t.Errorf("Incident read-only: %v", err)
	}
	if _, err := ro.CreateIncident(ctx, func(*comms.IncidentChange) error { return nil }); err == nil {
		t.Error("CreateIncident on a read-only database succeeded; want an error")
	}
	mustCheck(t, ro)
}
