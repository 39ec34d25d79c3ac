package storage

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
	"github.com/gqlbase/gqlbase/storage/sqlguard"
)

const databaseColumns = `id, workspace_id, name, schema_name, readonly_id, schema_locked, created_at, updated_at`

func init() {
	workspaceDeleteHooks = append(workspaceDeleteHooks, dropWorkspaceSchemas)
}

// newReadonlyID returns a fresh read-only id: random, never derived from the database id.
func newReadonlyID() string { return "ro_" + rand.Text() + rand.Text() }

// CreateDatabase creates a database: its metadata and its Postgres schema db_<id>.
func (s *Store) CreateDatabase(ctx context.Context, workspaceID int64, name, actor string) (*gqlbase.Database, error) {
	var db *gqlbase.Database
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		var err error
		db, _, err = createDatabaseTx(ctx, tx, workspaceID, name, actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db, nil
}

// createDatabaseTx creates a database, its schema and its role in tx, and returns the role.
func createDatabaseTx(ctx context.Context, tx *Tx, workspaceID int64, name, actor string) (*gqlbase.Database, string, error) {
	var db gqlbase.Database
	err := tx.GetContext(ctx, &db, `INSERT INTO databases (workspace_id, name, schema_name, readonly_id)
		VALUES ($1, $2, 'pending_' || $3, $3) RETURNING `+databaseColumns, workspaceID, name, newReadonlyID())
	if pgCode(err) == sqlstateUniqueViolation {
		return nil, "", gqlbase.Conflict("a database named %q already exists in this workspace", name).WithField("name")
	}
	if err != nil {
		return nil, "", fmt.Errorf("insert database: %w", err)
	}
	db.Schema = fmt.Sprintf("db_%d", db.ID)
	noteAuditResource(ctx, db.ID)
	if _, err := tx.ExecContext(ctx, `UPDATE databases SET schema_name = $2 WHERE id = $1`, db.ID, db.Schema); err != nil {
		return nil, "", fmt.Errorf("name database schema: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE SCHEMA `+plan.QuoteIdent(db.Schema)); err != nil {
		return nil, "", fmt.Errorf("create schema: %w", err)
	}
	// The database's tables are created and used as its own role from the start.
	role, err := createSQLRole(ctx, tx, &db)
	if err != nil {
		return nil, "", err
	}
	err = writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: workspaceID, databaseID: db.ID,
		kind: gqlbase.EventDatabaseCreated, actor: actor, after: databaseJSON(&db)})
	return &db, role, err
}

// NewDatabase is a database to create together with its first content.
type NewDatabase struct {
	WorkspaceID int64
	Name        string
	// Settings are kept for a dialect (Dialect) from the start.
	Dialect  string
	Settings map[string]any
	// SQL runs in the new database, checked by storage/sqlguard against its schema. When it is
	// refused or a statement fails, the database is not created: the result's Errors say why.
	SQL string
}

// CreateDatabaseFromSQL creates a database, its settings and what its SQL makes in one
// transaction, on a raw SQL connection (which is discarded afterwards, as for every raw SQL
// request). The database is nil when the SQL was refused or failed.
func (s *Store) CreateDatabaseFromSQL(ctx context.Context, nd NewDatabase, opts SQLOptions) (*gqlbase.Database, *gqlbase.SQLResult, error) {
	var db *gqlbase.Database
	res, err := s.withSQLDeadline(ctx, &opts, func(ctx context.Context) (*gqlbase.SQLResult, error) {
		conn, release, err := s.rawConn(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
		tx, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("begin: %w", err)
		}
		defer tx.Rollback() //nolint:errcheck // a no-op after commit
		created, role, err := createDatabaseTx(ctx, tx, nd.WorkspaceID, nd.Name, opts.Actor)
		if err != nil {
			return nil, err
		}
		if len(nd.Settings) > 0 {
			if _, err := mergeDatabaseSettingsTx(ctx, tx, created.ID, nd.Dialect, nd.Settings); err != nil {
				return nil, err
			}
		}
		run := &sqlRun{res: &gqlbase.SQLResult{Columns: []string{}, Rows: []json.RawMessage{}, AffectedTables: []string{}, Errors: []string{}}}
		if strings.TrimSpace(nd.SQL) != "" {
			stmts, err := sqlguard.Check(nd.SQL, created.Schema)
			if err != nil {
				if e, ok := gqlbase.AsError(err); ok {
					return &gqlbase.SQLResult{Columns: []string{}, AffectedTables: []string{}, Errors: []string{e.Message}}, nil
				}
				return nil, err
			}
			if run, err = runSQLIn(ctx, tx, created, role, stmts, opts); err != nil || len(run.res.Errors) > 0 {
				return run.resOrNil(), err
			}
		}
		res, err := s.commitSQL(tx, run)
		if err == nil && len(res.Errors) == 0 {
			db = created
		}
		return res, err
	})
	if err != nil || db == nil {
		return nil, res, err
	}
	return db, res, nil
}

func databaseJSON(db *gqlbase.Database) map[string]any {
	return map[string]any{"id": db.ID, "name": db.Name, "workspaceId": db.WorkspaceID}
}

// GetDatabase returns one database.
func (s *Store) GetDatabase(ctx context.Context, id int64) (*gqlbase.Database, error) {
	return s.oneDatabase(ctx, `SELECT `+databaseColumns+` FROM databases WHERE id = $1`, id)
}

// DatabaseByReadonlyID finds the database a read-only id grants access to.
func (s *Store) DatabaseByReadonlyID(ctx context.Context, readonlyID string) (*gqlbase.Database, error) {
	return s.oneDatabase(ctx, `SELECT `+databaseColumns+` FROM databases WHERE readonly_id = $1`, readonlyID)
}

// DatabaseByName finds a database of a workspace by name.
func (s *Store) DatabaseByName(ctx context.Context, workspaceID int64, name string) (*gqlbase.Database, error) {
	var db gqlbase.Database
	err := s.db.GetContext(ctx, &db, `SELECT `+databaseColumns+` FROM databases WHERE workspace_id = $1 AND name = $2`, workspaceID, name)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("database %q not found", name)
	}
	if err != nil {
		return nil, fmt.Errorf("database by name: %w", err)
	}
	return &db, nil
}

func (s *Store) oneDatabase(ctx context.Context, query string, arg any) (*gqlbase.Database, error) {
	var db gqlbase.Database
	err := s.db.GetContext(ctx, &db, query, arg)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("database %v not found", arg)
	}
	if err != nil {
		return nil, fmt.Errorf("get database: %w", err)
	}
	return &db, nil
}

// ListDatabases returns a workspace's databases, oldest first.
func (s *Store) ListDatabases(ctx context.Context, workspaceID int64) ([]*gqlbase.Database, error) {
	var out []*gqlbase.Database
	err := s.db.SelectContext(ctx, &out, `SELECT `+databaseColumns+` FROM databases WHERE workspace_id = $1 ORDER BY id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list databases: %w", err)
	}
	return out, nil
}

// RenameDatabase changes a database's name (its schema keeps its name).
func (s *Store) RenameDatabase(ctx context.Context, id int64, name, actor string) (*gqlbase.Database, error) {
	var db gqlbase.Database
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		err := tx.GetContext(ctx, &db, `UPDATE databases SET name = $2, updated_at = now() WHERE id = $1 RETURNING `+databaseColumns, id, name)
		if isNoRows(err) {
			return gqlbase.NotFound("database %d not found", id)
		}
		if pgCode(err) == sqlstateUniqueViolation {
			return gqlbase.Conflict("a database named %q already exists in this workspace", name).WithField("name")
		}
		if err != nil {
			return fmt.Errorf("rename database: %w", err)
		}
		return writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: db.WorkspaceID, databaseID: db.ID,
			kind: gqlbase.EventDatabaseUpdated, actor: actor, after: databaseJSON(&db)})
	})
	if err != nil {
		return nil, err
	}
	return &db, nil
}

// SetSchemaLocked locks or unlocks a database's structure.
func (s *Store) SetSchemaLocked(ctx context.Context, id int64, locked bool, actor string) (*gqlbase.Database, error) {
	var db gqlbase.Database
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		var err error
		db, err = setSchemaLockedTx(ctx, tx, id, locked, actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &db, nil
}

func setSchemaLockedTx(ctx context.Context, tx *Tx, id int64, locked bool, actor string) (gqlbase.Database, error) {
	var db gqlbase.Database
	err := tx.GetContext(ctx, &db, `UPDATE databases SET schema_locked = $2, updated_at = now() WHERE id = $1 RETURNING `+databaseColumns, id, locked)
	if isNoRows(err) {
		return db, gqlbase.NotFound("database %d not found", id)
	}
	if err != nil {
		return db, fmt.Errorf("lock database schema: %w", err)
	}
	return db, writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: db.WorkspaceID, databaseID: db.ID,
		kind: gqlbase.EventDatabaseUpdated, actor: actor, after: databaseJSON(&db)})
}

// RegenerateReadonlyID replaces a database's read-only id; the old one stops working. The
// change is an event like any other (its payload does not carry the secret).
func (s *Store) RegenerateReadonlyID(ctx context.Context, id int64, actor string) (*gqlbase.Database, error) {
	var db gqlbase.Database
	err := s.InTx(ctx, func(tx *Tx) error {
		err := tx.GetContext(ctx, &db, `UPDATE databases SET readonly_id = $2, updated_at = now() WHERE id = $1
			RETURNING `+databaseColumns, id, newReadonlyID())
		if isNoRows(err) {
			return gqlbase.NotFound("database %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("regenerate read-only id: %w", err)
		}
		return writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: db.WorkspaceID, databaseID: db.ID,
			kind: gqlbase.EventDatabaseUpdated, actor: actor, after: databaseJSON(&db)})
	})
	if err != nil {
		return nil, err
	}
	return &db, nil
}

// DeleteDatabase drops a database with its schema. Unless force is set, a database that still
// has tables is refused with the list of its tables.
func (s *Store) DeleteDatabase(ctx context.Context, id int64, force bool, actor string) error {
	var tableIDs []int64
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		tableIDs = nil
		var db gqlbase.Database
		err := tx.GetContext(ctx, &db, `SELECT `+databaseColumns+` FROM databases WHERE id = $1 FOR UPDATE`, id)
		if isNoRows(err) {
			return gqlbase.NotFound("database %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("lock database: %w", err)
		}
		var rows []struct {
			ID   int64  `db:"id"`
			Name string `db:"name"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT id, name FROM tables_meta WHERE database_id = $1 ORDER BY id`, id); err != nil {
			return fmt.Errorf("list tables: %w", err)
		}
		tables := make([]string, len(rows))
		for i, r := range rows {
			tables[i] = r.Name
			tableIDs = append(tableIDs, r.ID)
		}
		if len(tables) > 0 && !force {
			return gqlbase.Conflict("database %q still has %d table(s): %v; delete them first or pass force: true",
				db.Name, len(tables), tables).WithDetail("dependents", map[string]any{"tables": tables}).WithReason(gqlbase.ReasonHasDependents)
		}
		if _, err := tx.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+plan.QuoteIdent(db.Schema)+` CASCADE`); err != nil {
			return fmt.Errorf("drop schema: %w", err)
		}
		// The database's own role goes in the same transaction: a role left behind would
		// outlive everything it was made for.
		var role string
		switch err := tx.GetContext(ctx, &role, selectDatabaseRole, id); {
		case isNoRows(err):
		case err != nil:
			return fmt.Errorf("read the database's role: %w", err)
		default:
			if err := dropRoleTx(ctx, tx, role); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM databases WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete database: %w", err)
		}
		if err := reassignDefaultDatabase(ctx, tx, db.WorkspaceID); err != nil {
			return err
		}
		return writeSchemaEvent(ctx, tx, schemaEvent{workspaceID: db.WorkspaceID, databaseID: db.ID,
			kind: gqlbase.EventDatabaseDeleted, actor: actor, before: databaseJSON(&db)})
	})
	if err != nil {
		return err
	}
	s.roles.LRU().Remove(id)
	s.tablesChanged(tableIDs...)
	return nil
}

func dropWorkspaceSchemas(ctx context.Context, tx *Tx, workspaceID int64) error {
	var schemas []string
	if err := tx.SelectContext(ctx, &schemas, `SELECT schema_name FROM databases WHERE workspace_id = $1`, workspaceID); err != nil {
		return fmt.Errorf("list workspace schemas: %w", err)
	}
	for _, sc := range schemas {
		if _, err := tx.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+plan.QuoteIdent(sc)+` CASCADE`); err != nil {
			return fmt.Errorf("drop schema %s: %w", sc, err)
		}
	}
	return nil
}
