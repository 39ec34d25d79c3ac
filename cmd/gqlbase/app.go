package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gqlbase/gqlbase/internal/netguard"
	"github.com/gqlbase/gqlbase/internal/server"
	"github.com/gqlbase/gqlbase/jobs"
	"github.com/gqlbase/gqlbase/logging"
	"github.com/gqlbase/gqlbase/resolvers"
	"github.com/gqlbase/gqlbase/rest"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgcluster"
	"github.com/gqlbase/gqlbase/webhooks"
)

// app is one gqlbase serve process: the embedded cluster (unless DATABASE_URL names one), the
// store and the composed API with every background loop. build acquires it all, Run serves
// until its context ends and returns once every goroutine has, Close releases the rest.
type app struct {
	logger  *slog.Logger
	cluster *pgcluster.Cluster // nil with --database-url
	store   *storage.Store
	srv     *server.Server
}

// build starts what serving needs, in order; on an error it releases what it had started.
func build(ctx context.Context, cfg serveConfig, stderr io.Writer) (a *app, err error) {
	logger := logging.New(stderr, cfg.logFormat, cfg.logLevel)
	slog.SetDefault(logger)
	a = &app{logger: logger}
	defer func() {
		if err != nil {
			a.Close()
			a = nil
		}
	}()
	// The address first: a busy port must fail before anything is created (a data dir, a
	// cluster, an admin token) and without the seconds a cluster's start takes.
	ln, err := listen(cfg.addr)
	if err != nil {
		return a, err
	}
	defer func() {
		if a.srv == nil {
			ln.Close() // the server owns it once made
		}
	}()
	dataDir, err := filepath.Abs(cfg.dataDir)
	if err != nil {
		return a, fmt.Errorf("data dir: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return a, fmt.Errorf("create data dir: %w", err)
	}

	dsn := cfg.databaseURL
	if dsn == "" {
		a.cluster, err = pgcluster.Start(ctx, pgcluster.Options{DataDir: dataDir, BinDir: cfg.pgBin, Logger: logger, CallerSupervises: true})
		if err != nil {
			return a, err
		}
		// The superuser only bootstraps gqlbase's own role; the pool never connects as it.
		if err := a.cluster.EnsureAppRole(ctx, "postgres"); err != nil {
			return a, err
		}
		dsn = a.cluster.AppDSN("postgres")
		logger.Info("embedded PostgreSQL running", "dir", a.cluster.Dir())
	}

	stmtTimeout := cfg.stmtTimeout
	if stmtTimeout == 0 {
		stmtTimeout = -1 // storage: no limit
	}
	a.store, err = storage.Open(ctx, dsn, storage.Options{Logger: logger, RawSQLMaxConns: cfg.sql.maxConns, StatementTimeout: stmtTimeout})
	if err != nil {
		return a, err
	}
	filesCfg, limits, err := cfg.files.open(ctx, dataDir)
	if err != nil {
		return a, err
	}
	filesCfg.AllowPrivateFetch = cfg.allowPrivateTargets
	srv, err := server.New(a.store, server.Config{
		Logger: logger, Listener: ln, Version: buildVersion(), AllowSignUp: !cfg.disableSignUp, Outbound: netguard.Policy{AllowPrivate: cfg.allowPrivateTargets}, SQL: cfg.sql.limits(),
		REST:  rest.Config{Version: buildVersion(), AllowedOrigins: splitList(cfg.allowedOrigins), TrustedProxies: cfg.trustedProxies, Limits: limits},
		Files: filesCfg, PublicURL: cfg.files.publicURL,
		Jobs:     jobs.Options{Workers: cfg.jobsWorkers, Disabled: cfg.jobsWorkers == 0},
		Webhooks: webhooks.Options{AllowPrivate: cfg.webhookAllowPrivate || cfg.allowPrivateTargets},
	})
	if err != nil {
		return a, err
	}
	a.srv = srv
	if err := bootstrap(ctx, a.srv.Resolver, dataDir, cfg.adminToken, logger); err != nil {
		return a, err
	}
	a.addLoops(cfg)
	return a, nil
}

// listen opens the API's address; a busy one is named as such, with what to do about it.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("address %s is in use: another process listens there (stop it, or choose another address with --addr or GQLBASE_ADDR): %w", addr, err)
	}
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// addLoops hands the background loops to the server, which runs them with the API.
func (a *app) addLoops(cfg serveConfig) {
	store, logger := a.store, a.logger
	every := func(interval time.Duration, loop func(ctx context.Context, tick <-chan time.Time)) func(context.Context) error {
		return func(ctx context.Context) error {
			t := time.NewTicker(interval)
			defer t.Stop()
			loop(ctx, t.C)
			return nil
		}
	}
	a.srv.Go("purge trash", every(purgeInterval(cfg.trashRetention), func(ctx context.Context, tick <-chan time.Time) {
		purgeTrashLoop(ctx, store.PurgeTrash, cfg.trashRetention, tick, logger)
	}))
	a.srv.Go("purge events", every(purgeInterval(cfg.eventRetention), func(ctx context.Context, tick <-chan time.Time) {
		purgeLoop(ctx, "events", store.PurgeEvents, cfg.eventRetention, tick, logger)
	}))
	a.srv.Go("purge audit log", every(purgeInterval(cfg.auditRetention), func(ctx context.Context, tick <-chan time.Time) {
		purgeLoop(ctx, "audit log", store.PurgeAudit, cfg.auditRetention, tick, logger)
	}))
	a.srv.Go("purge sessions", every(time.Hour, func(ctx context.Context, tick <-chan time.Time) {
		purgeLoop(ctx, "expired sessions", func(ctx context.Context, _ time.Duration) (int64, error) {
			return store.PurgeExpiredSessions(ctx)
		}, time.Hour, tick, logger)
	}))
	if cfg.debugAddr != "" {
		a.srv.Go("debug server", func(ctx context.Context) error { return serveDebug(ctx, cfg.debugAddr, logger) })
	}
	if a.cluster != nil {
		a.srv.Go("PostgreSQL supervisor", a.cluster.Supervise)
	}
}

// Run serves until ctx ends or something fails, and returns once every goroutine has ended.
func (a *app) Run(ctx context.Context) error {
	addr := a.srv.Addr().String()
	a.logger.Info("gqlbase serving", "addr", addr, "version", buildVersion(),
		"graphql", "http://"+addr+"/graphql", "playground", "http://"+addr+"/playground")
	return a.srv.Run(ctx)
}

// Close releases what build acquired, in reverse: the server (when it never ran), the store,
// the embedded cluster. Call it after Run returned.
func (a *app) Close() error {
	var errs []error
	if a.srv != nil {
		errs = append(errs, a.srv.Close())
	}
	if a.store != nil {
		errs = append(errs, a.store.Close())
	}
	if a.cluster != nil {
		if err := a.cluster.Stop(); err != nil {
			a.logger.Error("stop PostgreSQL", "err", err)
			errs = append(errs, fmt.Errorf("stop PostgreSQL: %w", err))
		} else {
			a.logger.Info("PostgreSQL stopped")
		}
	}
	return errors.Join(errs...)
}

// bootstrap prepares an empty store and writes a generated admin token to the data dir.
func bootstrap(ctx context.Context, res *resolvers.Resolver, dataDir, envToken string, logger *slog.Logger) error {
	secret, created, err := res.Bootstrap(ctx, envToken)
	if err != nil {
		return err
	}
	path := filepath.Join(dataDir, "admin-token")
	switch {
	case created:
		if err := writePrivateFile(path, secret+"\n"); err != nil {
			return fmt.Errorf("write admin token: %w", err)
		}
		logger.Info("created the owner workspace and an admin token", "admin_token_file", path)
	case envToken != "":
		logger.Info("admin token taken from GQLBASE_ADMIN_TOKEN")
	default:
		if _, err := os.Stat(path); err == nil {
			logger.Info("admin token", "admin_token_file", path)
		}
	}
	return nil
}
