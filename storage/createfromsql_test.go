package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// TestCreateDatabaseFromSQLIsOneTransaction: a database made from SQL exists with its tables
// and settings when every statement succeeds, and leaves nothing behind (no database row,
// schema, role, settings or event) when one fails or the guard refuses the SQL.
func TestCreateDatabaseFromSQLIsOneTransaction(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	ctx := context.Background()
	state := func() string {
		var s string
		if err := st.DB().GetContext(ctx, &s, `SELECT concat_ws(' ',
			(SELECT count(*) FROM databases), (SELECT count(*) FROM database_roles),
			(SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'db\_%'), (SELECT count(*) FROM database_settings),
			(SELECT count(*) FROM events), (SELECT count(*) FROM tables_meta))`); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := state()
	for _, query := range []string{
		`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'a'); INSERT INTO missing VALUES (1)`,
		`CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
	} {
		made, res, err := st.CreateDatabaseFromSQL(ctx, storage.NewDatabase{WorkspaceID: db.WorkspaceID, Name: "from-sql",
			Dialect: "airsequel", Settings: map[string]any{"description": "d"}, SQL: query}, storage.SQLOptions{Actor: "test"})
		if err != nil || made != nil || len(res.Errors) == 0 {
			t.Fatalf("%s: %v %v %+v", query, made, err, res)
		}
		if after := state(); after != before {
			t.Fatalf("%s: a failed creation left %s (before %s)", query, after, before)
		}
	}
	made, res, err := st.CreateDatabaseFromSQL(ctx, storage.NewDatabase{WorkspaceID: db.WorkspaceID, Name: "from-sql",
		Dialect: "airsequel", Settings: map[string]any{"description": "d"},
		SQL: `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'a')`}, storage.SQLOptions{Actor: "test"})
	if err != nil || made == nil || len(res.Errors) != 0 {
		t.Fatalf("create: %v %v %+v", made, err, res)
	}
	if tb, err := st.TableByName(ctx, made.ID, "notes"); err != nil || tb.UserColumn("body") == nil {
		t.Fatalf("reconciled table: %v %v", tb, err)
	}
	if s, err := st.DatabaseSettings(ctx, made.ID, "airsequel"); err != nil || s["description"] != "d" {
		t.Fatalf("settings: %v %v", s, err)
	}
	if !strings.Contains(strings.Join(res.AffectedTables, ","), "notes") {
		t.Errorf("affected tables %v", res.AffectedTables)
	}
}
