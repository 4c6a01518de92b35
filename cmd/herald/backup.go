package main

import (
	"fmt"
	"io"
	"os"

	"github.com/herald-comms/herald/store"
)

// backup writes a consistent copy of the database to path. It opens the
// database itself, so it works while Herald is stopped; while Herald runs,
// the file lock makes it fail fast and say so.
func backup(getenv func(string) string, path string, stdout, stderr io.Writer) int {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "herald: configuration errors:\n%s\n", indent(err.Error()))
		return 1
	}
	if _, err := os.Stat(cfg.DB); err != nil {
		fmt.Fprintf(stderr, "herald backup: there is no database at %s (HERALD_DB)\n", cfg.DB)
		return 1
	}
	db, err := store.Open(cfg.DB, store.Options{ReadOnly: true})
	if err != nil {
		fmt.Fprintf(stderr, "herald backup: %v\n", err)
		return 1
	}
	defer db.Close()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		fmt.Fprintf(stderr, "herald backup: %v\n", err)
		return 1
	}
	n, err := db.Backup(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		fmt.Fprintf(stderr, "herald backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Wrote %d bytes of %s to %s.\n", n, cfg.DB, path)
	return 0
}
