package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultTimeout is how long Open waits for another process to release the
// database file before it gives up.
const DefaultTimeout = time.Second

// fileMode is the database file's permission: it holds who said what during
// incidents, so only the owner may read it.
const fileMode os.FileMode = 0o600

// Options tune Open.
type Options struct {
	// Timeout bounds the wait for the file lock; DefaultTimeout when 0.
	Timeout time.Duration
	// NoSync skips fsync on commit. Only tests should set it: a crash may
	// lose or corrupt recent writes.
	NoSync bool
	// ReadOnly opens the file with a shared lock for inspection (backups,
	// exports); every write fails.
	ReadOnly bool
}

// DB is Herald's database. Its methods are safe for concurrent use; bbolt
// serialises the writes.
type DB struct {
	bolt *bolt.DB
	path string

	lastSweep atomic.Int64 // unix nanos of the last dedup sweep
}

// Open opens or creates the database at path. It fails fast with a clear
// error when another process holds the file, when the file is not a Herald
// database, and when a newer Herald wrote it.
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if err := tightenMode(path); err != nil {
		return nil, err
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	bdb, err := openBolt(path, opts)
	if err != nil {
		return nil, err
	}
	db := &DB{bolt: bdb, path: path}
	if err := db.migrate(opts.ReadOnly); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	return db, nil
}

// openBolt opens the bbolt file, turning a lock timeout into the in-use
// error and anything bbolt rejects, or panics on, into the corrupt error.
func openBolt(path string, opts Options) (bdb *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			bdb, err = nil, corruptError(path, fmt.Errorf("bbolt: %v", r))
		}
	}()
	bdb, err = bolt.Open(path, fileMode, &bolt.Options{
		Timeout:  opts.Timeout,
		NoSync:   opts.NoSync,
		ReadOnly: opts.ReadOnly,
	})
	switch {
	case err == nil:
		return bdb, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, inUseError(path, err)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrInvalidMapping):
		return nil, corruptError(path, err)
	}
	return nil, fmt.Errorf("store: open %s: %w", path, err)
}

// tightenMode makes an existing file private again if someone widened its
// permissions; Herald keeps going, since refusing to start mid-incident
// helps nobody.
func tightenMode(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return corruptError(path, errors.New("not a regular file"))
	}
	if fi.Mode().Perm() != fileMode {
		if err := os.Chmod(path, fileMode); err != nil {
			return fmt.Errorf("store: make %s private: %w", path, err)
		}
	}
	return nil
}

// The bbolt meta page layout: a 16-byte page header whose flags (at 8) mark
// a meta page, then the meta's magic (at 16) and format version (at 20).
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	boltMetaFlag    = 0x04
	boltMetaMinSize = 24
)

// checkHeader reads the meta pages itself, because bbolt trusts a file that
// merely has the right size and may panic on garbage. An empty or missing
// file is fine: bbolt initialises it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	size := fi.Size()
	if size == 0 {
		return nil
	}
	if size < 4*1024 {
		return corruptError(path, fmt.Errorf("the file has only %d bytes", size))
	}
	// The first meta page sits at 0; the second one page further, and the
	// page size is unknown until a meta page is read, so try each size
	// bbolt itself tries.
	offsets := []int64{0}
	for i := range 15 {
		if pos := int64(1024) << i; pos+boltMetaMinSize <= size {
			offsets = append(offsets, pos)
		}
	}
	var buf [boltMetaMinSize]byte
	for _, off := range offsets {
		if _, err := f.ReadAt(buf[:], off); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("store: read %s: %w", path, err)
		}
		flags := binary.NativeEndian.Uint16(buf[8:])
		magic := binary.NativeEndian.Uint32(buf[16:])
		version := binary.NativeEndian.Uint32(buf[20:])
		if flags&boltMetaFlag != 0 && magic == boltMagic {
			if version != boltVersion {
				return corruptError(path, fmt.Errorf("bbolt file format %d, want %d", version, boltVersion))
			}
			return nil
		}
	}
	return corruptError(path, errors.New("no bbolt meta page"))
}

// Close closes the database. Pending transactions finish first.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", db.path, err)
	}
	return nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }
