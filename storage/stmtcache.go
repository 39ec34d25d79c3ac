package storage

import (
	"context"
	"database/sql"
	"sync"

	"github.com/gqlbase/gqlbase/internal/cache"
)

// maxPrepared bounds the statements kept prepared: each one is planned once per connection
// and held by Postgres, so the set stays small; the hot read shapes of an application fit.
const maxPrepared = 200

// stmtCache keeps the statements of the hot read paths (typed plans, row lists, rows by id)
// prepared, so a repeated query costs Postgres no parse and no planning. The statements it
// holds return a fixed set of columns (a JSON value, the row columns), so a schema change
// only makes Postgres plan them again, never changes their result shape.
type stmtCache struct {
	once sync.Once
	lru  *cache.LRU[string, *sql.Stmt] // query → statement; an evicted statement is closed
}

func (c *stmtCache) init() {
	c.once.Do(func() {
		// The size is a positive constant, so NewLRU cannot fail.
		c.lru, _ = cache.NewLRU(maxPrepared, func(_ string, stmt *sql.Stmt) { _ = stmt.Close() })
	})
}

func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	c.init()
	if stmt, ok := c.lru.Get(query); ok {
		return stmt, nil
	}
	stmt, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if held, had := c.lru.Add(query, stmt); had { // prepared meanwhile by another caller
		_ = stmt.Close()
		return held, nil
	}
	return stmt, nil
}

// forget drops one statement (after it failed in a way a fresh prepare may not).
func (c *stmtCache) forget(query string) {
	c.init()
	c.lru.Remove(query)
}

// queryPrepared runs a read through a prepared statement. A statement closed by eviction
// between lookup and use is prepared again.
func (s *Store) queryPrepared(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	for attempt := 0; ; attempt++ {
		stmt, err := s.stmts.get(ctx, s.db.DB, query)
		if err != nil {
			return nil, err
		}
		rows, err := stmt.QueryContext(ctx, args...)
		if err != nil && attempt == 0 && (err.Error() == errStmtClosed || pgCode(err) == sqlstateCachedPlanChanged) {
			s.stmts.forget(query)
			continue
		}
		return rows, err
	}
}

// errStmtClosed is the text of database/sql's (unexported) error for a statement used after
// Close.
const errStmtClosed = "sql: statement is closed"
