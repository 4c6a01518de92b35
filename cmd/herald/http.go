package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/herald-comms/herald/store"
)

// opsServer answers HERALD_HTTP_ADDR: /healthz, /metrics (Prometheus text)
// and /backup (a consistent copy of the database while Herald runs, since
// the file is locked). It is meant for a loopback or private address.
type opsServer struct {
	addr string
	db   *store.DB
	log  zerolog.Logger
}

func (o opsServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		st, err := o.db.Stats(r.Context())
		if err != nil {
			http.Error(w, "stats unavailable", http.StatusServiceUnavailable)
			o.log.Error().Err(err).Msg("metrics")
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		for _, m := range []struct {
			name, help string
			v          int64
		}{
			{"herald_incidents_total", "Incidents ever declared.", int64(st.Incidents)},
			{"herald_comms_total", "Comms ever drafted.", int64(st.Comms)},
			{"herald_deliveries_total", "Delivery rows.", int64(st.Deliveries)},
			{"herald_deliveries_due", "Delivery rows waiting for the dispatcher.", int64(st.Due)},
			{"herald_deliveries_sending", "Delivery rows being sent.", int64(st.Sending)},
			{"herald_db_bytes", "Bytes of the database in use.", st.Size},
		} {
			fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", m.name, m.help, m.name, m.name, m.v)
		}
	})
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="herald-backup.db"`)
		if _, err := o.db.Backup(w); err != nil {
			o.log.Error().Err(err).Msg("backup over HTTP")
		}
	})
	return mux
}

// Run serves until ctx ends.
func (o opsServer) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("HERALD_HTTP_ADDR: %w", err)
	}
	srv := &http.Server{Handler: o.handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	o.log.Info().Str("addr", ln.Addr().String()).Msg("ops listener: /healthz /metrics /backup")
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
