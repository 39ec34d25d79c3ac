package storage

import (
	"context"
	"database/sql/driver"
)

// The statement hook: when Options.OnStatement is set, the pool's connections are wrapped so
// that every statement sent to Postgres (query, exec, execution of a prepared statement,
// begin, commit, rollback) is reported with the context it runs under. Tests use it to count
// round trips; without a hook the pool uses lib/pq's connector directly, at no cost.

type hookConnector struct {
	driver.Connector
	hook func(ctx context.Context, query string)
}

func (c hookConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &hookConn{baseConn: baseConn{conn: conn}, hook: c.hook}, nil
}

// hookConn forwards every optional interface lib/pq's connection implements.
type hookConn struct {
	baseConn
	hook func(ctx context.Context, query string)
}

var (
	_ driver.Conn               = (*hookConn)(nil)
	_ driver.ConnBeginTx        = (*hookConn)(nil)
	_ driver.ConnPrepareContext = (*hookConn)(nil)
	_ driver.QueryerContext     = (*hookConn)(nil)
	_ driver.ExecerContext      = (*hookConn)(nil)
	_ driver.Pinger             = (*hookConn)(nil)
	_ driver.SessionResetter    = (*hookConn)(nil)
	_ driver.Validator          = (*hookConn)(nil)
	_ driver.NamedValueChecker  = (*hookConn)(nil)
)

func (c *hookConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *hookConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return &hookStmt{Stmt: st, query: query, hook: c.hook}, nil
}

func (c *hookConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *hookConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.hook(ctx, "BEGIN")
	tx, err := c.begin(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &hookTx{tx: tx, ctx: ctx, hook: c.hook}, nil
}

func (c *hookConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.hook(ctx, query)
	return q.QueryContext(ctx, query, args)
}

func (c *hookConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.hook(ctx, query)
	return e.ExecContext(ctx, query, args)
}

type hookTx struct {
	tx   driver.Tx
	ctx  context.Context
	hook func(ctx context.Context, query string)
}

func (t *hookTx) Commit() error {
	t.hook(t.ctx, "COMMIT")
	return t.tx.Commit()
}

func (t *hookTx) Rollback() error {
	t.hook(t.ctx, "ROLLBACK")
	return t.tx.Rollback()
}

type hookStmt struct {
	driver.Stmt
	query string
	hook  func(ctx context.Context, query string)
}

func (s *hookStmt) Exec(args []driver.Value) (driver.Result, error) {
	s.hook(context.Background(), s.query)
	return s.Stmt.Exec(args) //nolint:staticcheck // the driver.Stmt interface
}

func (s *hookStmt) Query(args []driver.Value) (driver.Rows, error) {
	s.hook(context.Background(), s.query)
	return s.Stmt.Query(args) //nolint:staticcheck // the driver.Stmt interface
}

func (s *hookStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.hook(ctx, s.query)
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	return s.Stmt.Exec(namedToValues(args)) //nolint:staticcheck // fallback
}

func (s *hookStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.hook(ctx, s.query)
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	return s.Stmt.Query(namedToValues(args)) //nolint:staticcheck // fallback
}

func namedToValues(args []driver.NamedValue) []driver.Value {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}
