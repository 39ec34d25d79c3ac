package rest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

const tableFields = `id name label description tags frozen rowCount createdAt updatedAt database { id }
	columns { id name label type nullable unique indexed description default position options { value color } maxRating system linkTable { id } }
	systemColumns { id name type system nullable }`

func TestTableLifecycle(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	created := e.ok(t, `mutation($in: CreateTableInput!) { createTable(input: $in) { `+tableFields+` } }`, map[string]any{"in": map[string]any{
		"databaseId": e.db, "name": "ordersTable", "label": "Orders", "description": "what people bought", "tags": []string{"sales", "core"},
		"columns": []any{
			map[string]any{"name": "title", "type": "TEXT", "nullable": false, "label": "Title"},
			map[string]any{"name": "qty", "type": "INTEGER", "default": 1, "indexed": true},
			map[string]any{"name": "code", "type": "TEXT", "unique": true},
			map[string]any{"name": "status", "type": "SELECT", "options": []any{map[string]any{"value": "new", "color": "blue"}, map[string]any{"value": "done"}}},
			map[string]any{"name": "stars", "type": "RATING", "maxRating": 10},
		},
	}})
	tbl := testserver.Get(created, "createTable")
	id := testserver.Str(tbl, "id")
	if testserver.Str(tbl, "name") != "ordersTable" || testserver.Str(tbl, "label") != "Orders" ||
		testserver.Str(tbl, "description") != "what people bought" || asJSON(testserver.Get(tbl, "tags")) != `["sales","core"]` ||
		testserver.Get(tbl, "frozen") != false || testserver.Str(tbl, "database", "id") != e.db {
		t.Errorf("createTable answered %s", asJSON(tbl))
	}
	cols := testserver.Get(tbl, "columns").([]any)
	var names []string
	for i, c := range cols {
		names = append(names, testserver.Str(c, "name"))
		if testserver.Str(c, "position") != fmt.Sprint(i) || testserver.Get(c, "system") != false || testserver.Str(c, "id") == "" {
			t.Errorf("column %d: %s", i, asJSON(c))
		}
	}
	if strings.Join(names, ",") != "title,qty,code,status,stars" {
		t.Errorf("columns %v", names)
	}
	if c := cols[0]; testserver.Get(c, "nullable") != false || testserver.Str(c, "label") != "Title" || testserver.Str(c, "type") != "TEXT" {
		t.Errorf("title: %s", asJSON(c))
	}
	if c := cols[1]; testserver.Str(c, "default") != "1" || testserver.Get(c, "indexed") != true || testserver.Str(c, "label") != "qty" {
		t.Errorf("qty: %s", asJSON(c))
	}
	if c := cols[2]; testserver.Get(c, "unique") != true {
		t.Errorf("code: %s", asJSON(c))
	}
	if c := cols[3]; asJSON(testserver.Get(c, "options")) != `[{"color":"blue","value":"new"},{"color":"","value":"done"}]` {
		t.Errorf("status options: %s", asJSON(testserver.Get(c, "options")))
	}
	if c := cols[4]; testserver.Str(c, "maxRating") != "10" {
		t.Errorf("stars: %s", asJSON(c))
	}
	var sys []string
	for _, c := range testserver.Get(tbl, "systemColumns").([]any) {
		sys = append(sys, testserver.Str(c, "name"))
		if testserver.Get(c, "system") != true || testserver.Get(c, "id") != nil {
			t.Errorf("system column %s", asJSON(c))
		}
	}
	if strings.Join(sys, ",") != "id,created_at,updated_at,created_by,version" {
		t.Errorf("systemColumns %v", sys)
	}

	// It is a real Postgres table with the system columns and the user columns, constraints
	// and indexes.
	catalog := e.sqlText(t, `SELECT string_agg(column_name || ':' || data_type || ':' || is_nullable, ',' ORDER BY ordinal_position)
		FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'ordersTable'`, "db_"+e.db)
	want := "id:bigint:NO,created_at:timestamp with time zone:NO,updated_at:timestamp with time zone:NO,created_by:text:YES,version:integer:NO," +
		"title:text:NO,qty:bigint:YES,code:text:YES,status:text:YES,stars:smallint:YES"
	if catalog != want {
		t.Errorf("catalog columns\n got %s\nwant %s", catalog, want)
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND tablename = 'ordersTable'`, "db_"+e.db); n != 3 {
		t.Errorf("%d indexes, want 3 (primary key, unique code, indexed qty)", n)
	}
	if e.sqlText(t, `SELECT is_identity FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'ordersTable' AND column_name = 'id'`, "db_"+e.db) != "YES" {
		t.Errorf("id is not an identity column")
	}

	// get by id and by name; list with row counts; tag filter; the default applies
	first := e.insert(t, id, map[string]any{"title": "a"}, map[string]any{"title": "b"})
	if got := e.rowData(t, id, first[0]); testserver.Str(got, "qty") != "1" {
		t.Errorf("qty without a value is %v, want the default 1", got["qty"])
	}
	byName := e.ok(t, `query($db: ID!) { table(databaseId: $db, name: "ordersTable") { id rowCount column(name: "qty") { type } } }`, map[string]any{"db": e.db})
	if testserver.Str(byName, "table", "id") != id || testserver.Str(byName, "table", "rowCount") != "2" || testserver.Str(byName, "table", "column", "type") != "INTEGER" {
		t.Errorf("table by name: %s", asJSON(byName))
	}
	other, _ := e.createTable(t, "misc")
	list := e.ok(t, `query($db: ID!) { tables(databaseId: $db) { id name rowCount } }`, map[string]any{"db": e.db})
	if got := asJSON(testserver.Get(list, "tables")); got != fmt.Sprintf(`[{"id":"%s","name":"ordersTable","rowCount":2},{"id":"%s","name":"misc","rowCount":0}]`, id, other) {
		t.Errorf("tables: %s", got)
	}
	tagged := e.ok(t, `query($db: ID!) { tables(databaseId: $db, tag: "core") { id } }`, map[string]any{"db": e.db})
	if got := idsOf(testserver.Get(tagged, "tables")); len(got) != 1 || got[0] != id {
		t.Errorf("tables tagged core: %v", got)
	}
	e.refuseAdmin(t, `query($db: ID!) { table(databaseId: $db, name: "nope") { id } }`, map[string]any{"db": e.db}, "NOT_FOUND")
	e.refuseAdmin(t, `{ table(id: "999999") { id } }`, nil, "NOT_FOUND")

	// describe
	ddl := testserver.Str(e.ok(t, `query($id: ID!) { table(id: $id) { ddl } }`, map[string]any{"id": id}), "table", "ddl")
	// each of these lines, with these parts
	for _, parts := range [][]string{
		{`CREATE TABLE "db_` + e.db + `"."ordersTable"`}, {`id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY`},
		{`"title" text`, `NOT NULL`}, {`"qty" bigint`, `DEFAULT 1`}, {`UNIQUE ("code")`}, {`CHECK ("stars" BETWEEN 0 AND 10)`},
		{`CREATE INDEX`, `("qty")`},
	} {
		found := false
		for _, line := range strings.Split(ddl, "\n") {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(line, p)
			}
			found = found || all
		}
		if !found {
			t.Errorf("ddl lacks a line with %q:\n%s", parts, ddl)
		}
	}

	// rename and relabel; tags replaced
	upd := e.ok(t, `mutation($id: ID!) { updateTable(id: $id, input: {name: "orders", label: "All orders", description: "", tags: ["x"]}) { name label description tags } }`, map[string]any{"id": id})
	if got := asJSON(testserver.Get(upd, "updateTable")); got != `{"description":"","label":"All orders","name":"orders","tags":["x"]}` {
		t.Errorf("updateTable: %s", got)
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM "db_`+e.db+`"."orders"`); n != 2 {
		t.Errorf("after the rename the Postgres table holds %d rows", n)
	}
	if got := testserver.Str(e.ok(t, `query($id: ID!) { row(table: $id, id: "1") { data } }`, map[string]any{"id": id}), "row", "data", "title"); got != "a" {
		t.Errorf("rows after rename: %q", got)
	}

	// delete
	e.ok(t, `mutation($id: ID!) { deleteTable(id: $id) }`, map[string]any{"id": id})
	if n := e.sqlInt(t, `SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'orders'`, "db_"+e.db); n != 0 {
		t.Errorf("the Postgres table survived deleteTable")
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM columns_meta WHERE table_id = $1`, id); n != 0 {
		t.Errorf("column metadata survived deleteTable")
	}
	e.refuseAdmin(t, `query($id: ID!) { table(id: $id) { id } }`, map[string]any{"id": id}, "NOT_FOUND")
}

func TestTableNameRules(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	existing, _ := e.createTable(t, "existing")
	other, _ := e.createTable(t, "other")
	long := strings.Repeat("a", 64)
	cases := []struct {
		name string
		want []string // parts of the message naming the rule
	}{
		{"", []string{"empty"}},
		{long, []string{"64 bytes", "63"}},
		{"users; drop table x", []string{"letters, digits and underscores"}},
		{"select", []string{"reserved word"}},
		{"SELECT", []string{"reserved word"}},
		{"naïve", []string{"non-ASCII"}},
		{"__meta", []string{"two underscores"}},
		{"1st", []string{"start with a letter or underscore"}},
		{"existing", []string{"existing", "already exists"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := map[string]any{"in": map[string]any{"databaseId": e.db, "name": c.name}}
			err := e.refuseAdmin(t, `mutation($in: CreateTableInput!) { createTable(input: $in) { id } }`, vars, "BAD_USER_INPUT")
			wantMessage(t, err, c.want...)
			if f := err.Extensions["field"]; f != "name" {
				t.Errorf("field %v, want name", f)
			}
			// the same rules hold for a rename and for the name of a copy
			err = e.refuseAdmin(t, `mutation($id: ID!, $n: String!) { updateTable(id: $id, input: {name: $n}) { id } }`,
				map[string]any{"id": other, "n": c.name}, "BAD_USER_INPUT")
			wantMessage(t, err, c.want...)
			err = e.refuseAdmin(t, `mutation($id: ID!, $n: String!) { duplicateTable(id: $id, name: $n) { id } }`,
				map[string]any{"id": other, "n": c.name}, "BAD_USER_INPUT")
			wantMessage(t, err, c.want...)
		})
	}
	_ = existing
	// 63 bytes is fine; case is kept.
	ok63 := strings.Repeat("b", 63)
	e.createTable(t, ok63)
	e.createTable(t, "ordersTable")
	e.createTable(t, "OrdersTable")
	// a table of the same name in another database is fine
	db2 := e.createDatabase(t, "second")
	e.createTableIn(t, db2, "existing")
}

func TestColumnNameRules(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := e.createTable(t, "items", colDef{"name": "title", "type": "TEXT"})
	cases := []struct {
		name string
		want []string
	}{
		{strings.Repeat("c", 64), []string{"64 bytes", "63"}},
		{"users; drop table x", []string{"letters, digits and underscores"}},
		{"naïve", []string{"non-ASCII"}},
		{"__typename", []string{"two underscores"}},
		{"id", []string{"system column"}},
		{"Created_At", []string{"system column"}},
		{"title", []string{"title", "already"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := e.refuseAdmin(t, `mutation($t: ID!, $n: String!) { addColumn(table: $t, input: {name: $n, type: TEXT}) { id } }`,
				map[string]any{"t": tid, "n": c.name}, "BAD_USER_INPUT")
			wantMessage(t, err, c.want...)
			vars := map[string]any{"in": map[string]any{"databaseId": e.db, "name": "fresh", "columns": []any{
				map[string]any{"name": c.name, "type": "TEXT"}, map[string]any{"name": "title", "type": "TEXT"}}}}
			e.refuseAdmin(t, `mutation($in: CreateTableInput!) { createTable(input: $in) { id } }`, vars, "BAD_USER_INPUT")
		})
	}
	// SQL keywords are fine as column names: identifiers are always quoted.
	data := e.ok(t, `mutation($t: ID!) { addColumn(table: $t, input: {name: "select", type: TEXT}) { id name } }`, map[string]any{"t": tid})
	ids := e.insert(t, tid, map[string]any{"select": "x", "title": "y"})
	if got := e.rowData(t, tid, ids[0]); got["select"] != "x" {
		t.Errorf("column select holds %v", got)
	}
	colID := testserver.Str(data, "addColumn", "id")
	err := e.refuseAdmin(t, `mutation($c: ID!) { renameColumn(id: $c, name: "bad name") { id } }`, map[string]any{"c": colID}, "BAD_USER_INPUT")
	wantMessage(t, err, "letters, digits and underscores")
	err = e.refuseAdmin(t, `mutation($c: ID!) { renameColumn(id: $c, name: "title") { id } }`, map[string]any{"c": colID}, "BAD_USER_INPUT")
	wantMessage(t, err, "title", "already")
}

func TestTableColumnLimit(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	var cols []any
	for i := range 201 {
		cols = append(cols, map[string]any{"name": fmt.Sprintf("c%d", i), "type": "INTEGER"})
	}
	err := e.refuseAdmin(t, `mutation($in: CreateTableInput!) { createTable(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"databaseId": e.db, "name": "wide", "columns": cols}}, "BAD_USER_INPUT")
	wantMessage(t, err, "200")
	data := e.ok(t, `mutation($in: CreateTableInput!) { createTable(input: $in) { id columns { id } } }`,
		map[string]any{"in": map[string]any{"databaseId": e.db, "name": "wide", "columns": cols[:200]}})
	tid := testserver.Str(data, "createTable", "id")
	if n := len(testserver.Get(data, "createTable", "columns").([]any)); n != 200 {
		t.Fatalf("%d columns", n)
	}
	err = e.refuseAdmin(t, `mutation($t: ID!) { addColumn(table: $t, input: {name: "c200", type: TEXT}) { id } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	wantMessage(t, err, "200")
	// a row of the widest table round-trips
	row := map[string]any{}
	for i := range 200 {
		row[fmt.Sprintf("c%d", i)] = i
	}
	ids := e.insert(t, tid, row)
	if got := e.rowData(t, tid, ids[0]); testserver.Str(got, "c199") != "199" || len(got) != 200 {
		t.Errorf("wide row: %d values, c199=%v", len(got), got["c199"])
	}
}

func TestFrozenTableRefusesSchemaChanges(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	target, _ := e.createTable(t, "customers")
	tid, cols := e.createTable(t, "orders",
		colDef{"name": "title", "type": "TEXT"},
		colDef{"name": "qty", "type": "INTEGER"},
		colDef{"name": "status", "type": "SELECT", "options": []any{map[string]any{"value": "a"}}},
		colDef{"name": "stars", "type": "RATING"},
	)
	e.insert(t, tid, map[string]any{"title": "t", "qty": 1})
	e.ok(t, `mutation($id: ID!) { updateTable(id: $id, input: {frozen: true}) { frozen } }`, map[string]any{"id": tid})

	changes := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"rename table", `mutation($id: ID!) { updateTable(id: $id, input: {name: "orders2"}) { id } }`, map[string]any{"id": tid}},
		{"add column", `mutation($id: ID!) { addColumn(table: $id, input: {name: "x", type: TEXT}) { id } }`, map[string]any{"id": tid}},
		{"add link column", `mutation($id: ID!, $to: ID!) { addColumn(table: $id, input: {name: "customer", type: LINK, linkTable: $to}) { id } }`, map[string]any{"id": tid, "to": target}},
		{"nullable", `mutation($c: ID!) { updateColumn(id: $c, input: {nullable: false}) { id } }`, map[string]any{"c": cols["title"]}},
		{"unique", `mutation($c: ID!) { updateColumn(id: $c, input: {unique: true}) { id } }`, map[string]any{"c": cols["title"]}},
		{"indexed", `mutation($c: ID!) { updateColumn(id: $c, input: {indexed: true}) { id } }`, map[string]any{"c": cols["qty"]}},
		{"default", `mutation($c: ID!) { updateColumn(id: $c, input: {default: 3}) { id } }`, map[string]any{"c": cols["qty"]}},
		{"clear default", `mutation($c: ID!) { updateColumn(id: $c, input: {clearDefault: true}) { id } }`, map[string]any{"c": cols["qty"]}},
		{"options", `mutation($c: ID!) { updateColumn(id: $c, input: {options: [{value: "a"}, {value: "b"}]}) { id } }`, map[string]any{"c": cols["status"]}},
		{"max rating", `mutation($c: ID!) { updateColumn(id: $c, input: {maxRating: 7}) { id } }`, map[string]any{"c": cols["stars"]}},
		{"change type", `mutation($c: ID!) { changeColumnType(id: $c, input: {type: TEXT}) { id } }`, map[string]any{"c": cols["qty"]}},
		{"rename column", `mutation($c: ID!) { renameColumn(id: $c, name: "heading") { id } }`, map[string]any{"c": cols["title"]}},
		{"delete column", `mutation($c: ID!) { deleteColumn(id: $c) }`, map[string]any{"c": cols["title"]}},
		{"delete table", `mutation($id: ID!) { deleteTable(id: $id) }`, map[string]any{"id": tid}},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			err := e.refuseAdmin(t, c.query, c.vars, "CONFLICT")
			wantMessage(t, err, "frozen")
		})
	}
	// Rows can still be written, labels changed, and the table copied.
	e.insert(t, tid, map[string]any{"title": "u"})
	e.ok(t, `mutation($c: ID!) { updateColumn(id: $c, input: {label: "Heading", description: "d"}) { id } }`, map[string]any{"c": cols["title"]})
	e.ok(t, `mutation($id: ID!) { updateTable(id: $id, input: {label: "Orders"}) { id } }`, map[string]any{"id": tid})
	e.ok(t, `mutation($id: ID!) { duplicateTable(id: $id, name: "orders_copy") { id } }`, map[string]any{"id": tid})
	// Unfreezing and renaming in one change is allowed; then schema changes work again.
	data := e.ok(t, `mutation($id: ID!) { updateTable(id: $id, input: {frozen: false, name: "orders2"}) { name frozen } }`, map[string]any{"id": tid})
	if asJSON(testserver.Get(data, "updateTable")) != `{"frozen":false,"name":"orders2"}` {
		t.Errorf("unfreeze: %s", asJSON(data))
	}
	e.ok(t, `mutation($id: ID!) { addColumn(table: $id, input: {name: "x", type: TEXT}) { id } }`, map[string]any{"id": tid})
}

func TestDuplicateTable(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := e.createTable(t, "people",
		colDef{"name": "name", "type": "TEXT", "nullable": false},
		colDef{"name": "email", "type": "EMAIL", "unique": true},
		colDef{"name": "age", "type": "INTEGER", "default": 18, "indexed": true},
		colDef{"name": "tags", "type": "MULTI_SELECT", "options": []any{map[string]any{"value": "a"}, map[string]any{"value": "b"}}},
	)
	e.ok(t, `mutation($t: ID!) { addColumn(table: $t, input: {name: "manager", type: LINK}) { id } }`, map[string]any{"t": tid})
	ids := e.insert(t, tid,
		map[string]any{"name": "Ann", "email": "ann@example.com", "tags": []string{"a"}},
		map[string]any{"name": "Bob", "email": "bob@example.com", "age": 40},
	)
	e.ok(t, `mutation($t: ID!, $id: ID!, $m: JSON!) { updateRow(table: $t, id: $id, values: $m) { id } }`,
		map[string]any{"t": tid, "id": ids[1], "m": map[string]any{"manager": ids[0]}})
	// a deleted row is not copied
	gone := e.insert(t, tid, map[string]any{"name": "Gone"})
	e.ok(t, `mutation($t: ID!, $id: ID!) { deleteRow(table: $t, id: $id) }`, map[string]any{"t": tid, "id": gone[0]})

	// structure only
	empty := e.ok(t, `mutation($id: ID!) { duplicateTable(id: $id, name: "people_empty") { id rowCount columns { name type nullable unique indexed default options { value } linkTable { id } } } }`, map[string]any{"id": tid})
	emptyID := testserver.Str(empty, "duplicateTable", "id")
	if testserver.Str(empty, "duplicateTable", "rowCount") != "0" {
		t.Errorf("schema-only copy has rows")
	}
	srcCols := e.ok(t, `query($id: ID!) { table(id: $id) { columns { name type nullable unique indexed default options { value } } } }`, map[string]any{"id": tid})
	copyCols := testserver.Get(empty, "duplicateTable", "columns").([]any)
	for i, c := range testserver.Get(srcCols, "table", "columns").([]any) {
		cc := copyCols[i].(map[string]any)
		link := cc["linkTable"]
		delete(cc, "linkTable")
		if asJSON(c) != asJSON(cc) {
			t.Errorf("copied column %d: %s, want %s", i, asJSON(cc), asJSON(c))
		}
		if testserver.Str(c, "name") == "manager" && testserver.Str(link, "id") != emptyID {
			t.Errorf("a self-link of the copy points at %v, want the copy %s", link, emptyID)
		}
	}
	// the copy enforces the same constraints
	e.insert(t, emptyID, map[string]any{"name": "X", "email": "x@example.com"})
	e.refuseAdmin(t, `mutation($t: ID!) { insertRow(table: $t, values: {name: "Y", email: "x@example.com"}) { id } }`, map[string]any{"t": emptyID}, "CONFLICT")
	e.refuseAdmin(t, `mutation($t: ID!) { insertRow(table: $t, values: {email: "z@example.com"}) { id } }`, map[string]any{"t": emptyID}, "BAD_USER_INPUT")

	// with rows: same ids, values and versions; history and events for the copies
	evBefore := e.eventCount(t)
	full := e.ok(t, `mutation($id: ID!) { duplicateTable(id: $id, name: "people_full", withRows: true) { id rowCount } }`, map[string]any{"id": tid})
	fullID := testserver.Str(full, "duplicateTable", "id")
	if testserver.Str(full, "duplicateTable", "rowCount") != "2" {
		t.Errorf("copy with rows has %s rows, want 2", testserver.Str(full, "duplicateTable", "rowCount"))
	}
	const q = `query($t: ID!) { rows(table: $t, orderBy: [{column: "id"}]) { nodes { id version data } } }`
	src := asJSON(testserver.Get(e.ok(t, q, map[string]any{"t": tid}), "rows", "nodes"))
	dst := testserver.Get(e.ok(t, q, map[string]any{"t": fullID}), "rows", "nodes")
	if asJSON(dst) != src {
		t.Errorf("copied rows\n got %s\nwant %s", asJSON(dst), src)
	}
	if link := testserver.Str(e.ok(t, `query($t: ID!, $id: ID!) { row(table: $t, id: $id) { link(column: "manager") { id table { id } } } }`,
		map[string]any{"t": fullID, "id": ids[1]}), "row", "link", "table", "id"); link != fullID {
		t.Errorf("the copied row's self-link points into table %s, want the copy %s", link, fullID)
	}
	if n := e.eventCount(t) - evBefore; n != 3 {
		t.Errorf("%d events for a copy of 2 rows, want 2 row.created and 1 table.created", n)
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM row_history WHERE table_id = $1 AND op = 'CREATE'`, fullID); n != 2 {
		t.Errorf("%d history entries for the copied rows", n)
	}
	// new rows of the copy get fresh ids
	next := e.insert(t, fullID, map[string]any{"name": "Cy"})
	if parseID(t, next[0]) <= parseID(t, ids[1]) {
		t.Errorf("a new row of the copy got id %s, not after the copied ids (last %s)", next[0], ids[1])
	}
	// the copy is independent of its source
	e.ok(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {name: "Changed"}) { id } }`, map[string]any{"t": fullID, "id": ids[0]})
	if e.rowData(t, tid, ids[0])["name"] != "Ann" {
		t.Errorf("changing the copy changed the source")
	}
}

func TestDeleteTableLinkedFromOthers(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	customers, _ := e.createTable(t, "customers", colDef{"name": "name", "type": "TEXT"})
	orders, _ := e.createTable(t, "orders", colDef{"name": "customer", "type": "LINK", "linkTable": customers}, colDef{"name": "n", "type": "INTEGER"})
	c := e.insert(t, customers, map[string]any{"name": "A"})
	e.insert(t, orders, map[string]any{"customer": c[0], "n": 1})

	err := e.refuseAdmin(t, `mutation($id: ID!) { deleteTable(id: $id) }`, map[string]any{"id": customers}, "CONFLICT")
	wantMessage(t, err, "orders.customer", "force")
	e.ok(t, `mutation($id: ID!) { deleteTable(id: $id, force: true) }`, map[string]any{"id": customers})
	data := e.ok(t, `query($id: ID!) { table(id: $id) { columns { name } rowCount } }`, map[string]any{"id": orders})
	if got := asJSON(testserver.Get(data, "table")); got != `{"columns":[{"name":"n"}],"rowCount":1}` {
		t.Errorf("after a forced delete the linking table is %s", got)
	}
	kinds := e.sqlText(t, `SELECT string_agg(kind, ',' ORDER BY id) FROM events WHERE kind LIKE 'column.%' OR kind = 'table.deleted'`)
	if kinds != "column.deleted,table.deleted" {
		t.Errorf("events of the forced delete: %s", kinds)
	}
}
