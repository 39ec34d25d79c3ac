package storage

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// maxPrepared bounds the statements kept prepared: each one is planned once per connection
// and held by Postgres, so the set stays small; the hot read shapes of an application fit.
const maxPrepared = 200

// stmtCache keeps the statements of the hot read paths (typed plans, row lists, rows by id)
// prepared, so a repeated query costs Postgres no parse and no planning. The statements it
// holds return a fixed set of columns (a JSON value, the row columns), so a schema change
// only makes Postgres plan them again, never changes their result shape.
type stmtCache struct {
	mu    sync.Mutex
	byKey map[string]*list.Element
	lru   list.List // of *cachedStmt, most recent first
}

type cachedStmt struct {
	query string
	stmt  *sql.Stmt
}

func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	if c.byKey == nil {
		c.byKey = map[string]*list.Element{}
	}
	if el, ok := c.byKey[query]; ok {
		c.lru.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*cachedStmt).stmt, nil
	}
	c.mu.Unlock()
	stmt, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[query]; ok { // prepared meanwhile by another caller
		_ = stmt.Close()
		return el.Value.(*cachedStmt).stmt, nil
	}
	c.byKey[query] = c.lru.PushFront(&cachedStmt{query: query, stmt: stmt})
	for c.lru.Len() > maxPrepared {
		old := c.lru.Remove(c.lru.Back()).(*cachedStmt)
		delete(c.byKey, old.query)
		_ = old.stmt.Close()
	}
	return stmt, nil
}

// forget drops one statement (after it failed in a way a fresh prepare may not).
func (c *stmtCache) forget(query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[query]; ok {
		c.lru.Remove(el)
		delete(c.byKey, query)
		_ = el.Value.(*cachedStmt).stmt.Close()
	}
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

// sqlstateCachedPlanChanged: "cached plan must not change result type".
const sqlstateCachedPlanChanged = "0A000"
