package bot

import (
	"context"
	"testing"
	"time"
)

// AddTestCommand adds a /incident subcommand for tests, such as one that
// panics, to check the router's recovery.
func (b *Bot) AddTestCommand(sub string, h func(ctx context.Context)) {
	b.router.commands[sub] = func(ctx context.Context, _ *request) { h(ctx) }
}

// ForgetForms drops the comm forms kept in memory, as a restart does,
// once the form of view viewID has been kept on the Preview tab (the bot
// keeps it just after Slack shows the tab).
func (b *Bot) ForgetForms(tb testing.TB, viewID string) {
	tb.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if f, ok := b.forms.get(viewID); ok && f.Tab == tabPreview {
			b.forms.clear()
			return
		}
	}
	tb.Fatalf("the form of view %s was never kept on the Preview tab", viewID)
}
