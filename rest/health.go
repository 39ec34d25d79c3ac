package rest

import (
	"context"
	"net/http"
	"time"
)

// health answers whether the process is alive, and says "degraded" while Postgres does not
// answer. It stays 200 then: liveness probes restart a process that fails them, and a gqlbase
// whose database is down is waiting for it to come back (the embedded cluster is restarted by
// its supervisor, the pool reconnects), which a restart would only delay. /ready is the probe
// that takes it out of rotation meanwhile.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	// Short, so a hanging database does not make the liveness probe time out.
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	status, postgres := "ok", "ok"
	if err := s.store.Ping(ctx); err != nil {
		s.logger.WarnContext(ctx, "health degraded: Postgres does not answer", "err", err)
		status, postgres = "degraded", "unreachable"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"status":        status,
		"postgres":      postgres,
		"version":       s.cfg.Version,
		"uptimeSeconds": int64(time.Since(s.started).Seconds()),
	})
}

// ready answers whether the server can serve: Postgres must answer.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.logger.WarnContext(ctx, "not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "postgres": "unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "postgres": "ok"})
}
