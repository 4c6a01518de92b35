package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestE2ESecondInstanceFailsFast(t *testing.T) {
	h := startHerald(t)
	began := time.Now()
	code, _, errOut := runCmd(t, h.env, "run")
	took := time.Since(began)
	if code == 0 {
		t.Fatal("a second herald on the same database started")
	}
	if !strings.Contains(errOut, "in use by another herald process") {
		t.Errorf("second instance said %q; want the in-use message", errOut)
	}
	if took > 2*time.Second {
		t.Errorf("second instance took %v to fail; want under 2 s", took)
	}
	if n := h.slack.Calls("apps.connections.open"); n != 1 {
		t.Errorf("apps.connections.open called %d times; the second instance must not reach Slack", n)
	}
	if fi, err := os.Stat(h.env["HERALD_DB"]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
}
