// Command gqlbase runs the gqlbase server: `gqlbase serve` (also what a bare `gqlbase` does).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gqlbase/gqlbase/jobs"
	"github.com/gqlbase/gqlbase/resolvers"
	"github.com/gqlbase/gqlbase/rest"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgcluster"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gqlbase:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := parseServeFlags(args, stderr)
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h: the usage is printed, which is what was asked for
		}
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return serve(ctx, cfg, stderr)
	case "version":
		fmt.Fprintln(stdout, buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "usage: gqlbase [serve] [flags] | gqlbase version\n\nRun 'gqlbase serve -h' for the flags.")
		return nil
	}
	return fmt.Errorf("unknown command %q (want serve or version)", cmd)
}

type serveConfig struct {
	addr                string
	dataDir             string
	databaseURL         string
	logFormat           string
	logLevel            string
	allowedOrigins      string
	disableSignUp       bool
	allowPrivateTargets bool
	adminToken          string
	pgBin               string
	trashRetention      time.Duration
	eventRetention      time.Duration
	auditRetention      time.Duration
	stmtTimeout         time.Duration
	debugAddr           string
	sql                 sqlConfig
	trustedProxies      []netip.Prefix
	files               fileFlags
	// jobsWorkers is the job engine's concurrency per queue; 0 works no jobs here.
	jobsWorkers         int
	webhookAllowPrivate bool
}

func parseServeFlags(args []string, stderr io.Writer) (serveConfig, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c serveConfig
	fs.StringVar(&c.addr, "addr", env("GQLBASE_ADDR", "127.0.0.1:8080"), "listen address (env GQLBASE_ADDR)")
	fs.StringVar(&c.dataDir, "data-dir", env("GQLBASE_DATA_DIR", "./data"), "data directory: embedded Postgres, admin token (env GQLBASE_DATA_DIR)")
	fs.StringVar(&c.databaseURL, "database-url", env("DATABASE_URL", ""), "use this Postgres instead of the embedded one (env DATABASE_URL)")
	fs.StringVar(&c.logFormat, "log-format", env("GQLBASE_LOG_FORMAT", "text"), "text or json (env GQLBASE_LOG_FORMAT)")
	fs.StringVar(&c.logLevel, "log-level", env("GQLBASE_LOG_LEVEL", "info"), "debug, info, warn or error (env GQLBASE_LOG_LEVEL)")
	fs.StringVar(&c.allowedOrigins, "allowed-origins", env("GQLBASE_ALLOWED_ORIGINS", "*"), "comma-separated browser origins allowed for CORS and WebSockets, or * (env GQLBASE_ALLOWED_ORIGINS)")
	fs.StringVar(&c.pgBin, "pg-bin", env(pgcluster.BinDirEnv, ""), "folder holding PostgreSQL's initdb, pg_ctl and postgres for the embedded cluster; default: search PATH and the usual folders (env "+pgcluster.BinDirEnv+")")
	retention, err := trashRetentionFromEnv()
	if err != nil {
		return c, err
	}
	fs.DurationVar(&c.trashRetention, "trash-retention", retention, "how long deleted rows stay in the trash, restorable, before they are purged; 0 keeps them forever (env GQLBASE_TRASH_RETENTION)")
	eventRetention, err := eventRetentionFromEnv()
	if err != nil {
		return c, err
	}
	fs.DurationVar(&c.eventRetention, "event-retention", eventRetention, "how long change events are kept for event streams to resume from; 0 keeps them forever (env GQLBASE_EVENT_RETENTION)")
	auditRetention, err := retentionFromEnv("GQLBASE_AUDIT_RETENTION", defaultAuditRetention, "audit entries")
	if err != nil {
		return c, err
	}
	fs.DurationVar(&c.auditRetention, "audit-retention", auditRetention, "how long audit log entries are kept; 0 keeps them forever (env GQLBASE_AUDIT_RETENTION)")
	stmtTimeout, err := retentionFromEnv("GQLBASE_STATEMENT_TIMEOUT", storage.DefaultStatementTimeout, "statements running")
	if err != nil {
		return c, err
	}
	fs.DurationVar(&c.stmtTimeout, "statement-timeout", stmtTimeout, "the longest any API statement may run (Postgres statement_timeout); 0: no limit (env GQLBASE_STATEMENT_TIMEOUT)")
	fs.BoolVar(&c.allowPrivateTargets, "allow-private-targets", os.Getenv("GQLBASE_ALLOW_PRIVATE_TARGETS") == "true", "let outbound requests tenants choose (functions' fetch, uploads from a URL, webhooks) reach private, loopback and link-local addresses; for receivers on the same network (env GQLBASE_ALLOW_PRIVATE_TARGETS=true)")
	fs.BoolVar(&c.disableSignUp, "disable-signup", os.Getenv("GQLBASE_DISABLE_SIGNUP") == "true", "refuse self sign-up; people join by invitation (env GQLBASE_DISABLE_SIGNUP=true)")
	if err := addSQLFlags(fs, &c.sql); err != nil {
		return c, err
	}
	if err := addFileFlags(fs, &c.files); err != nil {
		return c, err
	}
	fs.StringVar(&c.debugAddr, "debug-addr", env("GQLBASE_DEBUG_ADDR", ""), "serve Go's pprof profiles on this address, e.g. 127.0.0.1:6060 (env GQLBASE_DEBUG_ADDR; off by default)")
	jobsWorkers, err := strconv.Atoi(env("GQLBASE_JOBS_WORKERS", strconv.Itoa(jobs.DefaultWorkers)))
	if err != nil || jobsWorkers < 0 {
		return c, fmt.Errorf("GQLBASE_JOBS_WORKERS must be a number of workers, 0 or more")
	}
	fs.IntVar(&c.jobsWorkers, "jobs-workers", jobsWorkers, "background jobs (webhook deliveries, ...) this process works at once per queue; 0: none, for API-only processes (env GQLBASE_JOBS_WORKERS)")
	fs.BoolVar(&c.webhookAllowPrivate, "webhook-allow-private", os.Getenv("GQLBASE_WEBHOOK_ALLOW_PRIVATE") == "true", "let webhooks reach loopback, private and link-local addresses (env GQLBASE_WEBHOOK_ALLOW_PRIVATE=true; off by default)")
	var trustedProxies string
	fs.StringVar(&trustedProxies, "trusted-proxies", env("GQLBASE_TRUSTED_PROXIES", ""), "comma-separated addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For names the client, for the per-address limits of log-ins and sign-ups (env GQLBASE_TRUSTED_PROXIES; none by default)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.trustedProxies, err = rest.ParseTrustedProxies(trustedProxies); err != nil {
		return c, fmt.Errorf("--trusted-proxies: %w", err)
	}
	if c.jobsWorkers < 0 || c.jobsWorkers > 10000 {
		return c, fmt.Errorf("--jobs-workers must be between 0 and 10000")
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if c.trashRetention < 0 {
		return c, fmt.Errorf("--trash-retention must not be negative")
	}
	if c.eventRetention < 0 {
		return c, fmt.Errorf("--event-retention must not be negative")
	}
	if c.auditRetention < 0 {
		return c, fmt.Errorf("--audit-retention must not be negative")
	}
	if c.stmtTimeout < 0 {
		return c, fmt.Errorf("--statement-timeout must not be negative")
	}
	if err := c.sql.check(); err != nil {
		return c, err
	}
	// Checked before anything starts: a wrong token must not cost a PostgreSQL start.
	c.adminToken = strings.TrimSpace(os.Getenv("GQLBASE_ADMIN_TOKEN"))
	if err := resolvers.CheckBootstrapToken(c.adminToken); err != nil {
		return c, err
	}
	return c, nil
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// serve runs gqlbase until ctx ends: build, run, release.
func serve(ctx context.Context, cfg serveConfig, stderr io.Writer) error {
	a, err := build(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	runErr := a.Run(ctx)
	closeErr := a.Close()
	if runErr != nil {
		return runErr
	}
	return closeErr
}

// writePrivateFile replaces path with a file only its owner can read, whatever the mode of a
// file already there (os.WriteFile keeps an existing file's mode).
func writePrivateFile(path, content string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // a no-op once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
