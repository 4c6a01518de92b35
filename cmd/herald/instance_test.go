package main

import (
	"os"
	"path/filepath"
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
	t.Logf("second instance failed after %v", took)
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

func TestE2EBackup(t *testing.T) {
	t.Parallel()
	h := startHerald(t)
	h.declare("Backup me")
	out := filepath.Join(t.TempDir(), "copy.db")
	if code, _, errOut := runCmd(t, h.env, "backup", out); code == 0 || !strings.Contains(errOut, "in use by another herald process") {
		t.Errorf("backup while herald runs: exit %d, %q; want the in-use message", code, errOut)
	}
	h.shutdown()
	code, stdout, errOut := runCmd(t, h.env, "backup", out)
	if code != 0 {
		t.Fatalf("backup of a stopped herald: exit %d: %s", code, errOut)
	}
	if !strings.Contains(stdout, "Wrote") {
		t.Errorf("backup said %q; want how much it wrote", stdout)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if code, _, errOut := runCmd(t, h.env, "backup", out); code == 0 || !strings.Contains(errOut, "file exists") {
		t.Errorf("backup over an existing file: exit %d %q; want a refusal saying the file exists", code, errOut)
	}
	// The copy is a working database: Herald starts on it and knows INC-1.
	h.env["HERALD_DB"] = out
	h.start()
	gen := h.slack.Channel("general")
	h.slack.SlashCommand(uCommander, gen.ID(), "/incident", "list")
	h.waitFor(func() bool {
		for _, m := range h.slack.Ephemerals(uCommander) {
			if strings.Contains(m.Text(), "Backup me") {
				return true
			}
		}
		return false
	}, "/incident list on the restored copy to show the incident")
}

func TestE2EWrongTokensAreNamed(t *testing.T) {
	t.Parallel()
	tests := []struct{ key, value, want string }{
		{"SLACK_APP_TOKEN", "xapp-1-wrong", "refused the app-level token"},
		{"SLACK_BOT_TOKEN", "xoxb-wrong", "Slack rejected SLACK_BOT_TOKEN (auth.test: invalid_auth)"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			h := newHarness(t)
			h.env[tt.key] = tt.value
			code, _, errOut := runCmd(t, h.env, "run")
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("run with a wrong %s: exit %d, %q; want non-zero saying %q", tt.key, code, errOut, tt.want)
			}
		})
	}
}
