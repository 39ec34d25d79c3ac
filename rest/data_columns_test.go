package rest_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

const columnFields = `id name label type nullable unique indexed description default position options { value } maxRating linkTable { id }`

// catalogColumn describes a column as Postgres has it: "type:nullable:default".
func (e *dataEnv) catalogColumn(t testing.TB, table, column string) string {
	t.Helper()
	return e.sqlText(t, `SELECT (SELECT c.data_type || ':' || c.is_nullable || ':' || coalesce(c.column_default, '')
		FROM information_schema.columns c JOIN tables_meta m ON m.name = c.table_name
		WHERE m.id = $1 AND c.table_schema = 'db_' || m.database_id AND c.column_name = $2)`, table, column)
}

// indexesOn lists the index definitions of a table that mention a column.
func (e *dataEnv) indexesOn(t testing.TB, table, column string) string {
	t.Helper()
	return e.sqlText(t, `SELECT string_agg(indexdef, ' | ' ORDER BY indexname) FROM pg_indexes i JOIN tables_meta m ON m.name = i.tablename
		WHERE m.id = $1 AND i.schemaname = 'db_' || m.database_id AND indexdef LIKE '%' || quote_ident($2) || '%' AND indexname NOT LIKE '%pkey'`, table, column)
}

func (e *dataEnv) columnNames(t testing.TB, table string) string {
	t.Helper()
	data := e.ok(t, `query($t: ID!) { table(id: $t) { columns { name position } } }`, map[string]any{"t": table})
	var names []string
	for i, c := range testserver.Get(data, "table", "columns").([]any) {
		if testserver.Str(c, "position") != strconv.Itoa(i) {
			t.Errorf("column %s at index %d has position %s", testserver.Str(c, "name"), i, testserver.Str(c, "position"))
		}
		names = append(names, testserver.Str(c, "name"))
	}
	return strings.Join(names, ",")
}

func TestColumnLifecycle(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, cols := e.createTable(t, "items", colDef{"name": "title", "type": "TEXT"})
	ids := e.insert(t, tid, map[string]any{"title": "a"}, map[string]any{"title": "b"})

	// add: existing rows take the default of a required column
	add := e.ok(t, `mutation($t: ID!) { addColumn(table: $t, input: {name: "qty", label: "Quantity", type: INTEGER, nullable: false, default: 5, description: "how many"}) { `+columnFields+` } }`, map[string]any{"t": tid})
	qty := testserver.Get(add, "addColumn")
	qtyID := testserver.Str(qty, "id")
	if got := asJSON(qty); got != `{"default":5,"description":"how many","id":"`+qtyID+`","indexed":false,"label":"Quantity","linkTable":null,"maxRating":null,"name":"qty","nullable":false,"options":[],"position":1,"type":"INTEGER","unique":false}` {
		t.Errorf("addColumn answered %s", got)
	}
	if got := e.catalogColumn(t, tid, "qty"); got != "bigint:NO:(5)::bigint" {
		t.Errorf("catalog qty: %s", got)
	}
	if got := e.rowData(t, tid, ids[0]); asJSON(got) != `{"qty":5,"title":"a"}` {
		t.Errorf("an existing row after addColumn: %s", asJSON(got))
	}

	// update: label, description, nullable, unique, indexed, default, position
	const upd = `mutation($c: ID!, $in: UpdateColumnInput!) { updateColumn(id: $c, input: $in) { ` + columnFields + ` } }`
	data := e.ok(t, upd, map[string]any{"c": cols["title"], "in": map[string]any{"label": "Title", "description": "the title", "nullable": false, "unique": true, "indexed": true, "default": "untitled"}})
	title := testserver.Get(data, "updateColumn")
	if testserver.Str(title, "label") != "Title" || testserver.Str(title, "description") != "the title" || testserver.Get(title, "nullable") != false ||
		testserver.Get(title, "unique") != true || testserver.Get(title, "indexed") != true || testserver.Str(title, "default") != "untitled" {
		t.Errorf("updateColumn answered %s", asJSON(title))
	}
	if got := e.catalogColumn(t, tid, "title"); got != "text:NO:'untitled'::text" {
		t.Errorf("catalog title: %s", got)
	}
	if ix := e.indexesOn(t, tid, "title"); !strings.Contains(ix, "UNIQUE") || strings.Count(ix, "|") != 1 {
		t.Errorf("indexes on title: %s (want the unique one and the plain one)", ix)
	}
	row := e.insert(t, tid, map[string]any{"qty": 1})
	if got := e.rowData(t, tid, row[0])["title"]; got != "untitled" {
		t.Errorf("the new default gave %v", got)
	}
	e.refuseAdmin(t, `mutation($t: ID!) { insertRow(table: $t, values: {title: "a"}) { id } }`, map[string]any{"t": tid}, "CONFLICT")
	// undo them
	data = e.ok(t, upd, map[string]any{"c": cols["title"], "in": map[string]any{"nullable": true, "unique": false, "indexed": false, "clearDefault": true}})
	if got := asJSON(testserver.Get(data, "updateColumn", "default")); got != "null" {
		t.Errorf("default after clearDefault: %s", got)
	}
	if got := e.catalogColumn(t, tid, "title"); got != "text:YES:" {
		t.Errorf("catalog title after undo: %s", got)
	}
	if ix := e.indexesOn(t, tid, "title"); ix != "" {
		t.Errorf("indexes left on title: %s", ix)
	}
	e.insert(t, tid, map[string]any{"title": "a", "qty": 2}) // no longer unique
	e.insert(t, tid, map[string]any{"qty": 3})               // no longer required, no default

	// position
	e.ok(t, `mutation($t: ID!) { addColumn(table: $t, input: {name: "note", type: LONG_TEXT}) { id } }`, map[string]any{"t": tid})
	if got := e.columnNames(t, tid); got != "title,qty,note" {
		t.Fatalf("columns %s", got)
	}
	e.ok(t, upd, map[string]any{"c": qtyID, "in": map[string]any{"position": 0}})
	if got := e.columnNames(t, tid); got != "qty,title,note" {
		t.Errorf("after moving qty to 0: %s", got)
	}
	e.ok(t, upd, map[string]any{"c": qtyID, "in": map[string]any{"position": 2}})
	if got := e.columnNames(t, tid); got != "title,note,qty" {
		t.Errorf("after moving qty to 2: %s", got)
	}
	e.refuseAdmin(t, upd, map[string]any{"c": qtyID, "in": map[string]any{"position": 3}}, "BAD_USER_INPUT")
	e.refuseAdmin(t, upd, map[string]any{"c": qtyID, "in": map[string]any{"position": -1}}, "BAD_USER_INPUT")

	// select options: added freely, removed only when unused
	sel := testserver.Str(e.ok(t, `mutation($t: ID!) { addColumn(table: $t, input: {name: "status", type: SELECT, options: [{value: "new"}]}) { id } }`, map[string]any{"t": tid}), "addColumn", "id")
	e.refuseAdmin(t, `mutation($t: ID!) { insertRow(table: $t, values: {status: "done"}) { id } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	e.ok(t, upd, map[string]any{"c": sel, "in": map[string]any{"options": []any{map[string]any{"value": "new"}, map[string]any{"value": "done", "color": "green"}}}})
	e.insert(t, tid, map[string]any{"status": "done"})
	err := e.refuseAdmin(t, upd, map[string]any{"c": sel, "in": map[string]any{"options": []any{map[string]any{"value": "new"}}}}, "CONFLICT")
	wantMessage(t, err, "done", "still used")

	// rename: the data stays, a label equal to the old name follows
	data = e.ok(t, `mutation($c: ID!) { renameColumn(id: $c, name: "body") { name label } }`, map[string]any{"c": testserver.Str(e.ok(t, `query($t: ID!) { table(id: $t) { column(name: "note") { id } } }`, map[string]any{"t": tid}), "table", "column", "id")})
	if asJSON(testserver.Get(data, "renameColumn")) != `{"label":"body","name":"body"}` {
		t.Errorf("renameColumn answered %s", asJSON(data))
	}
	renamed := e.ok(t, `mutation($c: ID!) { renameColumn(id: $c, name: "heading") { name label } }`, map[string]any{"c": cols["title"]})
	if asJSON(testserver.Get(renamed, "renameColumn")) != `{"label":"Title","name":"heading"}` {
		t.Errorf("renameColumn of a labelled column answered %s", asJSON(renamed))
	}
	if got := e.rowData(t, tid, ids[1]); got["heading"] != "b" {
		t.Errorf("row after rename: %s", asJSON(got))
	}
	if got := e.catalogColumn(t, tid, "heading"); got != "text:YES:" {
		t.Errorf("catalog after rename: %q", got)
	}

	// delete: the column and its data go, positions close up
	e.ok(t, `mutation($c: ID!) { deleteColumn(id: $c) }`, map[string]any{"c": cols["title"]})
	if got := e.columnNames(t, tid); got != "body,qty,status" {
		t.Errorf("after delete: %s", got)
	}
	if got := e.catalogColumn(t, tid, "heading"); got != "" {
		t.Errorf("the deleted column is still in the catalog: %s", got)
	}
	if got := e.rowData(t, tid, ids[1]); asJSON(got) != `{"body":null,"qty":5,"status":null}` {
		t.Errorf("row after delete: %s", asJSON(got))
	}
	kinds := e.sqlText(t, `SELECT string_agg(kind, ',' ORDER BY id) FROM events WHERE kind LIKE 'column.%'`)
	if kinds != "column.created,column.updated,column.updated,column.created,column.updated,column.updated,column.created,column.updated,column.updated,column.updated,column.deleted" {
		t.Errorf("column events: %s", kinds)
	}
}

func TestColumnTypeChanges(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, cols := e.createTable(t, "conv",
		colDef{"name": "num_text", "type": "TEXT"},
		colDef{"name": "n", "type": "INTEGER"},
		colDef{"name": "kind", "type": "TEXT"},
		colDef{"name": "day", "type": "DATE"},
		colDef{"name": "one", "type": "SELECT", "options": []any{map[string]any{"value": "x"}, map[string]any{"value": "y"}}},
	)
	ids := e.insert(t, tid,
		map[string]any{"num_text": "12", "n": 5, "kind": "beta", "day": "2026-03-04", "one": "x"},
		map[string]any{"num_text": " 7 ", "n": -3, "kind": "alpha", "day": "1999-12-31"},
		map[string]any{"num_text": "", "kind": "beta"},
		map[string]any{},
	)
	const change = `mutation($c: ID!, $in: ChangeColumnTypeInput!) { changeColumnType(id: $c, input: $in) { name type options { value } } }`
	e.ok(t, change, map[string]any{"c": cols["num_text"], "in": map[string]any{"type": "INTEGER"}})
	e.ok(t, change, map[string]any{"c": cols["n"], "in": map[string]any{"type": "TEXT"}})
	sel := e.ok(t, change, map[string]any{"c": cols["kind"], "in": map[string]any{"type": "SELECT"}})
	if got := asJSON(testserver.Get(sel, "changeColumnType", "options")); got != `[{"value":"alpha"},{"value":"beta"}]` {
		t.Errorf("TEXT→SELECT options: %s", got)
	}
	e.ok(t, change, map[string]any{"c": cols["day"], "in": map[string]any{"type": "DATETIME"}})
	e.ok(t, change, map[string]any{"c": cols["one"], "in": map[string]any{"type": "MULTI_SELECT"}})

	want := []string{
		`{"day":"2026-03-04T00:00:00+00:00","kind":"beta","n":"5","num_text":12,"one":["x"]}`,
		`{"day":"1999-12-31T00:00:00+00:00","kind":"alpha","n":"-3","num_text":7,"one":null}`,
		`{"day":null,"kind":"beta","n":null,"num_text":null,"one":null}`,
		`{"day":null,"kind":null,"n":null,"num_text":null,"one":null}`,
	}
	for i, id := range ids {
		if got := asJSON(e.rowData(t, tid, id)); got != want[i] {
			t.Errorf("row %d after the type changes:\n got %s\nwant %s", i, got, want[i])
		}
	}
	if got := e.catalogColumn(t, tid, "num_text") + " " + e.catalogColumn(t, tid, "n") + " " + e.catalogColumn(t, tid, "day"); got != "bigint:YES: text:YES: timestamp with time zone:YES:" {
		t.Errorf("catalog types: %s", got)
	}
	// the converted columns validate new values by their new types
	e.refuseAdmin(t, `mutation($t: ID!) { insertRow(table: $t, values: {kind: "gamma"}) { id } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	e.refuseAdmin(t, `mutation($t: ID!) { insertRow(table: $t, values: {num_text: "x"}) { id } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	e.insert(t, tid, map[string]any{"kind": "alpha", "num_text": 1, "n": "free text", "day": "2026-01-01T10:00:00Z"})
	if n := e.sqlInt(t, `SELECT count(*) FROM events WHERE kind = 'column.updated' AND table_id = $1`, tid); n != 5 {
		t.Errorf("%d column.updated events for 5 type changes", n)
	}
}

func TestColumnTypeChangeRefused(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, cols := e.createTable(t, "conv",
		colDef{"name": "flag", "type": "BOOLEAN", "default": true},
		colDef{"name": "code", "type": "TEXT", "unique": true, "indexed": true, "default": "0"},
		colDef{"name": "j", "type": "JSON"},
		colDef{"name": "who", "type": "TEXT"},
	)
	e.insert(t, tid, map[string]any{"flag": false, "code": "12", "who": "ann@example.com"}, map[string]any{"code": "abc", "who": "not an email"})
	const change = `mutation($c: ID!, $in: ChangeColumnTypeInput!) { changeColumnType(id: $c, input: $in) { id } }`

	err := e.refuseAdmin(t, change, map[string]any{"c": cols["flag"], "in": map[string]any{"type": "DATE"}}, "BAD_USER_INPUT")
	wantMessage(t, err, "no safe conversion", "BOOLEAN", "DATE", "flag")
	e.refuseAdmin(t, change, map[string]any{"c": cols["j"], "in": map[string]any{"type": "UUID"}}, "BAD_USER_INPUT")
	// 'abc' is not an integer: the column keeps its type, constraints, index, default and data
	err = e.refuseAdmin(t, change, map[string]any{"c": cols["code"], "in": map[string]any{"type": "INTEGER"}}, "BAD_USER_INPUT")
	wantMessage(t, err, "code", "abc")
	err = e.refuseAdmin(t, change, map[string]any{"c": cols["who"], "in": map[string]any{"type": "EMAIL"}}, "BAD_USER_INPUT")
	wantMessage(t, err, "who", "not an email")
	e.refuseAdmin(t, change, map[string]any{"c": cols["code"], "in": map[string]any{"type": "SELECT", "options": []any{map[string]any{"value": "12"}}}}, "BAD_USER_INPUT")
	e.refuseAdmin(t, change, map[string]any{"c": cols["code"], "in": map[string]any{"type": "LINK"}}, "BAD_USER_INPUT")
	e.refuseAdmin(t, change, map[string]any{"c": cols["flag"], "in": map[string]any{"type": "BOOLEAN", "maxRating": 3}}, "BAD_USER_INPUT")
	e.refuseAdmin(t, change, map[string]any{"c": "999999", "in": map[string]any{"type": "TEXT"}}, "NOT_FOUND")
}

func TestColumnChangesRefusedByData(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, cols := e.createTable(t, "data",
		colDef{"name": "maybe", "type": "TEXT"},
		colDef{"name": "dup", "type": "INTEGER"},
		colDef{"name": "stars", "type": "RATING", "maxRating": 10},
		colDef{"name": "ref", "type": "INTEGER"},
	)
	e.insert(t, tid, map[string]any{"maybe": "x", "dup": 1, "stars": 9, "ref": 424242}, map[string]any{"dup": 1, "stars": 2})
	const upd = `mutation($c: ID!, $in: UpdateColumnInput!) { updateColumn(id: $c, input: $in) { id } }`

	err := e.refuseAdmin(t, upd, map[string]any{"c": cols["maybe"], "in": map[string]any{"nullable": false}}, "BAD_USER_INPUT")
	wantMessage(t, err, "maybe", "without a value")
	err = e.refuseAdmin(t, upd, map[string]any{"c": cols["dup"], "in": map[string]any{"unique": true}}, "CONFLICT")
	wantMessage(t, err, "dup", "duplicate")
	e.refuseAdmin(t, upd, map[string]any{"c": cols["stars"], "in": map[string]any{"maxRating": 5}}, "BAD_USER_INPUT")
	e.refuseAdmin(t, upd, map[string]any{"c": cols["stars"], "in": map[string]any{"maxRating": 11}}, "BAD_USER_INPUT")
	e.refuseAdmin(t, upd, map[string]any{"c": cols["dup"], "in": map[string]any{"default": "one"}}, "BAD_USER_INPUT")
	e.refuseAdmin(t, upd, map[string]any{"c": cols["dup"], "in": map[string]any{"default": 1, "clearDefault": true}}, "BAD_USER_INPUT")
	e.refuseAdmin(t, upd, map[string]any{"c": cols["dup"], "in": map[string]any{"options": []any{map[string]any{"value": "a"}}}}, "BAD_USER_INPUT")
	// a required column without a default cannot be added to a table with rows
	err = e.refuseAdmin(t, `mutation($t: ID!) { addColumn(table: $t, input: {name: "req", type: TEXT, nullable: false}) { id } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	wantMessage(t, err, "req")
	// nor a unique column with a default (every row would share it)
	e.refuseAdmin(t, `mutation($t: ID!) { addColumn(table: $t, input: {name: "u", type: TEXT, unique: true, default: "same"}) { id } }`, map[string]any{"t": tid}, "CONFLICT")
	// INTEGER → LINK where a value points at no row
	err = e.refuseAdmin(t, `mutation($c: ID!, $to: ID!) { changeColumnType(id: $c, input: {type: LINK, linkTable: $to}) { id } }`, map[string]any{"c": cols["ref"], "to": tid}, "BAD_USER_INPUT")
	wantMessage(t, err, "ref")
}

func TestColumnDefinitionBadInput(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := e.createTable(t, "t", colDef{"name": "a", "type": "TEXT"})
	otherDB := e.createDatabase(t, "other")
	foreign, _ := e.createTableIn(t, otherDB, "elsewhere")
	const add = `mutation($t: ID!, $in: ColumnInput!) { addColumn(table: $t, input: $in) { id } }`
	cases := []struct {
		name string
		in   map[string]any
		want string
	}{
		{"options on text", map[string]any{"name": "x", "type": "TEXT", "options": []any{map[string]any{"value": "a"}}}, "options"},
		{"option twice", map[string]any{"name": "x", "type": "SELECT", "options": []any{map[string]any{"value": "a"}, map[string]any{"value": "a"}}}, "twice"},
		{"empty option", map[string]any{"name": "x", "type": "SELECT", "options": []any{map[string]any{"value": ""}}}, "option"},
		{"rating scale", map[string]any{"name": "x", "type": "RATING", "maxRating": 11}, "maxRating"},
		{"rating scale on integer", map[string]any{"name": "x", "type": "INTEGER", "maxRating": 3}, "maxRating"},
		{"bad default", map[string]any{"name": "x", "type": "INTEGER", "default": "many"}, "default"},
		{"default not an option", map[string]any{"name": "x", "type": "SELECT", "options": []any{map[string]any{"value": "a"}}, "default": "b"}, "default"},
		{"link target on text", map[string]any{"name": "x", "type": "TEXT", "linkTable": tid}, "linkTable"},
		{"link to another database", map[string]any{"name": "x", "type": "LINK", "linkTable": foreign}, "not found in this database"},
		{"link to nowhere", map[string]any{"name": "x", "type": "LINK", "linkTable": "999999"}, "not found"},
		{"empty label", map[string]any{"name": "x", "type": "TEXT", "label": ""}, "label"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := e.refuseAdmin(t, add, map[string]any{"t": tid, "in": c.in}, "BAD_USER_INPUT")
			wantMessage(t, err, c.want)
		})
	}
	// a link to another database is refused at table creation too
	err := e.refuseAdmin(t, `mutation($in: CreateTableInput!) { createTable(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"databaseId": e.db, "name": "links", "columns": []any{map[string]any{"name": "f", "type": "LINK", "linkTable": foreign}}}}, "BAD_USER_INPUT")
	wantMessage(t, err, "not found in this database")
	e.refuseAdmin(t, `mutation($t: ID!) { changeColumnType(id: $t, input: {type: LINK}) { id } }`, map[string]any{"t": "999999"}, "NOT_FOUND")
	e.refuseAdmin(t, add, map[string]any{"t": "999999", "in": map[string]any{"name": "x", "type": "TEXT"}}, "NOT_FOUND")
	e.refuseAdmin(t, `mutation { deleteColumn(id: "999999") }`, nil, "NOT_FOUND")
	e.refuseAdmin(t, `mutation { renameColumn(id: "999999", name: "x") { id } }`, nil, "NOT_FOUND")
	e.refuseAdmin(t, `mutation { updateColumn(id: "999999", input: {label: "x"}) { id } }`, nil, "NOT_FOUND")
}
