package resolvers

import (
	"context"
	"io"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/sqlguard"
)

// Raw SQL, schema text, dumps and maintenance of a database.

// scopeOfSQL is the scope a kind of statement needs.
func scopeOfSQL(k sqlguard.Kind) gqlbase.Scope {
	switch k {
	case sqlguard.Write:
		return gqlbase.ScopeWrite
	case sqlguard.SchemaChange:
		return gqlbase.ScopeSchema
	}
	return gqlbase.ScopeRead
}

// RunSQL runs raw SQL in a database as the database's own role. Statements the SQL endpoint
// does not accept, and errors of the database, come back in the result's Errors; a principal
// without the scope the statements need (read for reads, write for data changes, schema for
// DDL, which a locked schema refuses) gets an error. A workspace runs at most
// SQL.PerWorkspace requests at once (sqllimit.go); one more that finds no turn soon gets
// RATE_LIMITED.
func (r *Resolver) RunSQL(ctx context.Context, databaseID int64, query string) (*gqlbase.SQLResult, error) {
	db, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	stmts, err := sqlguard.Check(query, db.Schema)
	if err != nil {
		e, ok := gqlbase.AsError(err)
		if !ok {
			return nil, err
		}
		return &gqlbase.SQLResult{Columns: []string{}, Rows: nil, AffectedTables: []string{}, Errors: []string{e.Message}}, nil
	}
	kind := sqlguard.Read
	for _, st := range stmts {
		kind = max(kind, st.Kind)
	}
	if err := gqlbase.PrincipalFrom(ctx).RequireDatabase(db.WorkspaceID, db.ID, scopeOfSQL(kind)); err != nil {
		return nil, err
	}
	if kind == sqlguard.SchemaChange {
		if err := schemaUnlocked(db); err != nil {
			return nil, err
		}
	}
	release, err := r.sqlTurns.acquire(ctx, db.WorkspaceID, r.SQL.perWorkspace(), r.SQL.wait())
	if err != nil {
		return nil, err
	}
	defer release()
	return r.Store.ExecSQL(ctx, db, stmts, storage.SQLOptions{
		ReadOnly: kind == sqlguard.Read, Deadline: r.SQL.deadline(), MaxBytes: r.SQL.maxResultBytes(), Actor: actor(ctx),
	})
}

// DatabaseDDL returns the SQL that creates a database's tables as they are now.
func (r *Resolver) DatabaseDDL(ctx context.Context, databaseID int64) (string, error) {
	if _, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead); err != nil {
		return "", err
	}
	tables, err := r.Store.ListTables(ctx, databaseID)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, t := range tables {
		ddl, err := r.Store.TableDDL(ctx, t)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(ddl)
	}
	return b.String(), nil
}

// DumpDatabase writes an SQL dump of a database (structure and data) to w.
func (r *Resolver) DumpDatabase(ctx context.Context, databaseID int64, w io.Writer) (int64, error) {
	db, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead)
	if err != nil {
		return 0, err
	}
	// An export changes nothing, so its entry is written on its own, before the dump runs.
	if err := r.Store.RecordAudit(audited(ctx, db.WorkspaceID, "database.export", "database", db.ID, map[string]any{"format": "sql"})); err != nil {
		return 0, err
	}
	return r.Store.DumpDatabase(ctx, db, w)
}

// VacuumDatabase reclaims space and refreshes statistics of a database's tables.
func (r *Resolver) VacuumDatabase(ctx context.Context, databaseID int64) error {
	db, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeSchema)
	if err != nil {
		return err
	}
	return r.Store.VacuumDatabase(ctx, db)
}

// DatabaseSize is the disk size of a database the principal may read.
func (r *Resolver) DatabaseSize(ctx context.Context, databaseID int64) (int64, error) {
	db, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead)
	if err != nil {
		return 0, err
	}
	return r.Store.DatabaseSize(ctx, db)
}
