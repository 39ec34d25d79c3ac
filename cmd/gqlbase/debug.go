package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveDebug serves Go's profiles on their own address, apart from the API, for operators who
// need to see where time and memory go, until ctx ends. An address it cannot listen on is
// logged and the API serves on without profiles.
func serveDebug(ctx context.Context, addr string, logger *slog.Logger) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		logger.Error("debug server", "err", err)
		return nil
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	logger.Info("debug profiles", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		logger.Error("debug server", "err", err)
		return nil
	case <-ctx.Done():
	}
	// Profiles in progress are cut off: they are for looking at a running server.
	srv.Close()
	<-served
	return nil
}
