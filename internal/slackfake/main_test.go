package slackfake

import (
	"context"
	"fmt"
	"github.com/herald-comms/herald/internal/testkit"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// startApp runs a slack-go Socket Mode client against w and hands every
// event to handle; it stops the client when the test ends.
func startApp(t *testing.T, w *Workspace, handle func(smc *socketmode.Client, evt socketmode.Event)) *slack.Client {
	t.Helper()
	api := slack.New(w.BotToken, slack.OptionAppLevelToken(w.AppToken), slack.OptionAPIURL(w.APIURL()))
	smc := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_ = smc.RunContext(ctx)
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-smc.Events:
				handle(smc, evt)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return api
}

// botAPI is a Web API client for the bot token.
func botAPI(w *Workspace, opts ...slack.Option) *slack.Client {
	return slack.New(w.BotToken, append([]slack.Option{slack.OptionAPIURL(w.APIURL())}, opts...)...)
}

// issueTrigger hands out a trigger_id as if an envelope had just carried it.
func issueTrigger(w *Workspace, userID string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.newTriggerLocked(userID, "", "").id
}

// recTB records Errorf calls so tests can check that the fake fails tests.
type recTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recTB) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

func useClock(w *Workspace) *testkit.Clock {
	c := testkit.NewClock(time.Unix(1700000000, 0))
	w.mu.Lock()
	w.now = c.Now
	w.mu.Unlock()
	return c
}
