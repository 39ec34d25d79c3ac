package pgtest

import (
	"context"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/sqlguard"
)

// NewTenant opens a store on a fresh database with one workspace ("w") and one database in it
// ("app"), the fixture of the raw SQL tests.
func NewTenant(t testing.TB) (*storage.Store, *gqlbase.Database) {
	t.Helper()
	st := NewStore(t)
	ctx := context.Background()
	ws, err := st.CreateWorkspace(ctx, "w", nil)
	if err != nil {
		t.Fatalf("pgtest: create workspace: %v", err)
	}
	db, err := st.CreateDatabase(ctx, ws.ID, "app", "test")
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	return st, db
}

// RunSQL checks query with the raw SQL guard and runs it in db as the database's role; a
// refusal or an error of the request fails the test (a statement's own error is in the
// result's Errors).
func RunSQL(t testing.TB, st *storage.Store, db *gqlbase.Database, query string, readOnly bool) *gqlbase.SQLResult {
	t.Helper()
	stmts, err := sqlguard.Check(query, db.Schema)
	if err != nil {
		t.Fatalf("check %q: %v", query, err)
	}
	res, err := st.ExecSQL(context.Background(), db, stmts, storage.SQLOptions{ReadOnly: readOnly, Actor: "test"})
	if err != nil {
		t.Fatalf("exec %q: %v", query, err)
	}
	return res
}

// NewTable creates table in a new database ("d") of a new workspace ("w") of st, the fixture
// of the tests on one table's rows, and returns the database and the table as created.
func NewTable(t testing.TB, st *storage.Store, table *gqlbase.Table) (*gqlbase.Database, *gqlbase.Table) {
	t.Helper()
	ctx := context.Background()
	ws, err := st.CreateWorkspace(ctx, "w", nil)
	if err != nil {
		t.Fatalf("pgtest: create workspace: %v", err)
	}
	db, err := st.CreateDatabase(ctx, ws.ID, "d", "test")
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	tbl, err := st.CreateTable(ctx, db, table, "test")
	if err != nil {
		t.Fatalf("pgtest: create table %s: %v", table.Name, err)
	}
	return db, tbl
}
