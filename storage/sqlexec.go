package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
	"github.com/gqlbase/gqlbase/storage/sqlguard"
)

// Raw SQL of a database runs as that database's own Postgres role: NOLOGIN, allowed to use
// and create in the database's schema, owner of everything in it, member of nothing. gqlbase's own database user is
// granted the role (so it can SET ROLE to it and keeps managing the tables). Statements are
// checked by sqlguard.Check first; they run in one transaction with SET LOCAL ROLE,
// search_path, statement_timeout and lock_timeout; DDL they run is then reconciled into the
// metadata (reconcile.go) before the transaction commits. Everything a request does runs on
// the raw SQL pool (sqlpool.go) within the request's deadline.

// SQLOptions tune one raw SQL request.
type SQLOptions struct {
	// ReadOnly runs the statements in a READ ONLY transaction.
	ReadOnly bool
	// Timeout is the statement_timeout of each statement (default 30s).
	Timeout time.Duration
	// Deadline bounds the whole request (default 30s), waiting for a connection included:
	// statement_timeout is set to what is left of it when that is less than Timeout, because
	// statement_timeout alone lets a request of n statements run n times as long. When it
	// passes, the transaction is cancelled and rolled back.
	Deadline time.Duration
	// MaxRows caps the rows returned (default 10,000).
	MaxRows int
	// MaxBytes caps the JSON of the rows returned (default DefaultSQLMaxBytes); a result
	// over it fails the request.
	MaxBytes int
	Actor    string
}

const (
	defaultSQLTimeout  = 30 * time.Second
	defaultSQLDeadline = 30 * time.Second
	defaultSQLMaxRows  = 10_000
	maxSQLLockTimeout  = 5 * time.Second
	sqlRolePrefix      = "gqlbase_sql_"
)

// SQLRole returns the name of a database's raw SQL role, creating the role on first use (with
// USAGE and CREATE on the database's schema, which gqlbase's user keeps owning), and makes it
// the owner of every table, view and sequence in the schema.
func (s *Store) SQLRole(ctx context.Context, db *gqlbase.Database) (string, error) {
	var role string
	err := s.InTx(ctx, func(tx *Tx) (err error) {
		role, err = sqlRoleTx(ctx, tx, db)
		return err
	})
	return role, err
}

// sqlRoleOn is SQLRole in a transaction of its own on conn.
func sqlRoleOn(ctx context.Context, conn *sqlx.Conn, db *gqlbase.Database) (string, error) {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after commit
	role, err := sqlRoleTx(ctx, tx, db)
	if err != nil {
		return "", err
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("commit the SQL role: %w", err)
	}
	return role, nil
}

func sqlRoleTx(ctx context.Context, tx *Tx, db *gqlbase.Database) (string, error) {
	var role string
	err := tx.GetContext(ctx, &role, selectDatabaseRole, db.ID)
	if isNoRows(err) {
		role, err = createSQLRole(ctx, tx, db)
	}
	if err != nil {
		return "", err
	}
	return role, adoptSchemaObjects(ctx, tx, db.Schema, role)
}

func createSQLRole(ctx context.Context, tx *Tx, db *gqlbase.Database) (string, error) {
	h := fnv.New64a()
	_, _ = h.Write([]byte("gqlbase_sql_role:" + db.Schema))
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64()>>1)); err != nil {
		return "", fmt.Errorf("lock role creation: %w", err)
	}
	var role string
	err := tx.GetContext(ctx, &role, selectDatabaseRole, db.ID)
	if err == nil {
		return role, nil
	}
	if !isNoRows(err) {
		return "", fmt.Errorf("read role: %w", err)
	}
	if err := dropOrphanRoles(ctx, tx); err != nil {
		return "", err
	}
	// Roles are shared by every database of the cluster: the name is random, never derived
	// from ids.
	role = sqlRolePrefix + strings.ToLower(rand.Text()[:20])
	for _, stmt := range []string{
		`CREATE ROLE ` + plan.QuoteIdent(role) + ` NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS`,
		`GRANT ` + plan.QuoteIdent(role) + ` TO CURRENT_USER`,
		`REVOKE ALL ON SCHEMA ` + plan.QuoteIdent(db.Schema) + ` FROM PUBLIC`,
		`GRANT USAGE, CREATE ON SCHEMA ` + plan.QuoteIdent(db.Schema) + ` TO ` + plan.QuoteIdent(role),
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			if pgCode(err) == sqlstateInsufficientPrivilege {
				return "", gqlbase.Errorf(gqlbase.CodeNotImplemented,
					"raw SQL needs a database role per database, and gqlbase's Postgres user may not create roles (grant it CREATEROLE)")
			}
			return "", fmt.Errorf("create SQL role: %w", err)
		}
	}
	if err := grantBookkeeping(ctx, tx, role); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO database_roles (database_id, role_name) VALUES ($1, $2)`, db.ID, role); err != nil {
		return "", fmt.Errorf("record SQL role: %w", err)
	}
	return role, nil
}

// dropOrphanRoles drops the roles of databases that no longer exist (a database deleted
// through any API leaves its role behind, owning nothing).
func dropOrphanRoles(ctx context.Context, tx *Tx) error {
	var orphans []string
	err := tx.SelectContext(ctx, &orphans, `SELECT role_name FROM database_roles r
		WHERE NOT EXISTS (SELECT 1 FROM databases d WHERE d.id = r.database_id)`)
	if err != nil {
		return fmt.Errorf("find orphan roles: %w", err)
	}
	for _, role := range orphans {
		if err := dropRoleTx(ctx, tx, role); err != nil {
			return err
		}
	}
	return nil
}

func dropRoleTx(ctx context.Context, tx *Tx, role string) error {
	var exists bool
	if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, role); err != nil {
		return fmt.Errorf("find role: %w", err)
	}
	if exists {
		for _, stmt := range []string{`DROP OWNED BY ` + plan.QuoteIdent(role), `DROP ROLE ` + plan.QuoteIdent(role)} {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("drop SQL role: %w", err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM database_roles WHERE role_name = $1`, role); err != nil {
		return fmt.Errorf("forget SQL role: %w", err)
	}
	return nil
}

// adoptSchemaObjects makes the role own every relation of the schema that it does not own yet
// (tables created through the API are owned by gqlbase's user at first).
func adoptSchemaObjects(ctx context.Context, tx *Tx, schema, role string) error {
	var rows []struct {
		Kind string `db:"kind"`
		Name string `db:"name"`
	}
	err := tx.SelectContext(ctx, &rows, `SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind, c.relname AS name
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
		  AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)
		  AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))`,
		schema, role)
	if err != nil {
		return fmt.Errorf("list schema objects: %w", err)
	}
	for _, r := range rows {
		target := plan.Qualified(schema, r.Name)
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER %s %s OWNER TO %s", r.Kind, target, plan.QuoteIdent(role))); err != nil {
			return fmt.Errorf("hand %s %s to the SQL role: %w", strings.ToLower(r.Kind), r.Name, err)
		}
	}
	return nil
}

// ExecSQL runs checked statements (from sqlguard.Check) in a database as its role. A statement that
// fails rolls everything back and is reported in the result's Errors, not as an error. A
// request that passes its deadline, or whose result is over the byte cap, fails with a
// caller-facing error, and nothing it did is committed.
func (s *Store) ExecSQL(ctx context.Context, db *gqlbase.Database, stmts []sqlguard.Statement, opts SQLOptions) (*gqlbase.SQLResult, error) {
	return s.withSQLDeadline(ctx, &opts, func(ctx context.Context) (*gqlbase.SQLResult, error) {
		return s.execSQL(ctx, db, stmts, opts)
	})
}

// withSQLDeadline runs a raw SQL request under its deadline (defaults filled into opts),
// and turns the deadline's expiry into a caller-facing error.
func (s *Store) withSQLDeadline(ctx context.Context, opts *SQLOptions, run func(ctx context.Context) (*gqlbase.SQLResult, error)) (*gqlbase.SQLResult, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = defaultSQLTimeout
	}
	if opts.Deadline <= 0 {
		opts.Deadline = defaultSQLDeadline
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = defaultSQLMaxRows
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultSQLMaxBytes
	}
	reqCtx, cancel := context.WithTimeout(ctx, opts.Deadline)
	defer cancel()
	res, err := run(reqCtx)
	if _, public := gqlbase.AsError(err); err != nil && !public && ctx.Err() == nil &&
		(errors.Is(err, errSQLDeadline) || errors.Is(reqCtx.Err(), context.DeadlineExceeded)) {
		return nil, &gqlbase.Error{Code: gqlbase.CodeBadUserInput, Err: err, Message: fmt.Sprintf(
			"the SQL did not finish within %s, the most a request may take: it was cancelled and nothing was changed", opts.Deadline)}
	}
	return res, err
}

// errSQLDeadline tells that a statement stopped because the request's deadline passed.
var errSQLDeadline = errors.New("the raw SQL request's deadline passed")

// setStatementTimeouts bounds the next statement: statement_timeout is the configured timeout
// or what is left until the deadline, whichever is less, and lock_timeout at most
// maxSQLLockTimeout of that. Milliseconds are rounded up, so a timeout that fires because of
// the deadline fires after it.
func setStatementTimeouts(ctx context.Context, tx *Tx, timeout time.Duration) error {
	deadline, _ := ctx.Deadline()
	left := time.Until(deadline)
	if left <= 0 {
		return errSQLDeadline
	}
	stmt := min(timeout, left)
	ms := func(d time.Duration) string {
		return strconv.FormatInt(int64((d+time.Millisecond-1)/time.Millisecond), 10)
	}
	if _, err := tx.ExecContext(ctx, `SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)`,
		ms(stmt), ms(min(stmt, maxSQLLockTimeout))); err != nil {
		return fmt.Errorf("set the statement timeouts: %w", err)
	}
	return nil
}

// stoppedByDeadline tells whether a statement's error is a statement or lock timeout that
// fired because the deadline had shortened it.
func stoppedByDeadline(ctx context.Context, err error) bool {
	switch pgCode(err) {
	case sqlstateQueryCanceled, sqlstateLockNotAvailable:
		deadline, _ := ctx.Deadline()
		return !time.Now().Before(deadline)
	}
	return false
}

func (s *Store) execSQL(ctx context.Context, db *gqlbase.Database, stmts []sqlguard.Statement, opts SQLOptions) (*gqlbase.SQLResult, error) {
	// Raw SQL gets a connection of its own from the raw SQL pool, which is closed afterwards
	// rather than reused: whatever session state a statement might change despite the guard
	// (settings, the role), no later request can inherit it.
	conn, release, err := s.rawConn(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	role, err := sqlRoleOn(ctx, conn, db)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTxx(ctx, &sql.TxOptions{ReadOnly: opts.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after commit
	run, err := runSQLIn(ctx, tx, db, role, stmts, opts)
	if err != nil || len(run.res.Errors) > 0 {
		if err == nil && run.failure != nil {
			_ = tx.Rollback() // the transaction failed: the column is looked up outside it
			s.nameCheckedColumn(ctx, db, run)
		}
		return run.resOrNil(), err
	}
	return s.commitSQL(tx, run)
}

// sqlRun is what raw SQL did in a transaction that is not committed yet.
type sqlRun struct {
	res      *gqlbase.SQLResult
	affected map[string]bool
	changed  []int64
	// failure is the Postgres error of the statement that failed, if one did.
	failure *pq.Error
}

// nameCheckedColumn words a violated column CHECK (ck_<column id>, see columnCheck) of a
// failed run with the column's name: Postgres names only the constraint.
func (s *Store) nameCheckedColumn(ctx context.Context, db *gqlbase.Database, run *sqlRun) {
	e := run.failure
	if pgCode(e) != sqlstateCheckViolation || !strings.HasPrefix(e.Constraint, "ck_") {
		return
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(e.Constraint, "ck_"), 10, 64)
	if err != nil {
		return
	}
	var col struct {
		Name string `db:"name"`
		Type string `db:"type"`
	}
	err = s.db.GetContext(asRole(ctx, ""), &col, `SELECT c.name, c.type FROM columns_meta c JOIN tables_meta t ON t.id = c.table_id
		WHERE c.id = $1 AND t.database_id = $2`, id, db.ID)
	if err != nil {
		return // not a column's constraint (or gone): Postgres's message stays
	}
	rule := "is out of range"
	switch gqlbase.ColumnType(col.Type) {
	case gqlbase.TypeSelect, gqlbase.TypeMultiSelect:
		rule = "is not one of the column's options"
	case gqlbase.TypeEmail, gqlbase.TypeURL, gqlbase.TypePhone:
		rule = "is not a valid " + strings.ToLower(col.Type)
	}
	run.res.Errors[0] = fmt.Sprintf("column %q: the value %s (%s)", col.Name, rule, run.res.Errors[0])
}

func (r *sqlRun) resOrNil() *gqlbase.SQLResult {
	if r == nil {
		return nil
	}
	return r.res
}

// commitSQL commits a raw SQL transaction and completes its result. A constraint checked at
// commit is the statement's error, as any other.
func (s *Store) commitSQL(tx *Tx, run *sqlRun) (*gqlbase.SQLResult, error) {
	res := run.res
	if err := tx.Commit(); err != nil {
		if pqe := asPQ(err); pqe != nil {
			res.Errors = []string{pqe.Message}
			return res, nil
		}
		return nil, fmt.Errorf("commit: %w", err)
	}
	for name := range run.affected {
		res.AffectedTables = append(res.AffectedTables, name)
	}
	slices.Sort(res.AffectedTables)
	res.ChangedTableIDs = run.changed
	s.tablesChanged(res.ChangedTableIDs...)
	return res, nil
}

// runSQLIn runs checked statements in tx as the database's role, reconciling the catalog
// after each DDL statement. A statement that fails ends the run with the result's Errors set
// (the caller rolls back); nothing is committed here.
func runSQLIn(ctx context.Context, tx *Tx, db *gqlbase.Database, role string, stmts []sqlguard.Statement, opts SQLOptions) (*sqlRun, error) {
	schemaChange := false
	for _, st := range stmts {
		if st.Kind == sqlguard.SchemaChange {
			schemaChange = true
		}
	}
	res := &gqlbase.SQLResult{Columns: []string{}, Rows: []json.RawMessage{}, AffectedTables: []string{}, Errors: []string{}}
	run := &sqlRun{res: res, affected: map[string]bool{}}
	var err error
	var searchPath string
	// The actor the write triggers record (writerules.go) is the request's principal.
	if err := tx.GetContext(ctx, &searchPath, `SELECT current_setting('search_path') FROM set_config('`+actorSetting+`', $1, true)`, opts.Actor); err != nil {
		return nil, fmt.Errorf("read search_path: %w", err)
	}
	if err := setStatementTimeouts(ctx, tx, opts.Timeout); err != nil {
		return nil, err
	}
	var before *catalogSnapshot
	if schemaChange {
		if before, err = snapshotCatalog(ctx, tx, db.Schema); err != nil {
			return nil, err
		}
	}
	// The backend's pending table statistics may still hold counts of earlier transactions:
	// the changes of this one are the difference.
	var counts []tableChanges
	if !opts.ReadOnly {
		if counts, err = changeCounts(ctx, tx, db.Schema); err != nil {
			return nil, err
		}
	}
	enter := func() error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL search_path = `+plan.QuoteIdent(db.Schema)); err != nil {
			return fmt.Errorf("set search_path: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `SET LOCAL ROLE `+plan.QuoteIdent(role)); err != nil {
			return fmt.Errorf("switch to the SQL role: %w", err)
		}
		return nil
	}
	leave := func() error {
		if _, err := tx.ExecContext(ctx, `RESET ROLE`); err != nil {
			return fmt.Errorf("leave the SQL role: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `SELECT set_config('search_path', $1, true)`, searchPath); err != nil {
			return fmt.Errorf("restore search_path: %w", err)
		}
		return nil
	}
	failed := func(msg string) (*sqlRun, error) {
		res.Errors = []string{msg}
		res.Columns, res.Rows, res.Truncated, res.NumChanges = []string{}, []json.RawMessage{}, false, 0
		return run, nil
	}
	if err := enter(); err != nil {
		return nil, err
	}
	rec := &reconcileResult{}
	affected := run.affected
	limits := resultLimits{maxRows: opts.MaxRows, maxBytes: opts.MaxBytes}
	for i, st := range stmts {
		if i > 0 {
			if err := setStatementTimeouts(ctx, tx, opts.Timeout); err != nil {
				return nil, err
			}
		}
		if err := runStatement(ctx, tx, st, limits, res); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err() // ExecSQL tells an expired deadline from a caller gone away
			}
			if stoppedByDeadline(ctx, err) {
				return nil, fmt.Errorf("statement %d: %w: %w", i+1, errSQLDeadline, err)
			}
			if _, ok := gqlbase.AsError(err); ok {
				return nil, err
			}
			if pqe := asPQ(err); pqe != nil {
				run.failure = pqe
				return failed(sqlErrorText(pqe, i, len(stmts)))
			}
			return nil, err
		}
		if st.Kind != sqlguard.SchemaChange {
			continue
		}
		// Reconcile after each DDL statement, so the next ones already see the system
		// columns (an INSERT without id after CREATE TABLE gets one).
		if err := leave(); err != nil {
			return nil, err
		}
		r, err := reconcileSchema(ctx, tx, db, before, opts.Actor)
		if err != nil {
			if e, ok := gqlbase.AsError(err); ok && e.Code == gqlbase.CodeBadUserInput {
				if len(stmts) > 1 {
					return failed(fmt.Sprintf("statement %d: %s", i+1, e.Message))
				}
				return failed(e.Message)
			}
			return nil, err
		}
		rec.changed = append(rec.changed, r.changed...)
		rec.names = append(rec.names, r.names...)
		if before, err = snapshotCatalog(ctx, tx, db.Schema); err != nil {
			return nil, err
		}
		if err := enter(); err != nil {
			return nil, err
		}
	}
	if err := leave(); err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		return run, nil
	}
	after, err := changeCounts(ctx, tx, db.Schema)
	if err != nil {
		return nil, err
	}
	touched := diffChanges(counts, after)
	for _, t := range touched {
		res.NumChanges += t.Changes
		affected[t.Name] = true
	}
	for _, name := range rec.names {
		affected[name] = true
	}
	dataChanged, err := markDataChanges(ctx, tx, db, touched, rec, opts.Actor)
	if err != nil {
		return nil, err
	}
	run.changed = append(rec.changed, dataChanged...)
	return run, nil
}

func sqlErrorText(e *pq.Error, i, n int) string {
	msg := e.Message
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	if n > 1 {
		msg = fmt.Sprintf("statement %d: %s", i+1, msg)
	}
	return msg
}

// markDataChanges records a table.updated event for each metadata table whose rows raw SQL
// changed, so every process drops its cached rows of it (the row events the write triggers
// record name the rows they saw; this covers what they cannot, such as a changed id), and
// returns their ids.
func markDataChanges(ctx context.Context, tx *Tx, db *gqlbase.Database, touched []tableChanges, rec *reconcileResult, actor string) ([]int64, error) {
	if len(touched) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(touched))
	for _, t := range touched {
		names = append(names, t.Name)
	}
	m, err := loadTables(ctx, tx, `WHERE t.database_id = $1 AND t.name = ANY($2)`, db.ID, pq.Array(names))
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, t := range sortedTables(m) {
		// SQL may insert explicit ids: the identity continues after the largest.
		table := plan.Qualified(t.Schema, t.Name)
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`SELECT setval(s.seq, m.max_id) FROM
			(SELECT pg_get_serial_sequence($1, 'id') AS seq) s, (SELECT max(id) AS max_id FROM %s) m
			WHERE s.seq IS NOT NULL AND m.max_id > coalesce(pg_sequence_last_value(s.seq::regclass), 0)`,
			table), table); err != nil {
			return nil, fmt.Errorf("advance the id sequence of %s: %w", t.Name, err)
		}
		if rec.has(t.ID) {
			continue
		}
		ids = append(ids, t.ID)
		snap := TableJSON(t)
		snap["rowsChangedBySQL"] = true
		if err := writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: db.WorkspaceID, databaseID: db.ID, tableID: t.ID,
			kind: gqlbase.EventTableUpdated, actor: actor, before: TableJSON(t), after: snap}); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// tableChanges is the count of rows inserted, updated and deleted in a table.
type tableChanges struct {
	OID     int64  `db:"relid"`
	Name    string `db:"relname"`
	Changes int64  `db:"changes"`
}

func changeCounts(ctx context.Context, tx *Tx, schema string) ([]tableChanges, error) {
	var out []tableChanges
	err := tx.SelectContext(ctx, &out, `SELECT relid::bigint AS relid, relname, n_tup_ins + n_tup_upd + n_tup_del AS changes
		FROM pg_stat_xact_user_tables WHERE schemaname = $1 ORDER BY relname`, schema)
	if err != nil {
		return nil, fmt.Errorf("count changes: %w", err)
	}
	return out, nil
}

// diffChanges is the tables whose counts grew from before to after, with the growth.
func diffChanges(before, after []tableChanges) []tableChanges {
	was := make(map[int64]int64, len(before))
	for _, b := range before {
		was[b.OID] = b.Changes
	}
	var out []tableChanges
	for _, a := range after {
		if n := a.Changes - was[a.OID]; n > 0 {
			out = append(out, tableChanges{OID: a.OID, Name: a.Name, Changes: n})
		}
	}
	return out
}

// VacuumDatabase runs VACUUM ANALYZE on every table of a database (outside a transaction, as
// VACUUM must).
func (s *Store) VacuumDatabase(ctx context.Context, db *gqlbase.Database) error {
	var names []string
	err := s.db.SelectContext(ctx, &names, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'm') ORDER BY c.relname`, db.Schema)
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	for _, name := range names {
		if _, err := s.db.ExecContext(ctx, `VACUUM (ANALYZE) `+plan.Qualified(db.Schema, name)); err != nil {
			if pgCode(err) == sqlstateUndefinedTable { // dropped meanwhile
				continue
			}
			return fmt.Errorf("vacuum %s: %w", name, err)
		}
	}
	return nil
}

// DatabaseSize is the disk size of a database's tables, indexes and TOAST, in bytes.
func (s *Store) DatabaseSize(ctx context.Context, db *gqlbase.Database) (int64, error) {
	var n int64
	err := s.db.GetContext(ctx, &n, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`, db.Schema)
	if err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return n, nil
}
