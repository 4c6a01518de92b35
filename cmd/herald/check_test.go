package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// envOf returns a getenv over a fixed map, so tests never read the real
// environment.
func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func baseEnv(t *testing.T) map[string]string {
	return map[string]string{
		"SLACK_APP_TOKEN": "xapp-1-A1-secretapp",
		"SLACK_BOT_TOKEN": "xoxb-1-secretbot",
		"HERALD_DB":       filepath.Join(t.TempDir(), "herald.db"),
	}
}

func runCmd(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, envOf(env), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckListsEnabledMedia(t *testing.T) {
	env := baseEnv(t)
	env["HERALD_CONFIG"] = "testdata/herald.yaml"
	env["SMTP_HOST"], env["SMTP_FROM"], env["SMTP_PASSWORD"], env["SMTP_USERNAME"] = "smtp.example.com", "herald@example.com", "hunter2secret", "herald"
	env["STATUSPAGE_API_KEY"], env["STATUSPAGE_PAGE_ID"] = "spkey123456789", "page1"
	code, out, errOut := runCmd(t, env, "check")
	if code != 0 {
		t.Fatalf("check exited %d; stderr:\n%s", code, errOut)
	}
	for _, want := range []string{
		`E-mail:     enabled (smtp.example.com:587, starttls, from "Herald" <herald@example.com>)`,
		"SMS:        disabled",
		"Statuspage: enabled (page page1)",
		"1 approvers, 1 approver groups, 1 audiences, 2 directory entries",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"hunter2secret", "spkey123456789", "secretbot", "secretapp"} {
		if strings.Contains(out+errOut, secret) {
			t.Errorf("check printed the secret %q", secret)
		}
	}
}

func TestCheckNamesTheField(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"broken yaml", "approvers: [U1\ndirectory: {", "line"},
		{"bad phone", "directory:\n  Dana: {phone: \"12\"}\n", `directory.Dana.phone: "12" is not a phone number`},
		{"bad region", "default_phone_region: XX\n", "default_phone_region"},
		{"audience with unknown person", "audiences:\n  execs: {sms: [Nobody]}\n", `audiences.execs.sms: "Nobody" is not in the directory`},
		{"bad audience email", "audiences:\n  execs: {emails: [not-mail]}\n", "audiences.execs.emails"},
		{"bad cadence", "cadence: {SEV1: soon}\n", "cadence.SEV1"},
		{"bad approver id", "approvers: [alice]\n", `approvers: "alice"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "herald.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			env := baseEnv(t)
			env["HERALD_CONFIG"] = path
			code, _, errOut := runCmd(t, env, "check")
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("check exited %d with stderr %q; want non-zero naming %q", code, errOut, tt.want)
			}
		})
	}
}

func TestCheckWarnsOfUnknownFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.yaml")
	os.WriteFile(path, []byte("approverz: [U1]\ndirectory:\n  Dana: {phone: \"+14155550101\"}\n"), 0o600)
	env := baseEnv(t)
	env["HERALD_CONFIG"] = path
	code, out, errOut := runCmd(t, env, "check")
	if code != 0 || !strings.Contains(errOut, `line 1: unknown field "approverz" is ignored`) || !strings.Contains(out, "1 directory entries") {
		t.Errorf("check with a misspelt field: exit %d, stdout %q, stderr %q; want 0, the rest loaded and a warning naming the field and line", code, out, errOut)
	}
}

func TestConfigOtherSpellings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.yaml")
	os.WriteFile(path, []byte(`approver_group: S0COMMS
update_cadence: {SEV1: 15}
directory:
  Dana Oncall: "+1 415 555 0101"
audiences:
  execs: [ceo@example.com, C0EXEC, Dana Oncall]
`), 0o600)
	env := baseEnv(t)
	env["HERALD_CONFIG"] = path
	cfg, err := LoadConfig(envOf(env))
	if err != nil || len(cfg.Warnings) > 0 {
		t.Fatalf("LoadConfig: %v, warnings %v", err, cfg.Warnings)
	}
	f := cfg.File
	if !slices.Contains(f.ApproverGroups, "S0COMMS") || cfg.Cadence()["SEV1"] != 15*time.Minute {
		t.Errorf("approver groups %v, SEV1 cadence %v; want S0COMMS and 15m", f.ApproverGroups, cfg.Cadence()["SEV1"])
	}
	if got := f.Directory["Dana Oncall"].Phone; got != "+1 415 555 0101" {
		t.Errorf("directory phone = %q", got)
	}
	if a := f.Audiences["execs"]; len(a.Emails) != 1 || len(a.Channels) != 1 || len(a.SMS) != 1 {
		t.Errorf("audience from a plain list = %+v; want one e-mail, one channel, one person", a)
	}
}

func TestCheckEnvironmentErrors(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]string
		want string
	}{
		{"half twilio", map[string]string{"TWILIO_ACCOUNT_SID": "AC1"}, "TWILIO_AUTH_TOKEN"},
		{"twilio without sender", map[string]string{"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"}, "TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID"},
		{"bad from number", map[string]string{"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM": "123"}, "TWILIO_FROM"},
		{"bad smtp tls", map[string]string{"SMTP_TLS": "ssl"}, "SMTP_TLS"},
		{"half smtp", map[string]string{"SMTP_HOST": "mail"}, "SMTP_HOST and SMTP_FROM"},
		{"bad smtp from", map[string]string{"SMTP_HOST": "mail", "SMTP_FROM": "herald at example"}, `SMTP_FROM "herald at example" is not an e-mail address`},
		{"bad bot token", map[string]string{"SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN must be a bot token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := baseEnv(t)
			for k, v := range tt.set {
				env[k] = v
			}
			code, _, errOut := runCmd(t, env, "check")
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("check exited %d with %q; want non-zero naming %s", code, errOut, tt.want)
			}
		})
	}
}

func TestRunWithoutSlackTokens(t *testing.T) {
	env := baseEnv(t)
	delete(env, "SLACK_APP_TOKEN")
	delete(env, "SLACK_BOT_TOKEN")
	code, _, errOut := runCmd(t, env, "run")
	if code == 0 {
		t.Fatal("run without tokens exited 0")
	}
	for _, want := range []string{"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "manifest.yaml"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if _, err := os.Stat(env["HERALD_DB"]); err == nil {
		t.Error("run without tokens created the database anyway")
	}
}

func TestVersionAndUsage(t *testing.T) {
	if code, out, _ := runCmd(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "herald ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, _, errOut := runCmd(t, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, "usage: herald") {
		t.Errorf("unknown command: %d %q; want 2 with usage", code, errOut)
	}
}

// TestReadmeConfigExample keeps the README's YAML example true: it must pass
// herald check as printed.
func TestReadmeConfigExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```yaml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no ```yaml example")
	}
	path := filepath.Join(t.TempDir(), "herald.yaml")
	if err := os.WriteFile(path, []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	env := baseEnv(t)
	env["HERALD_CONFIG"] = path
	if code, out, errOut := runCmd(t, env, "check"); code != 0 || !strings.Contains(out, "Configuration OK") {
		t.Errorf("herald check on the README example: exit %d\n%s%s", code, out, errOut)
	}
}

func TestConfigStringMasksSecrets(t *testing.T) {
	env := baseEnv(t)
	env["SMTP_HOST"], env["SMTP_FROM"], env["SMTP_USERNAME"], env["SMTP_PASSWORD"] = "mail", "h@example.com", "u", "hunter2secret"
	env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"], env["TWILIO_FROM"] = "AC1", "0123456789abcdef", "+14155550100"
	env["STATUSPAGE_API_KEY"], env["STATUSPAGE_PAGE_ID"] = "spkey123456789", "p"
	cfg, err := LoadConfig(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	out := cfg.String()
	for _, secret := range []string{"hunter2", "01234", "spkey", "secretbot", "secretapp"} {
		if strings.Contains(out, secret) {
			t.Errorf("config string shows part of a secret (%q):\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "SLACK_BOT_TOKEN=xoxb-…(set)") {
		t.Errorf("config string does not say the bot token is set:\n%s", out)
	}
}

func TestAudienceEmailsAreNormalised(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.yaml")
	os.WriteFile(path, []byte("audiences:\n  execs: {emails: [CEO@Example.com]}\n"), 0o600)
	env := baseEnv(t)
	env["HERALD_CONFIG"] = path
	cfg, err := LoadConfig(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Rules().Audiences["execs"].Emails; len(got) != 1 || got[0] != "ceo@example.com" {
		t.Errorf("audience e-mails = %v; want lower-cased like typed addresses, so one person gets one e-mail", got)
	}
}
