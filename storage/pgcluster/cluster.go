// Package pgcluster runs a private PostgreSQL cluster inside a gqlbase data directory: it
// initialises it on first use, starts it listening only on a unix socket in a private folder,
// reuses it on the next start and stops it on exit. The test harness uses it too, so tests run
// against the same kind of server as production.
package pgcluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Options configures a cluster.
type Options struct {
	// DataDir is gqlbase's data directory; the cluster lives in DataDir/pg.
	DataDir string
	// Fast trades durability for speed (no fsync, no full-page writes): for tests only.
	Fast bool
	// Settings are extra postgresql.conf settings.
	Settings map[string]string
	// BinDir is the folder holding initdb, pg_ctl and postgres. Empty: the GQLBASE_PG_BIN
	// environment variable, else a search of PATH and the usual install folders.
	BinDir string
	Logger *slog.Logger
	// CallerSupervises leaves the supervisor to the caller, who runs Supervise among its own
	// goroutines; otherwise Start runs it until Stop.
	CallerSupervises bool
}

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	dir       string // the cluster's data directory
	socketDir string
	binDir    string
	runAs     *account
	lock      *dirLock
	logger    *slog.Logger
	// started is false when the server was found already running (after a crash of a previous
	// gqlbase): it is still ours to stop.
	started bool

	// mu serialises what starts and stops the server: the supervisor's restarts, Restart, Stop.
	mu             sync.Mutex
	supervisorStop chan struct{}
	supervisorDone chan struct{}
	stopOnce       sync.Once
}

const superuser = "postgres"

// Start locks the data directory, initialises the cluster if it does not exist yet and starts
// it. The returned cluster must be stopped with Stop.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	lock, err := lockDir(dataDir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: filepath.Join(dataDir, "pg"), lock: lock, logger: logger}
	ok := false
	defer func() {
		if !ok {
			lock.release()
		}
	}()

	binDir := opts.BinDir
	if binDir == "" {
		binDir = os.Getenv(BinDirEnv)
	}
	if c.binDir, err = findBinaries(binDir); err != nil {
		return nil, err
	}
	if c.runAs, err = serverAccount(); err != nil {
		return nil, err
	}
	clusterHome := dataDir
	if c.runAs != nil {
		if clusterHome, err = c.reachableHome(dataDir); err != nil {
			return nil, err
		}
		c.dir = filepath.Join(clusterHome, "pg")
	}
	if c.socketDir, err = socketDirFor(clusterHome); err != nil {
		return nil, err
	}
	if err := c.makePrivateDir(c.socketDir); err != nil {
		return nil, fmt.Errorf("socket dir: %w", err)
	}

	if _, err := os.Stat(filepath.Join(c.dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx, opts.Fast); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("inspect cluster: %w", err)
	}
	if err := c.writeSettings(opts); err != nil {
		return nil, err
	}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	if !opts.CallerSupervises {
		c.startSupervisor()
	}
	ok = true
	return c, nil
}

// DSN returns a lib/pq connection string for the given database.
func (c *Cluster) DSN(database string) string {
	return fmt.Sprintf("host=%s port=5432 user=%s dbname=%s sslmode=disable", c.socketDir, superuser, database)
}

// URL returns a postgres:// URL for the given database, usable as DATABASE_URL.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&port=5432&sslmode=disable", superuser, database, c.socketDir)
}

// Dir is the cluster's data directory.
func (c *Cluster) Dir() string { return c.dir }

// Stop ends the supervision, shuts the server down (fast mode: open sessions are ended) and
// releases the data dir.
func (c *Cluster) Stop() error {
	defer c.lock.release()
	c.stopSupervisor()
	c.mu.Lock()
	defer c.mu.Unlock()
	out, err := c.run(context.Background(), "pg_ctl", "stop", "-D", c.dir, "-m", "fast", "-w", "-t", "60")
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, out)
	}
	return nil
}

// Restart stops and starts the server again (used by tests of reconnection).
func (c *Cluster) Restart(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	out, err := c.run(ctx, "pg_ctl", "restart", "-D", c.dir, "-m", "fast", "-w", "-t", "60",
		"-l", filepath.Join(c.dir, "log", "server.log"))
	if err != nil {
		return fmt.Errorf("pg_ctl restart: %w: %s", err, out)
	}
	return nil
}

func (c *Cluster) initdb(ctx context.Context, fast bool) error {
	c.logger.Info("initialising PostgreSQL cluster", "dir", c.dir)
	if err := c.makePrivateDir(c.dir); err != nil {
		return fmt.Errorf("cluster dir: %w", err)
	}
	args := []string{"-D", c.dir, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--locale=C"}
	if fast {
		args = append(args, "--no-sync")
	}
	if out, err := c.run(ctx, "initdb", args...); err != nil {
		// Leave no half-made cluster behind: the next start would find a folder initdb
		// refuses to use.
		_ = os.RemoveAll(c.dir)
		return fmt.Errorf("initdb: %w: %s", err, out)
	}
	return nil
}

// writeSettings keeps gqlbase's settings in a file of their own, included from
// postgresql.conf, so they are applied again (and updated) on every start.
func (c *Cluster) writeSettings(opts Options) error {
	settings := map[string]string{
		"listen_addresses":        "''",
		"unix_socket_directories": quote(c.socketDir),
		"port":                    "5432",
		"logging_collector":       "off",
		"max_connections":         "200",
		// The server log must not become a copy of tenants' data: no statement text (not for
		// errors, not by kind, not by duration) and no DETAIL lines, which carry key values
		// ("Key (email)=(...) already exists").
		"log_statement":              "none",
		"log_min_duration_statement": "-1",
		"log_min_error_statement":    "panic",
		"log_error_verbosity":        "terse",
	}
	if opts.Fast {
		settings["fsync"] = "off"
		settings["synchronous_commit"] = "off"
		settings["full_page_writes"] = "off"
	}
	for k, v := range opts.Settings {
		settings[k] = v
	}
	var b strings.Builder
	b.WriteString("# Written by gqlbase on every start; edits are overwritten.\n")
	for _, k := range sortedKeys(settings) {
		fmt.Fprintf(&b, "%s = %s\n", k, settings[k])
	}
	if err := c.writeFile(filepath.Join(c.dir, "gqlbase.conf"), b.String()); err != nil {
		return err
	}
	conf := filepath.Join(c.dir, "postgresql.conf")
	current, err := os.ReadFile(conf)
	if err != nil {
		return fmt.Errorf("read postgresql.conf: %w", err)
	}
	const include = "include_if_exists = 'gqlbase.conf'\n"
	if !bytes.Contains(current, []byte(include)) {
		if err := c.writeFile(conf, string(current)+"\n"+include); err != nil {
			return err
		}
	}
	return c.makePrivateDir(filepath.Join(c.dir, "log"))
}

func (c *Cluster) start(ctx context.Context) error {
	// A server left running by a gqlbase that crashed is adopted rather than started twice.
	if _, err := c.run(ctx, "pg_ctl", "status", "-D", c.dir); err == nil {
		c.logger.Info("adopting PostgreSQL server left running", "dir", c.dir)
		return nil
	}
	if err := c.launch(ctx); err != nil {
		return err
	}
	c.started = true
	return nil
}

// launch starts the server with pg_ctl and waits until it accepts connections.
func (c *Cluster) launch(ctx context.Context) error {
	logFile := filepath.Join(c.dir, "log", "server.log")
	// Only what this start logged explains its failure: the log also holds earlier runs.
	var before int64
	if st, err := os.Stat(logFile); err == nil {
		before = st.Size()
	}
	out, err := c.run(ctx, "pg_ctl", "start", "-D", c.dir, "-w", "-t", "60", "-l", logFile)
	if err != nil {
		tail, _ := os.ReadFile(logFile)
		if int64(len(tail)) >= before {
			tail = tail[before:]
		}
		return fmt.Errorf("pg_ctl start: %w: %s\nserver log: %s", err, out, lastLines(tail, 15))
	}
	return nil
}

// run executes one of the PostgreSQL binaries, as the server account when there is one.
func (c *Cluster) run(ctx context.Context, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	cmd.Dir = filepath.Dir(c.dir)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if c.runAs != nil {
		c.runAs.apply(cmd)
	}
	// pg_ctl start leaves the server holding its output pipes; a file avoids waiting on them.
	out, err := os.CreateTemp("", "gqlbase-pgctl-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	runErr := cmd.Run()
	text, _ := os.ReadFile(out.Name())
	return strings.TrimSpace(string(text)), runErr
}

func (c *Cluster) makePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	if c.runAs != nil {
		return os.Chown(dir, c.runAs.uid, c.runAs.gid)
	}
	return nil
}

func (c *Cluster) writeFile(path, content string) error {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return err
	}
	if c.runAs != nil {
		return os.Chown(path, c.runAs.uid, c.runAs.gid)
	}
	return nil
}

// fallbackRoot holds the clusters of data dirs the server account cannot reach.
var fallbackRoot = "/var/lib/gqlbase"

// reachableHome returns where the cluster (and its socket folder) can live: the data dir, or,
// when a folder above it is closed to the server account (a data dir inside root's home, as
// with a fresh clone run by root), a folder of its own under /var/lib/gqlbase named after the
// data dir, so the same data dir finds the same cluster again. A data dir that is itself
// private stays an error: that was asked for explicitly.
func (c *Cluster) reachableHome(dataDir string) (string, error) {
	err := c.runAs.checkReachable(dataDir)
	var blocked *parentBlockedError
	if err == nil || !errors.As(err, &blocked) {
		return dataDir, err
	}
	sum := sha256.Sum256([]byte(dataDir))
	home := filepath.Join(fallbackRoot, hex.EncodeToString(sum[:8]))
	if mkErr := os.MkdirAll(home, 0o755); mkErr != nil {
		return "", fmt.Errorf("%w (and %s cannot be used instead: %v)", err, home, mkErr)
	}
	if err := c.runAs.checkReachable(home); err != nil {
		return "", fmt.Errorf("cluster folder %s: %w", home, err)
	}
	_ = os.WriteFile(filepath.Join(home, "DATA_DIR"), []byte(dataDir+"\n"), 0o644)
	c.logger.Warn("PostgreSQL's account cannot reach the data dir; keeping the cluster elsewhere",
		"data_dir", dataDir, "cluster_dir", filepath.Join(home, "pg"), "account", c.runAs.name)
	return home, nil
}

// socketDirFor picks a private folder for the server's unix socket: DataDir/run, unless that
// path is too long for a socket address, in which case a short folder in the temp dir named
// after the data dir.
func socketDirFor(dataDir string) (string, error) {
	dir := filepath.Join(dataDir, "run")
	const maxSocketPath = 100 // sun_path is 108 bytes, including ".s.PGSQL.5432" and the NUL
	if len(dir)+len("/.s.PGSQL.5432") <= maxSocketPath {
		return dir, nil
	}
	sum := sha256.Sum256([]byte(dataDir))
	return filepath.Join(os.TempDir(), "gqlbase-"+hex.EncodeToString(sum[:6])), nil
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
