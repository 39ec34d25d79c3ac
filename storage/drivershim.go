package storage

import (
	"context"
	"database/sql/driver"
)

// baseConn forwards the optional interfaces of lib/pq's connection that the pool's connection
// wrappers (hookConn, roleConn) pass through unchanged.
type baseConn struct {
	conn driver.Conn
}

func (c *baseConn) Close() error { return c.conn.Close() }

func (c *baseConn) Ping(ctx context.Context) error {
	if p, ok := c.conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *baseConn) ResetSession(ctx context.Context) error {
	if r, ok := c.conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *baseConn) IsValid() bool {
	if v, ok := c.conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *baseConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// prepare prepares a statement on the wrapped connection.
func (c *baseConn) prepare(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.conn.Prepare(query)
}

// begin starts a transaction on the wrapped connection.
func (c *baseConn) begin(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.conn.Begin() //nolint:staticcheck // fallback for drivers without BeginTx
}
