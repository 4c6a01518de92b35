package store

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-comms/herald/comms"
)

// BenchmarkUpdateDelivery measures fsync'd outcome writes, the dispatcher's
// hottest write, from one goroutine and from many.
func BenchmarkUpdateDelivery(b *testing.B) {
	for _, mode := range []string{"sequential", "parallel"} {
		b.Run(mode, func(b *testing.B) {
			db, err := Open(filepath.Join(b.TempDir(), "herald.db"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			inc := mustIncident(b, db, "bench")
			targets := make([]string, 64)
			for i := range targets {
				targets[i] = fmt.Sprintf("C%03d", i)
			}
			_, ds := mustSend(b, db, inc.ID, channels(targets...), t0)
			var n atomic.Int64
			write := func() error {
				i := n.Add(1)
				_, err := db.UpdateDelivery(ctx, ds[int(i)%len(ds)].ID, func(d *comms.Delivery) error {
					d.Attempts++
					d.NotBefore = t0.Add(time.Duration(i) * time.Millisecond)
					return nil
				})
				return err
			}
			b.ResetTimer()
			if mode == "sequential" {
				for b.Loop() {
					if err := write(); err != nil {
						b.Fatal(err)
					}
				}
			} else {
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := write(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}
