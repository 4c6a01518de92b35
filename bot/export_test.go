package bot

import "context"

// AddTestCommand adds a /incident subcommand for tests, such as one that
// panics, to check the router's recovery.
func (b *Bot) AddTestCommand(sub string, h func(ctx context.Context)) {
	b.router.commands[sub] = func(ctx context.Context, _ *request) { h(ctx) }
}
