package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"

	"github.com/gqlbase/gqlbase/logging"
	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockKey is the advisory lock that serialises migrations between processes that
// start together on one database.
const migrationLockKey = 0x67716c62 // "gqlb"

// MigrationLockKey is that lock's key, for anything else that must not run beside a migration.
const MigrationLockKey = migrationLockKey

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", e.Name())
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: version, name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a version", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// migrate applies every pending migration in one transaction, under an advisory lock: a second
// process waits for the first and then finds nothing left to do.
func (s *Store) migrate(ctx context.Context) error {
	migrations, err := loadMigrations()
	if err != nil {
		return err
	}
	// One connection holds the lock for the whole run (a session lock, which the
	// transaction's own lock below re-enters): River's migrations cannot share gqlbase's
	// transaction (one adds an enum value and uses it), so they run after it, each in a
	// transaction of its own, still under the lock.
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("migrate: connect: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockKey); err != nil {
			// A connection that may still hold the lock is not given back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	if err := s.migrateGqlbase(ctx, conn, migrations); err != nil {
		return err
	}
	// The job engine's tables (River's own migrations, package jobs): the outbox's triggers
	// enqueue into river_job.
	// River's migrator gets a small pool of its own: the store's pool may be one connection
	// (a store opened with MaxOpenConns 1), which conn above holds for the lock, and the
	// migrator would wait for it forever.
	riverDB, err := sql.Open("postgres", s.dsn)
	if err != nil {
		return fmt.Errorf("migrate: job engine: %w", err)
	}
	defer riverDB.Close()
	riverDB.SetMaxOpenConns(2)
	migrator, err := rivermigrate.New(riverdatabasesql.New(riverDB), &rivermigrate.Config{Logger: logging.AtLeast(s.logger, slog.LevelWarn)})
	if err != nil {
		return fmt.Errorf("migrate: job engine: %w", err)
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("migrate: job engine: %w", err)
	}
	for _, v := range res.Versions {
		s.logger.Info("applied job engine migration", "version", v.Version, "name", v.Name)
	}
	return nil
}

func (s *Store) migrateGqlbase(ctx context.Context, conn *sqlx.Conn, migrations []migration) error {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after commit
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY,
		name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrate: bookkeeping table: %w", err)
	}
	var applied []int
	if err := tx.SelectContext(ctx, &applied, `SELECT version FROM schema_migrations`); err != nil {
		return fmt.Errorf("migrate: read applied versions: %w", err)
	}
	done := make(map[int]bool, len(applied))
	for _, v := range applied {
		done[v] = true
	}
	for _, m := range migrations {
		if done[m.version] {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migrate: %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
			return fmt.Errorf("migrate: record %s: %w", m.name, err)
		}
		s.logger.Info("applied migration", "migration", m.name)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
