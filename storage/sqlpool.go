package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"
)

// The raw SQL pool. Raw SQL runs on a small pool of its own, opened from the store's DSN:
// statements that wait (on a lock a tenant holds, on a slow plan) then occupy at most its few
// connections, never the main pool that the platform's own queries and /ready need. Its
// connections are never reused: each is closed when its request ends (rawConn), so no session
// state a statement might change reaches another request, and the pool keeps no idle
// connection; it only bounds how many are open at once.

// DefaultRawSQLMaxConns is the size of the raw SQL pool when none is set.
const DefaultRawSQLMaxConns = 4

type sqlPool struct {
	dsn      string
	maxConns int
	once     sync.Once
	db       *sqlx.DB
	err      error
}

func newSQLPool(dsn string, maxConns int) *sqlPool {
	if maxConns <= 0 {
		maxConns = DefaultRawSQLMaxConns
	}
	return &sqlPool{dsn: dsn, maxConns: maxConns}
}

// open opens the pool on first use (sql.Open connects to nothing yet).
func (p *sqlPool) open() (*sqlx.DB, error) {
	p.once.Do(func() {
		db, err := sqlx.Open("postgres", p.dsn)
		if err != nil {
			p.err = fmt.Errorf("open the raw SQL pool: %w", err)
			return
		}
		db.SetMaxOpenConns(p.maxConns)
		db.SetMaxIdleConns(0)
		p.db = db
	})
	return p.db, p.err
}

var errPoolClosed = errors.New("the raw SQL pool is closed")

func (p *sqlPool) close() error {
	p.once.Do(func() { p.err = errPoolClosed })
	if p.db == nil {
		return nil
	}
	return p.db.Close()
}

func (p *sqlPool) stats() sql.DBStats {
	if db, err := p.open(); err == nil {
		return db.Stats()
	}
	return sql.DBStats{}
}

func (s *Store) rawPool() *sqlPool { return s.raw }

// RawSQLPoolStats reports the state of the raw SQL pool, for metrics and tests.
func (s *Store) RawSQLPoolStats() sql.DBStats { return s.rawPool().stats() }

// rawConn takes a connection of the raw SQL pool (waiting, within ctx, while all are busy)
// and returns it with the function that closes it for good.
func (s *Store) rawConn(ctx context.Context) (*sqlx.Conn, func(), error) {
	db, err := s.rawPool().open()
	if err != nil {
		return nil, nil, err
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("connect for raw SQL: %w", err)
	}
	return conn, func() {
		// ErrBadConn from Raw makes database/sql close the connection instead of keeping it.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		_ = conn.Close()
	}, nil
}
