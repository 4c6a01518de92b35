package main

import (
	"io"
	"time"

	"github.com/rs/zerolog"
)

// newLogger builds the one logger Herald uses; it is passed down, never global.
func newLogger(cfg *Config, w io.Writer) zerolog.Logger {
	level, err := zerolog.ParseLevel(cfg.LogLevel)
	if err != nil {
		level = zerolog.InfoLevel
	}
	if cfg.LogFormat == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Str("app", "herald").Logger()
}
