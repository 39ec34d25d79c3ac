package storage

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/gqlbase/gqlbase/storage/plan"
)

// Statements that touch a tenant's tables run as that database's own Postgres role, so that
// whatever the tenant defined there (a DEFAULT, a CHECK, a generated column, an index
// expression, a view) runs with the tenant's rights and never with gqlbase's: the role may use
// its own schema and write bookkeeping rows (history, trash, events), nothing else.
//
// The role a statement needs travels in its context (asRole). The pool's connections are
// wrapped (roleConn) and remember the role their session is in; before a statement runs, a
// connection in another role switches with one SET ROLE (or RESET ROLE for gqlbase's own
// statements). A connection serving one tenant's reads back to back therefore pays nothing,
// where SET LOCAL ROLE inside a transaction per read would cost three more round trips for
// every statement (BEGIN, SET, COMMIT). Every statement states its role, metadata ones by
// default, so a connection left in a tenant's role is switched back before gqlbase's own
// next statement and nothing runs in a role it did not ask for.

// selectDatabaseRole reads the role of a database ($1), for every path that needs it.
const selectDatabaseRole = `SELECT role_name FROM database_roles WHERE database_id = $1`

type roleKey struct{}

// asRole returns ctx for statements that run as the given Postgres role ("" is gqlbase's own).
func asRole(ctx context.Context, role string) context.Context {
	return context.WithValue(ctx, roleKey{}, role)
}

func roleOf(ctx context.Context) string {
	r, _ := ctx.Value(roleKey{}).(string)
	return r
}

// tenant returns ctx for statements on the tables of a database: they run as its role.
func (s *Store) tenant(ctx context.Context, databaseID int64) (context.Context, error) {
	role, err := s.databaseRole(ctx, databaseID)
	if err != nil {
		return nil, err
	}
	return asRole(ctx, role), nil
}

// databaseRole returns a database's role, from the cache or the catalog (creating the role of
// a database made before roles existed).
func (s *Store) databaseRole(ctx context.Context, databaseID int64) (string, error) {
	if r, ok := s.roles.LRU().Get(databaseID); ok {
		return r, nil
	}
	var role string
	err := s.db.GetContext(asRole(ctx, ""), &role, selectDatabaseRole, databaseID)
	if isNoRows(err) {
		db, gerr := s.GetDatabase(asRole(ctx, ""), databaseID)
		if gerr != nil {
			return "", gerr
		}
		role, err = s.SQLRole(asRole(ctx, ""), db)
	}
	if err != nil {
		return "", fmt.Errorf("role of database %d: %w", databaseID, err)
	}
	s.roles.LRU().Put(databaseID, role)
	return role, nil
}

type roleConnector struct{ driver.Connector }

func (c roleConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &roleConn{baseConn: baseConn{conn: conn}, known: true}, nil
}

// roleConn is a pool connection that knows which role its session is in.
type roleConn struct {
	baseConn
	role  string // the session's role; "" is the login role (gqlbase's own)
	known bool   // false after a rollback undid role changes we cannot see
	// at BEGIN: a rollback restores the role the session had then
	txRole  string
	txKnown bool
}

var (
	_ driver.Conn               = (*roleConn)(nil)
	_ driver.ConnBeginTx        = (*roleConn)(nil)
	_ driver.ConnPrepareContext = (*roleConn)(nil)
	_ driver.QueryerContext     = (*roleConn)(nil)
	_ driver.ExecerContext      = (*roleConn)(nil)
	_ driver.Pinger             = (*roleConn)(nil)
	_ driver.SessionResetter    = (*roleConn)(nil)
	_ driver.Validator          = (*roleConn)(nil)
	_ driver.NamedValueChecker  = (*roleConn)(nil)
)

// ensure puts the session in the role ctx asks for.
func (c *roleConn) ensure(ctx context.Context) error {
	want := roleOf(ctx)
	if c.known && c.role == want {
		return nil
	}
	q := "RESET ROLE"
	if want != "" {
		q = "SET ROLE " + plan.QuoteIdent(want)
	}
	e, ok := c.conn.(driver.ExecerContext)
	if !ok {
		return fmt.Errorf("switch role: the driver cannot execute statements")
	}
	// Without arguments lib/pq sends this as a simple query: one round trip.
	if _, err := e.ExecContext(ctx, q, nil); err != nil {
		c.known = false
		return fmt.Errorf("switch to role %q: %w", want, err)
	}
	c.role, c.known = want, true
	return nil
}

func (c *roleConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *roleConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return &roleStmt{Stmt: st, conn: c}, nil
}

func (c *roleConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *roleConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.begin(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.txRole, c.txKnown = c.role, c.known
	return &roleTx{tx: tx, conn: c}, nil
}

func (c *roleConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if err := c.ensure(ctx); err != nil {
		return nil, err
	}
	return q.QueryContext(ctx, query, args)
}

func (c *roleConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if err := c.ensure(ctx); err != nil {
		return nil, err
	}
	return e.ExecContext(ctx, query, args)
}

type roleTx struct {
	tx   driver.Tx
	conn *roleConn
}

func (t *roleTx) Commit() error {
	err := t.tx.Commit()
	if err != nil {
		// A failed commit is a rollback: role changes made in the transaction are undone.
		t.conn.role, t.conn.known = t.conn.txRole, t.conn.txKnown
	}
	return err
}

func (t *roleTx) Rollback() error {
	t.conn.role, t.conn.known = t.conn.txRole, t.conn.txKnown
	return t.tx.Rollback()
}

type roleStmt struct {
	driver.Stmt
	conn *roleConn
}

func (s *roleStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), valuesToNamed(args))
}

func (s *roleStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), valuesToNamed(args))
}

func (s *roleStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.conn.ensure(ctx); err != nil {
		return nil, err
	}
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	return s.Stmt.Exec(namedToValues(args)) //nolint:staticcheck // fallback
}

func (s *roleStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.conn.ensure(ctx); err != nil {
		return nil, err
	}
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	return s.Stmt.Query(namedToValues(args)) //nolint:staticcheck // fallback
}

func valuesToNamed(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}

// tenantIn returns ctx for the statements of a transaction on a database's tables (DDL above
// all: a type change re-evaluates the table's checks and index expressions): they run as the
// database's role. The transaction's other statements keep gqlbase's own role.
func tenantIn(ctx context.Context, tx *Tx, databaseID int64) (context.Context, error) {
	var role string
	err := tx.GetContext(asRole(ctx, ""), &role, selectDatabaseRole, databaseID)
	if isNoRows(err) {
		return nil, fmt.Errorf("database %d has no role", databaseID)
	}
	if err != nil {
		return nil, fmt.Errorf("role of database %d: %w", databaseID, err)
	}
	return asRole(ctx, role), nil
}
