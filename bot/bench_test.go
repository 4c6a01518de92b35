package bot_test

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/herald-comms/herald/bot"
	"github.com/herald-comms/herald/comms"
	"github.com/herald-comms/herald/store"
)

// BenchmarkSlashAck measures the time from a slash command envelope leaving
// slackfake to its ack arriving back, for 200 concurrent /incident list
// commands per iteration, and reports the 50th and 99th percentiles. Every
// envelope is recorded in a bbolt deduper that syncs to disk, as in
// production, since that write is on the ack path.
func BenchmarkSlashAck(b *testing.B) {
	dedupDB, err := store.Open(filepath.Join(b.TempDir(), "dedup.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { dedupDB.Close() })
	h := start(b, func(cfg *bot.Config, _ *comms.Service) {
		cfg.Dedup = &store.Deduper{DB: dedupDB, TTL: 10 * time.Minute}
	})
	const concurrent = 200
	var delays []time.Duration
	b.ResetTimer()
	for range b.N {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range concurrent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := h.w.SlashCommand(alice, h.ops.ID(), "/incident", "list")
				d := cmd.Envelope.AckDelay()
				mu.Lock()
				delays = append(delays, d)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	b.StopTimer()
	slices.Sort(delays)
	pct := func(p float64) float64 {
		i := int(p * float64(len(delays)-1))
		return float64(delays[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
