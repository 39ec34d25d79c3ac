package rest

import (
	"context"
	"net/http"
	"time"
)

// health answers whether the process is up; it needs no auth and touches nothing.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"status":        "ok",
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
