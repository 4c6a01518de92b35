package main

import (
	"context"
	"fmt"
	"github.com/herald-comms/herald/internal/testkit"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-comms/herald/internal/slackfake"
	"github.com/herald-comms/herald/internal/smtptest"
	"github.com/herald-comms/herald/internal/statuspagefake"
	"github.com/herald-comms/herald/internal/twiliofake"
)

// People of the fake workspace used by the end-to-end tests.
const (
	uCommander = "U0CMDR"    // declares incidents and commands them
	uApprover  = "U0APPROVE" // a configured approver
	uEngineer  = "U0ENG"     // may draft, may not approve
	uNoPhone   = "U0NOPHONE" // has no phone on their profile
	uGroupie   = "U0GROUPIE" // approves as a member of the approver user group
)

// harness is Herald running in process against fakes of every provider,
// exactly as an operator would start it: through run() with an environment.
type harness struct {
	t      *testing.T
	slack  *slackfake.Workspace
	twilio *twiliofake.Fake
	sp     *statuspagefake.Fake
	smtp   *smtptest.Server
	env    map[string]string
	ops    *slackfake.Channel // a public channel comms go to
	stop   context.CancelFunc
	done   chan int
	logs   *testkit.SyncBuffer
}

const testYAML = `approvers: [%s]
approver_groups: [S0COMMS]
default_phone_region: US
sms_segment_limit: 3
public_url: https://status.example.com
directory:
  Dana Oncall: {phone: "+1 415 555 0101", email: dana@example.com}
  Sam Support: {phone: "(415) 555-0102"}
audiences:
  executives:
    emails: [ceo@example.com]
cadence:
  SEV1: 15m
  SEV2: 30m
delivery:
  sms: {rate: 50, burst: 10, concurrency: 8}
  email: {rate: 200, burst: 50, concurrency: 8}
  slack: {rate: 50, burst: 20, concurrency: 8}
  statuspage: {rate: 1, burst: 1, concurrency: 1}
`

// startHerald starts the fakes and Herald, and waits until Herald's Socket
// Mode connection is up.
func startHerald(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.start()
	return h
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, slack: slackfake.New(t), twilio: twiliofake.New(t), sp: statuspagefake.New(t), smtp: smtptest.New(t)}
	w := h.slack
	w.AddUser(slackfake.User{ID: uCommander, Name: "casey", RealName: "Casey Commander", Phone: "+1 415 555 0110", Email: "casey@example.com"})
	w.AddUser(slackfake.User{ID: uApprover, Name: "avery", RealName: "Avery Approver", Phone: "+1 415 555 0111", Email: "avery@example.com"})
	w.AddUser(slackfake.User{ID: uEngineer, Name: "eli", RealName: "Eli Engineer", Phone: "(415) 555-0112", Email: "eli@example.com"})
	w.AddUser(slackfake.User{ID: uNoPhone, Name: "nora", RealName: "Nora Nophone", Email: "nora@example.com"})
	w.AddUser(slackfake.User{ID: uGroupie, Name: "gina", RealName: "Gina Group", Phone: "+1 415 555 0113"})
	w.AddUserGroup("S0COMMS", "comms-approvers", uGroupie)
	h.ops = w.AddChannel("ops", slackfake.Public, uCommander, uEngineer)
	w.AddChannel("general", slackfake.Public, uCommander, uApprover, uEngineer, w.BotUserID)

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "herald.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(testYAML, uApprover)), 0o600); err != nil {
		t.Fatal(err)
	}
	h.env = map[string]string{
		"SLACK_APP_TOKEN":           w.AppToken,
		"SLACK_BOT_TOKEN":           w.BotToken,
		"HERALD_SLACK_API_URL":      w.APIURL(),
		"HERALD_DB":                 filepath.Join(dir, "herald.db"),
		"HERALD_CONFIG":             cfgPath,
		"HERALD_LOG_FORMAT":         "json",
		"HERALD_LOG_LEVEL":          "debug",
		"SMTP_HOST":                 h.smtp.Host(),
		"SMTP_PORT":                 strconv.Itoa(h.smtp.Port()),
		"SMTP_TLS":                  "none",
		"SMTP_FROM":                 "herald@example.com",
		"TWILIO_ACCOUNT_SID":        h.twilio.AccountSID,
		"TWILIO_AUTH_TOKEN":         h.twilio.AuthToken,
		"TWILIO_FROM":               "+14155550199",
		"HERALD_TWILIO_API_URL":     h.twilio.URL(),
		"STATUSPAGE_API_KEY":        h.sp.APIKey,
		"STATUSPAGE_PAGE_ID":        h.sp.PageID,
		"HERALD_STATUSPAGE_API_URL": h.sp.URL(),
	}
	return h
}

// start runs Herald until the test ends.
func (h *harness) start() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h.stop, h.done, h.logs = cancel, make(chan int, 1), &testkit.SyncBuffer{}
	go func() { h.done <- run(ctx, []string{"run"}, envOf(h.env), h.logs, h.logs) }()
	h.t.Cleanup(h.shutdown)
	h.slack.Eventually(h.t, func() bool {
		select {
		case code := <-h.done:
			h.done <- code
			return true
		default:
		}
		return h.slack.Connected() > 0
	}, "herald to connect over Socket Mode")
	select {
	case code := <-h.done:
		h.t.Fatalf("herald exited %d at start:\n%s", code, h.logs)
	default:
	}
}

// shutdown stops Herald and checks it exits cleanly; it also fails the test
// if Herald ever logged a secret.
func (h *harness) shutdown() {
	if h.stop == nil {
		return
	}
	h.stop()
	select {
	case code := <-h.done:
		if code != 0 {
			h.t.Errorf("herald exited %d on shutdown:\n%s", code, h.logs)
		}
	case <-time.After(15 * time.Second):
		h.t.Errorf("herald did not stop within 15 s of its context ending")
	}
	h.stop = nil
	logs := h.logs.String()
	if h.t.Failed() || testing.Verbose() {
		h.t.Logf("herald's log:\n%s", logs)
	}
	for _, k := range []string{"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "TWILIO_AUTH_TOKEN", "STATUSPAGE_API_KEY"} {
		if v := h.env[k]; v != "" && strings.Contains(logs, v) {
			h.t.Errorf("the log contains the secret %s", k)
		}
	}
}

// restart stops Herald and starts it again on the same database.
func (h *harness) restart() {
	h.t.Helper()
	h.shutdown()
	h.start()
}

// waitFor waits up to 15 s for cond: deliveries go through rate-limited
// lanes (Statuspage allows one request a second), and a loaded CI machine
// running with -race is slower than Slack's 3 s interaction budget.
func (h *harness) waitFor(cond func() bool, what string, args ...any) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("gave up after 15 s waiting for "+what, args...)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
