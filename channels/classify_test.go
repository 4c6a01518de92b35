package channels_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/herald-comms/herald/channels"
	"github.com/herald-comms/herald/comms"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	_ = ln.Close()
	_, refused := net.Dial("tcp", addr)

	perm := &channels.Error{Class: channels.Permanent, Message: "no"}
	tests := []struct {
		name string
		err  error
		want channels.Class
	}{
		{"a classified error is kept", fmt.Errorf("send: %w", perm), channels.Permanent},
		{"connection refused", refused, channels.Retryable},
		{"deadline", context.DeadlineExceeded, channels.Ambiguous},
		{"anything else", errors.New("boom"), channels.Ambiguous},
	}
	for _, tt := range tests {
		if got := channels.Classify(tt.err).Class; got != tt.want {
			t.Errorf("%s: got %s; want %s", tt.name, got, tt.want)
		}
	}
	if channels.Classify(nil) != nil {
		t.Errorf("Classify(nil): got non-nil; want nil")
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := channels.ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q): got %s; want %s", tt.in, got, tt.want)
		}
	}
}

func TestDefaultLanes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		medium      string
		rate        float64
		burst, conc int
	}{
		{"slack", 1, 20, 8},
		{"email", 14, 14, 8},
		{"sms", 1, 1, 2},
		{"statuspage", 1, 1, 1},
	}
	for _, tt := range tests {
		l := channels.DefaultLane(comms.Medium(tt.medium))
		if float64(l.Rate) != tt.rate || l.Burst != tt.burst || l.Concurrency != tt.conc || l.MaxAttempts != channels.DefaultMaxAttempts {
			t.Errorf("%s: got %+v; want rate %v, burst %d, concurrency %d", tt.medium, l, tt.rate, tt.burst, tt.conc)
		}
	}
}
