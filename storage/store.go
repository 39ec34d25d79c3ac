// Package storage is, with the packages under it (storage/outbox), where gqlbase speaks SQL:
// the connection pool, transactions, embedded migrations, the repositories of the platform's
// metadata, DDL for user tables, the filter and plan compilers, and the writes of outbox
// events (storage/outbox reads them and follows them across processes).
package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase/internal/cache"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Options tunes the connection pool.
type Options struct {
	MaxOpenConns int
	Logger       *slog.Logger
	// OnStatement, when set, is called before every statement the pool sends to Postgres
	// (BEGIN, COMMIT and ROLLBACK included, and the role switches of tenantrole.go) with the
	// statement's context and text. Tests count round trips with it; it must be safe for
	// concurrent use. Nil costs nothing.
	OnStatement func(ctx context.Context, query string)
	// RawSQLMaxConns bounds the connections raw SQL uses at once, in all workspaces together
	// (0: DefaultRawSQLMaxConns). Raw SQL has a pool of its own (sqlpool.go).
	RawSQLMaxConns int
	// StatementTimeout bounds every statement of the pool (default 30 s; negative: none), so
	// no API request can keep a connection busy for long.
	StatementTimeout time.Duration
}

// DefaultStatementTimeout is the statement_timeout of the pool's connections.
const DefaultStatementTimeout = 30 * time.Second

// Store is the handle on gqlbase's Postgres database.
type Store struct {
	db     *sqlx.DB
	dsn    string
	logger *slog.Logger
	hooks  Hooks
	stmts  stmtCache                    // prepared statements of the hot read paths
	roles  cache.Bounded[int64, string] // database id → the Postgres role its statements run as (tenantrole.go)
	raw    *sqlPool                     // raw SQL's own pool (sqlpool.go)
}

// Hooks are called after a change of this process commits, so caches can drop what went
// stale. Changes made by other processes arrive through the event listener instead.
type Hooks struct {
	// TablesChanged is called with tables whose structure or metadata changed or that were
	// dropped.
	TablesChanged func(tableIDs ...int64)
	// RowsChanged is called with rows that were written or deleted.
	RowsChanged func(tableID int64, rowIDs ...int64)
}

// SetHooks installs the change hooks, replacing any installed before: the composition
// (internal/server) calls it once with hooks that fan out to every cache. Call it before
// serving.
func (s *Store) SetHooks(h Hooks) { s.hooks = h }

func (s *Store) tablesChanged(ids ...int64) {
	if s.hooks.TablesChanged != nil && len(ids) > 0 {
		s.hooks.TablesChanged(ids...)
	}
}

func (s *Store) rowsChanged(tableID int64, ids ...int64) {
	if s.hooks.RowsChanged != nil && len(ids) > 0 {
		s.hooks.RowsChanged(tableID, ids...)
	}
}

// Open connects to dsn (a postgres:// URL or a key=value string), waits for the server to
// answer, and applies pending migrations.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	timeout := opts.StatementTimeout
	if timeout == 0 {
		timeout = DefaultStatementTimeout
	}
	dsn = connectionDSN(dsn, timeout)
	pqConnector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	var connector driver.Connector = pqConnector
	if opts.OnStatement != nil {
		connector = hookConnector{Connector: connector, hook: opts.OnStatement}
	}
	db := sqlx.NewDb(sql.OpenDB(roleConnector{Connector: connector}), "postgres")
	maxOpen := opts.MaxOpenConns
	if maxOpen <= 0 {
		maxOpen = 20
	}
	db.SetMaxOpenConns(maxOpen)
	db.SetMaxIdleConns(maxOpen)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, dsn: dsn, logger: logger, raw: newSQLPool(dsn, opts.RawSQLMaxConns)}
	if err := s.waitReady(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.checkLeastPrivilege(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.ensureDatabaseRoles(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.checkTextOrder(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.ensureAllWriteRules(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("write rules: %w", err)
	}
	return s, nil
}

// checkTextOrder says loudly when text cannot sort in natural order: migration 0009 copies
// ICU's root locale into plan.TextOrder, or the database's own collation when the server was
// built without ICU.
func (s *Store) checkTextOrder(ctx context.Context) error {
	var provider, locale string
	err := s.db.QueryRowContext(ctx, `SELECT c.collprovider::text, d.datcollate
		FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace, pg_database d
		WHERE n.nspname = 'public' AND c.collname = 'gqlbase_text_order' AND d.datname = current_database()`).Scan(&provider, &locale)
	if err != nil {
		return fmt.Errorf("check the text sort collation: %w", err)
	}
	if provider != "i" {
		s.logger.Warn("PostgreSQL has no ICU collations: text sorts by the database's collation instead of the natural order (byte order when it is C)",
			"collation", locale)
	}
	return nil
}

// connectionDSN adds the connection parameters gqlbase relies on, unless the DSN sets them:
//   - timezone UTC, so times that Postgres formats (row JSON, event payloads) always carry
//     +00:00, whatever the server's default;
//   - binary_parameters, which makes lib/pq send a parameterised statement in one round trip
//     instead of two (parse, then bind). With it, []byte parameters travel in binary: only
//     bytea values may be passed as []byte; JSON goes as a string;
//   - statement_timeout, so that no statement holds a connection for long;
//
// and always, whatever the DSN says, standard_conforming_strings on: the few literals gqlbase
// writes into DDL rely on a backslash being no escape character.
func connectionDSN(dsn string, timeout time.Duration) string {
	params := [][2]string{{"timezone", "UTC"}, {"binary_parameters", "yes"}}
	if timeout > 0 {
		params = append(params, [2]string{"statement_timeout", strconv.FormatInt(timeout.Milliseconds(), 10)})
	}
	forced := [2]string{"standard_conforming_strings", "on"}
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return dsn
		}
		q := u.Query()
		for _, p := range params {
			if q.Get(p[0]) == "" {
				q.Set(p[0], p[1])
			}
		}
		q.Set(forced[0], forced[1])
		u.RawQuery = q.Encode()
		return u.String()
	}
	for _, p := range params {
		if !strings.Contains(dsn, p[0]+"=") {
			dsn = strings.TrimSpace(dsn + " " + p[0] + "=" + p[1])
		}
	}
	// lib/pq takes the last value of a key given twice.
	return dsn + " " + forced[0] + "=" + forced[1]
}

func (s *Store) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := s.db.PingContext(ctx)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("connect to postgres: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Close closes the pool.
func (s *Store) Close() error {
	_ = s.raw.close()
	return s.db.Close()
}

// DB exposes the pool to the other files of this package and to tests that count statements.
func (s *Store) DB() *sqlx.DB { return s.db }

// DSN is the connection string the store was opened with (the listener opens its own
// connection with it).
func (s *Store) DSN() string { return s.dsn }

// Ping checks that Postgres answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// PoolStats reports the pool's state, for metrics.
func (s *Store) PoolStats() sql.DBStats { return s.db.Stats() }

// queryer is what both the pool and a transaction offer.
type queryer interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// Tx is a transaction of the store.
type Tx = sqlx.Tx

// InTx runs fn in a transaction, committing when it returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	// The audit entry of the operation, if it has one, commits with the change.
	audited, err := writeAudit(ctx, tx)
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	audited()
	return nil
}

// pgCode returns the SQLSTATE of a Postgres error, or "".
func pgCode(err error) string {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return string(pqErr.Code)
	}
	return ""
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func int64Array(ids []int64) any { return pq.Array(ids) }

func stringArray(s []string) any { return pq.Array(s) }

func asPQ(err error) *pq.Error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return pqErr
	}
	return nil
}

// pgMessage is the message of a Postgres error (without the driver's prefix), safe to show:
// it describes the data, not the SQL.
func pgMessage(err error) string {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return pqErr.Message
	}
	return err.Error()
}
