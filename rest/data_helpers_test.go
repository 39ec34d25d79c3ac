package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// --- helpers shared by the data-core tests (databases, tables, columns, rows) ---

// dataEnv is a running server with one database to work in.
type dataEnv struct {
	srv   *testserver.Server
	token string
	db    string // database id
	// barrier is a table whose events tell that the event listener caught up (see settle).
	barrier string
}

func newDataEnv(t *testing.T) *dataEnv {
	t.Helper()
	srv := testserver.Start(t)
	e := &dataEnv{srv: srv, token: srv.AdminToken}
	e.db = e.createDatabase(t, "main")
	return e
}

// ok runs a request as the admin and fails the test on any error.
func (e *dataEnv) ok(t testing.TB, query string, vars map[string]any) map[string]any {
	t.Helper()
	return e.srv.Platform(t, e.token, query, vars).OK(t)
}

func (e *dataEnv) createDatabase(t testing.TB, name string) string {
	t.Helper()
	data := e.ok(t, `mutation($n: String!) { createDatabase(input: {name: $n}) { id } }`, map[string]any{"n": name})
	return testserver.Str(data, "createDatabase", "id")
}

// colDef is a column definition for createTable/addColumn.
type colDef map[string]any

// createTable creates a table in the env's database and returns its id and its columns' ids
// by name.
func (e *dataEnv) createTable(t testing.TB, name string, cols ...colDef) (string, map[string]string) {
	t.Helper()
	return e.createTableIn(t, e.db, name, cols...)
}

func (e *dataEnv) createTableIn(t testing.TB, db, name string, cols ...colDef) (string, map[string]string) {
	t.Helper()
	list := make([]any, len(cols))
	for i, c := range cols {
		list[i] = map[string]any(c)
	}
	data := e.ok(t, `mutation($in: CreateTableInput!) { createTable(input: $in) { id columns { id name } } }`,
		map[string]any{"in": map[string]any{"databaseId": db, "name": name, "columns": list}})
	ids := map[string]string{}
	for _, c := range testserver.Get(data, "createTable", "columns").([]any) {
		ids[testserver.Str(c, "name")] = testserver.Str(c, "id")
	}
	return testserver.Str(data, "createTable", "id"), ids
}

// insert inserts rows and returns their ids in order.
func (e *dataEnv) insert(t testing.TB, table string, rows ...map[string]any) []string {
	t.Helper()
	list := make([]any, len(rows))
	for i, r := range rows {
		list[i] = r
	}
	data := e.ok(t, `mutation($t: ID!, $rows: [JSON!]!) { insertRows(table: $t, rows: $rows) { id } }`,
		map[string]any{"t": table, "rows": list})
	var ids []string
	for _, r := range testserver.Get(data, "insertRows").([]any) {
		ids = append(ids, testserver.Str(r, "id"))
	}
	if len(ids) != len(rows) {
		t.Fatalf("inserted %d rows, got %d ids", len(rows), len(ids))
	}
	return ids
}

// rowData reads one row's data through the API.
func (e *dataEnv) rowData(t testing.TB, table, id string) map[string]any {
	t.Helper()
	data := e.ok(t, `query($t: ID!, $id: ID!) { row(table: $t, id: $id) { data } }`, map[string]any{"t": table, "id": id})
	m, _ := testserver.Get(data, "row", "data").(map[string]any)
	return m
}

// sql runs a query returning one text value (nulls read as "").
func (e *dataEnv) sqlText(t testing.TB, query string, args ...any) string {
	t.Helper()
	var s *string
	if err := e.srv.Store.DB().GetContext(context.Background(), &s, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if s == nil {
		return ""
	}
	return *s
}

func (e *dataEnv) sqlInt(t testing.TB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.srv.Store.DB().GetContext(context.Background(), &n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (e *dataEnv) eventCount(t testing.TB) int64 {
	t.Helper()
	return e.sqlInt(t, `SELECT count(*) FROM events`)
}

// dataState is a fingerprint of everything the data core stores: databases, table and column
// metadata, the structure of every user table as Postgres sees it (columns, types,
// nullability, defaults, constraints, indexes), the rows of every user table, history, trash
// and the outbox. A refused change must leave it exactly as it was.
func (e *dataEnv) dataState(t testing.TB) string {
	t.Helper()
	queries := []string{
		`SELECT coalesce(json_agg(d ORDER BY id)::text, '[]') FROM databases d`,
		`SELECT coalesce(json_agg(x ORDER BY id)::text, '[]') FROM tables_meta x`,
		`SELECT coalesce(json_agg(x ORDER BY id)::text, '[]') FROM columns_meta x`,
		`SELECT coalesce(json_agg(x ORDER BY table_schema, table_name, column_name)::text, '[]') FROM (
			SELECT table_schema, table_name, column_name, data_type, udt_name, is_nullable, column_default
			FROM information_schema.columns WHERE table_schema LIKE 'db\_%') x`,
		`SELECT coalesce(json_agg(x ORDER BY rel, conname)::text, '[]') FROM (
			SELECT conrelid::regclass::text AS rel, conname, pg_get_constraintdef(c.oid) AS def
			FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname LIKE 'db\_%') x`,
		`SELECT coalesce(json_agg(x ORDER BY schemaname, indexname)::text, '[]') FROM (
			SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname LIKE 'db\_%') x`,
		`SELECT coalesce(json_agg(n ORDER BY n)::text, '[]') FROM (SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'db\_%') x`,
		`SELECT coalesce(json_agg(x ORDER BY id)::text, '[]') FROM row_history x`,
		`SELECT coalesce(json_agg(x ORDER BY table_id, row_id)::text, '[]') FROM trash x`,
		`SELECT coalesce(json_agg(x ORDER BY id)::text, '[]') FROM events x`,
	}
	var b strings.Builder
	for _, q := range queries {
		b.WriteString(e.sqlText(t, q))
		b.WriteByte('\n')
	}
	var tables []struct {
		Schema string `db:"schema_name"`
		Name   string `db:"name"`
	}
	if err := e.srv.Store.DB().SelectContext(context.Background(), &tables,
		`SELECT d.schema_name, t.name FROM tables_meta t JOIN databases d ON d.id = t.database_id ORDER BY t.id`); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	for _, tb := range tables {
		q := fmt.Sprintf(`SELECT coalesce(json_agg(r ORDER BY id)::text, '[]') FROM %q.%q r`, tb.Schema, tb.Name)
		fmt.Fprintf(&b, "%s.%s: %s\n", tb.Schema, tb.Name, e.sqlText(t, q))
	}
	return b.String()
}

// refuse runs a request as token that must fail with exactly one error of code, return no
// data, and change nothing at all (dataState). It returns the error.
func (e *dataEnv) refuse(t testing.TB, token, query string, vars map[string]any, code string) testserver.Error {
	t.Helper()
	before := e.dataState(t)
	resp := e.srv.Platform(t, token, query, vars)
	if len(resp.Errors) != 1 {
		t.Fatalf("want exactly one error (%s), got: %s", code, resp.Raw)
	}
	if got := resp.Errors[0].Code(); got != code {
		t.Fatalf("got code %s, want %s: %s", got, code, resp.Raw)
	}
	for k, v := range resp.Data {
		if v != nil {
			t.Fatalf("a refused request returned data for %s: %s", k, resp.Raw)
		}
	}
	if after := e.dataState(t); after != before {
		t.Fatalf("a refused request (%s) changed the store:\n%s", code, diffLines(before, after))
	}
	return resp.Errors[0]
}

// refuseAdmin is refuse as the admin.
func (e *dataEnv) refuseAdmin(t testing.TB, query string, vars map[string]any, code string) testserver.Error {
	t.Helper()
	return e.refuse(t, e.token, query, vars, code)
}

// diffLines shows the lines of two fingerprints that differ.
func diffLines(before, after string) string {
	b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
	var out strings.Builder
	for i := 0; i < len(b) || i < len(a); i++ {
		var x, y string
		if i < len(b) {
			x = b[i]
		}
		if i < len(a) {
			y = a[i]
		}
		if x != y {
			fmt.Fprintf(&out, "before: %s\nafter:  %s\n", clip(x, 2000), clip(y, 2000))
		}
	}
	return out.String()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// wantMessage checks that an error message contains every part.
func wantMessage(t testing.TB, err testserver.Error, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(err.Message, p) {
			t.Errorf("error %q does not mention %q", err.Message, p)
		}
	}
}

// asJSON renders a decoded value compactly, for comparisons and messages.
func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func parseID(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("not an integer: %q", s)
	}
	return n
}

// ids extracts the id field of a list of objects.
func idsOf(list any) []string {
	var out []string
	items, _ := list.([]any)
	for _, it := range items {
		out = append(out, testserver.Str(it, "id"))
	}
	return out
}
