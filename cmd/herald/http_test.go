package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/herald-comms/herald/store"
)

func TestOpsServer(t *testing.T) {
	t.Parallel()
	db, err := store.Open(filepath.Join(t.TempDir(), "herald.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(opsServer{db: db, log: zerolog.Nop()}.handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "herald_deliveries_due 0") {
		t.Errorf("/metrics = %d\n%s", code, body)
	}
	code, body := get("/backup")
	if code != 200 {
		t.Fatalf("/backup = %d", code)
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(copyPath, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cp, err := store.Open(copyPath, store.Options{})
	if err != nil {
		t.Fatalf("the backup does not open as a database: %v", err)
	}
	cp.Close()
	if code, _ := get("/backup?x"); code != 200 {
		t.Errorf("backup with a query = %d", code)
	}
	if resp, err := http.Post(srv.URL+"/backup", "text/plain", nil); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST /backup = %d; want 405", resp.StatusCode)
		}
	}
}
