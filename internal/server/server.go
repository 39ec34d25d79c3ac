// Package server is gqlbase's composition: over an open store it builds the dataloader cache,
// the resolvers, the realtime service (outbox listener, hub, credential watcher), the HTTP
// edge with the typed API, and the HTTP server, and hands each its dependencies. The store's
// change hooks are installed here, once, fanning every change out to the caches that hold
// it. Run starts every long-lived goroutine in one errgroup and returns when all of them
// have ended; the first error ends the others. Both the gqlbase command and the test harness
// serve through it, so tests exercise the same wiring.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gqlbase/gqlbase/dataloaders"
	"github.com/gqlbase/gqlbase/internal/netguard"
	"github.com/gqlbase/gqlbase/jobs"
	"github.com/gqlbase/gqlbase/realtime"
	"github.com/gqlbase/gqlbase/resolvers"
	"github.com/gqlbase/gqlbase/rest"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/webhooks"
)

// DefaultShutdownTimeout is how long in-flight requests may take to finish once Run's
// context ends.
const DefaultShutdownTimeout = 30 * time.Second

// Config is what the composition needs besides the store.
type Config struct {
	Logger *slog.Logger
	// Listener is where the HTTP API is served; Run serves on it and Close closes it.
	Listener net.Listener
	// Version is reported by the API.
	Version string
	// AllowSignUp lets anyone create a user; when false only invitations add people.
	AllowSignUp bool
	// SQL bounds raw SQL per workspace and per request.
	SQL resolvers.SQLLimits
	// Outbound is what requests a tenant aims (functions' fetch) may reach.
	Outbound netguard.Policy
	// REST configures the HTTP edge (its Logger and Version default to the ones above).
	REST rest.Config
	// Realtime tunes the listener and the credential watcher.
	Realtime realtime.Options
	// Cache sizes the dataloaders' cache of table metadata and rows.
	Cache dataloaders.CacheConfig
	// Files configures uploads and downloads (a nil Files.Blobs: no files); PublicURL is
	// the server's external address, for absolute URLs in answers.
	Files     FilesConfig
	PublicURL string
	// ShutdownTimeout bounds how long in-flight requests may take to finish (default
	// DefaultShutdownTimeout).
	ShutdownTimeout time.Duration
	// Jobs configures the job engine (workers, or none for an API-only process).
	Jobs jobs.Options
	// Webhooks configures webhook deliveries (private targets, backoff, dialect formats).
	Webhooks webhooks.Options
}

// Server is one gqlbase process's API, built and ready to Run.
type Server struct {
	Store    *storage.Store
	Cache    *dataloaders.Cache
	Realtime *realtime.Service
	Resolver *resolvers.Resolver
	API      *rest.Server
	HTTP     *http.Server
	Jobs     *jobs.Engine
	Webhooks *webhooks.Service

	logger          *slog.Logger
	ln              net.Listener
	shutdownTimeout time.Duration
	tasks           []task
	started         atomic.Bool
	releaseOnce     sync.Once
}

// task is a long-lived goroutine Run starts and waits for.
type task struct {
	name string
	run  func(ctx context.Context) error
}

// New builds the whole API over store. The store stays the caller's: close it after Run
// returned (or after Close, when Run never ran).
func New(store *storage.Store, cfg Config) (*Server, error) {
	if cfg.Listener == nil {
		return nil, errors.New("server: no listener")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.Realtime.Logger == nil {
		cfg.Realtime.Logger = cfg.Logger
	}
	if cfg.REST.Logger == nil {
		cfg.REST.Logger = cfg.Logger
	}
	if cfg.REST.Version == "" {
		cfg.REST.Version = cfg.Version
	}
	cache, err := dataloaders.NewCache(cfg.Cache)
	if err != nil {
		return nil, fmt.Errorf("dataloader cache: %w", err)
	}
	if cfg.Jobs.Logger == nil {
		cfg.Jobs.Logger = cfg.Logger
	}
	if cfg.Webhooks.Logger == nil {
		cfg.Webhooks.Logger = cfg.Logger
	}
	cfg.Jobs.Queues = append(cfg.Jobs.Queues, webhooks.Queue, resolvers.FunctionQueue)
	engine, err := jobs.New(store.DB().DB, cfg.Jobs)
	if err != nil {
		return nil, err
	}
	hooks, err := webhooks.New(store.DB(), engine, cfg.Webhooks)
	if err != nil {
		return nil, err
	}
	cfg.REST.Collectors = append(cfg.REST.Collectors, engine.Collector())
	cfg.REST.Collectors = append(cfg.REST.Collectors, hooks.Collectors()...)
	rt := realtime.NewService(store, cfg.Realtime)
	res := &resolvers.Resolver{
		Store: store, Cache: cache, Realtime: rt, Webhooks: hooks, Logger: cfg.Logger, Version: cfg.Version,
		AllowSignUp: cfg.AllowSignUp, SQL: cfg.SQL, Outbound: cfg.Outbound,
		// A revoked or rotated token ends what it holds in this process at once.
		OnTokenRevoked: rt.TokenRevoked, PublicURL: cfg.PublicURL,
	}
	if res.Files, err = newFiles(cfg.Files, store, cfg.Logger); err != nil {
		return nil, err
	}
	// Functions run on their triggers as jobs of the same engine.
	if err := res.RegisterFunctionJobs(engine); err != nil {
		return nil, err
	}
	// Committed events of every process drop stale cache entries before subscribers see
	// them; the hub loads what sinks need (table metadata) outside its lock.
	rt.OnEvents(cache.Apply)
	rt.Hub.Prepare(res.PrepareChanges)
	api := rest.New(cfg.REST, res)
	store.SetHooks(fanOut(
		storage.Hooks{TablesChanged: cache.InvalidateTables, RowsChanged: cache.InvalidateRows},
		api.Typed().Hooks(),
	))
	s := &Server{
		Store: store, Cache: cache, Realtime: rt, Resolver: res, API: api,
		HTTP: &http.Server{
			Handler:           api.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		},
		Jobs: engine, Webhooks: hooks,
		logger: cfg.Logger, ln: cfg.Listener, shutdownTimeout: cfg.ShutdownTimeout,
	}
	if res.Files != nil {
		s.Go("files-sweep", sweepPendingFiles(res.Files, cfg.Files.PendingMaxAge, cfg.Logger))
	}
	// Jobs stop with the server; the engine ends quietly when the store closes under it.
	s.Go("jobs", engine.Run)
	s.Go("function-cron", res.RunFunctionCron)
	return s, nil
}

// Addr is the address the API is served on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Go adds a long-lived goroutine to the ones Run starts (purge loops, the debug server, the
// cluster's supervisor): it runs until ctx ends, and an error it returns stops the server.
// Call it before Run.
func (s *Server) Go(name string, run func(ctx context.Context) error) {
	if s.started.Load() {
		panic("server: Go after Run")
	}
	s.tasks = append(s.tasks, task{name: name, run: run})
}

// Run serves until ctx ends or one of its goroutines fails, then shuts down: long-lived
// connections end, in-flight requests finish (up to the shutdown timeout), every goroutine
// returns, and the caches are released. It returns the first error, nil after a shutdown
// that ctx asked for. A Server runs once.
func (s *Server) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("server: Run called twice")
	}
	defer s.release()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := s.Realtime.Run(gctx); err != nil {
			return fmt.Errorf("realtime: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		if err := s.HTTP.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve %s: %w", s.ln.Addr(), err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		return s.shutdownHTTP()
	})
	for _, t := range s.tasks {
		g.Go(func() error {
			if err := t.run(gctx); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// shutdownHTTP ends the long-lived connections first (http.Server.Shutdown waits for
// neither hijacked WebSockets nor streams), lets in-flight requests finish, and waits for
// every handler to return, so nothing uses the caches once they are released.
func (s *Server) shutdownHTTP() error {
	s.logger.Info("shutting down: finishing in-flight requests")
	s.API.BeginShutdown()
	ctx, cancel := context.WithTimeout(context.Background(), s.shutdownTimeout)
	defer cancel()
	err := s.HTTP.Shutdown(ctx)
	if err == nil {
		err = s.API.Wait(ctx)
	}
	if err != nil {
		// Requests that outlived the timeout are cut off; the process is stopping anyway.
		s.logger.Warn("shutdown: requests still running after the timeout; closing them", "err", err)
		if cerr := s.HTTP.Close(); cerr != nil {
			s.logger.Warn("close HTTP server", "err", cerr)
		}
	}
	// Writes the requests left behind (a token's last use) finish before the store closes.
	s.Resolver.Wait()
	return nil
}

// Close releases what New acquired (the listener, the caches) when Run never ran; once Run
// started, Run releases them itself when it returns, and Close does nothing. The store
// stays open.
func (s *Server) Close() error {
	if !s.started.CompareAndSwap(false, true) {
		return nil
	}
	s.release()
	if err := s.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("close listener: %w", err)
	}
	return nil
}

// release stops the caches' own goroutines (ristretto's), once.
func (s *Server) release() {
	s.releaseOnce.Do(func() {
		s.Cache.Close()
		s.API.Typed().Close()
	})
}
