package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/herald-comms/herald/store"
)

// runBot starts Herald: configuration, then the database (so a second
// instance on the same file fails at once, before touching Slack), then
// Slack, the delivery dispatcher and the bot, until ctx ends.
func runBot(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "herald: configuration errors:\n%s\n", indent(err.Error()))
		return 1
	}
	if miss := cfg.MissingSlack(); len(miss) > 0 {
		fmt.Fprintf(stderr, "herald: missing %s.\n%s", strings.Join(miss, " and "), slackSetup)
		return 1
	}
	log := newLogger(cfg, stderr)
	log.Debug().Str("config", cfg.String()).Msg("configuration (secrets masked)")
	for _, w := range cfg.Warnings {
		log.Warn().Msg(w)
	}

	db, err := store.Open(cfg.DB, store.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "herald: %v\n", err)
		return 1
	}
	defer db.Close()

	api := slack.New(cfg.SlackBotToken,
		slack.OptionAppLevelToken(cfg.SlackAppToken),
		slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionHTTPClient(&http.Client{Timeout: 15 * time.Second}),
	)
	auth, err := api.AuthTestContext(ctx)
	var rejected slack.SlackErrorResponse
	switch {
	case errors.As(err, &rejected):
		fmt.Fprintf(stderr, "herald: Slack rejected SLACK_BOT_TOKEN (auth.test: %s).\n%s", rejected.Err, slackSetup)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "herald: cannot reach Slack at %s: %v\n", cfg.SlackAPIURL, err)
		return 1
	}
	log.Info().Str("team", auth.Team).Str("bot_user", auth.UserID).Str("db", cfg.DB).
		Str("media", enabledMedia(cfg)).Msg("herald starting")

	app, closeAll, err := assemble(cfg, db, api, auth.UserID, log)
	defer closeAll()
	if err != nil {
		fmt.Fprintf(stderr, "herald: %v\n", err)
		return 1
	}
	if cfg.HTTPAddr != "" {
		app = append(app, opsServer{addr: cfg.HTTPAddr, db: db, log: log})
	}
	if err := serve(ctx, app); err != nil && !errors.Is(err, context.Canceled) {
		log.Error().Err(err).Msg("herald stopped")
		fmt.Fprintf(stderr, "herald: %v\n", err)
		return 1
	}
	log.Info().Msg("herald stopped")
	return 0
}

// component is a long-running part of Herald.
type component interface {
	Run(ctx context.Context) error
}

// serve runs every component until ctx ends or one fails, then stops them
// one at a time in the order given, each after the one before has returned:
// the dispatcher's last delivery reports go through a bot that still runs.
func serve(ctx context.Context, parts []component) error {
	failed := make(chan error, len(parts))
	type running struct {
		stop context.CancelFunc
		done chan struct{}
	}
	var all []running
	for _, p := range parts {
		pctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		all = append(all, running{stop, done})
		go func() {
			defer close(done)
			if err := p.Run(pctx); err != nil && !errors.Is(err, context.Canceled) {
				failed <- err
			}
		}()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-failed:
	}
	for _, r := range all {
		r.stop()
		<-r.done
	}
	return err
}

func enabledMedia(cfg *Config) string {
	var on []string
	for m, ok := range cfg.Media() {
		if ok {
			on = append(on, string(m))
		}
	}
	return strings.Join(on, ",")
}
