package rest_test

import (
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// dataOperations are the data-core operations on a table and its column and row, by kind.
func dataOperations(db, table, column, row string) (reads, writes, schema []struct {
	name  string
	query string
	vars  map[string]any
}) {
	type op = struct {
		name  string
		query string
		vars  map[string]any
	}
	tv := map[string]any{"t": table}
	rv := map[string]any{"t": table, "id": row}
	cv := map[string]any{"c": column}
	reads = []op{
		{"table", `query($t: ID!) { table(id: $t) { id } }`, tv},
		{"tables", `query($db: ID!) { tables(databaseId: $db) { id } }`, map[string]any{"db": db}},
		{"database", `query($db: ID!) { database(id: $db) { id } }`, map[string]any{"db": db}},
		{"row", `query($t: ID!, $id: ID!) { row(table: $t, id: $id) { id } }`, rv},
		{"rows", `query($t: ID!) { rows(table: $t) { nodes { id } } }`, tv},
		{"aggregateRows", `query($t: ID!) { aggregateRows(table: $t, aggregates: [{fn: COUNT}]) { values } }`, tv},
		{"rowHistory", `query($t: ID!, $id: ID!) { rowHistory(table: $t, id: $id) { op } }`, rv},
		{"trashedRows", `query($t: ID!) { trashedRows(table: $t) { id } }`, tv},
	}
	writes = []op{
		{"insertRow", `mutation($t: ID!) { insertRow(table: $t, values: {v: 1}) { id } }`, tv},
		{"insertRows", `mutation($t: ID!) { insertRows(table: $t, rows: [{v: 1}]) { id } }`, tv},
		{"updateRow", `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {v: 2}) { id } }`, rv},
		{"updateRows", `mutation($t: ID!) { updateRows(table: $t, where: {and: []}, values: {v: 2}) { id } }`, tv},
		{"upsertRows", `mutation($t: ID!) { upsertRows(table: $t, rows: [{v: 1}], keyColumn: "id") { inserted { id } } }`, tv},
		{"deleteRow", `mutation($t: ID!, $id: ID!) { deleteRow(table: $t, id: $id) }`, rv},
		{"deleteRows", `mutation($t: ID!) { deleteRows(table: $t, where: {and: []}) { count } }`, tv},
		{"restoreRow", `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id } }`, rv},
	}
	schema = []op{
		{"createTable", `mutation($db: ID!) { createTable(input: {databaseId: $db, name: "x"}) { id } }`, map[string]any{"db": db}},
		{"updateTable", `mutation($t: ID!) { updateTable(id: $t, input: {label: "x"}) { id } }`, tv},
		{"duplicateTable", `mutation($t: ID!) { duplicateTable(id: $t, name: "copy") { id } }`, tv},
		{"deleteTable", `mutation($t: ID!) { deleteTable(id: $t) }`, tv},
		{"addColumn", `mutation($t: ID!) { addColumn(table: $t, input: {name: "x", type: TEXT}) { id } }`, tv},
		{"updateColumn", `mutation($c: ID!) { updateColumn(id: $c, input: {label: "x"}) { id } }`, cv},
		{"renameColumn", `mutation($c: ID!) { renameColumn(id: $c, name: "w") { id } }`, cv},
		{"changeColumnType", `mutation($c: ID!) { changeColumnType(id: $c, input: {type: TEXT}) { id } }`, cv},
		{"deleteColumn", `mutation($c: ID!) { deleteColumn(id: $c) }`, cv},
		{"renameDatabase", `mutation($db: ID!) { renameDatabase(id: $db, name: "x") { id } }`, map[string]any{"db": db}},
		{"deleteDatabase", `mutation($db: ID!) { deleteDatabase(id: $db, force: true) }`, map[string]any{"db": db}},
	}
	return reads, writes, schema
}

func TestDataAccessControl(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, cols := e.createTable(t, "t", colDef{"name": "v", "type": "INTEGER"})
	row := e.insert(t, tid, map[string]any{"v": 1})[0]
	other := e.createDatabase(t, "other")
	otherT, otherCols := e.createTableIn(t, other, "t", colDef{"name": "v", "type": "INTEGER"})
	otherRow := e.insert(t, otherT, map[string]any{"v": 1})[0]

	reader, _ := newToken(t, e.srv, e.token, map[string]any{"name": "reader", "scopes": []string{"READ"}})
	writer, _ := newToken(t, e.srv, e.token, map[string]any{"name": "writer", "scopes": []string{"READ", "WRITE"}})
	// tokens restricted to the first database: one may write there, one may only read
	onlyMain, _ := newToken(t, e.srv, e.token, map[string]any{"name": "main only", "scopes": []string{"READ", "WRITE", "SCHEMA"},
		"databases": []any{map[string]any{"databaseId": e.db, "access": "WRITE"}}})
	mainReadOnly, _ := newToken(t, e.srv, e.token, map[string]any{"name": "main read", "scopes": []string{"READ", "WRITE", "SCHEMA"},
		"databases": []any{map[string]any{"databaseId": e.db, "access": "READ"}}})

	reads, writes, schema := dataOperations(e.db, tid, cols["v"], row)
	oReads, oWrites, oSchema := dataOperations(other, otherT, otherCols["v"], otherRow)

	for _, op := range reads {
		t.Run("no token/"+op.name, func(t *testing.T) { e.refuse(t, "", op.query, op.vars, "UNAUTHENTICATED") })
		t.Run("bad token/"+op.name, func(t *testing.T) { e.refuse(t, "gqb_not_a_token", op.query, op.vars, "UNAUTHENTICATED") })
	}
	for _, op := range append(append([]struct {
		name  string
		query string
		vars  map[string]any
	}{}, writes...), schema...) {
		t.Run("no token/"+op.name, func(t *testing.T) { e.refuse(t, "", op.query, op.vars, "UNAUTHENTICATED") })
		t.Run("read-only token/"+op.name, func(t *testing.T) { e.refuse(t, reader, op.query, op.vars, "FORBIDDEN") })
		t.Run("read-only database grant/"+op.name, func(t *testing.T) { e.refuse(t, mainReadOnly, op.query, op.vars, "FORBIDDEN") })
	}
	for _, op := range schema {
		t.Run("token without schema scope/"+op.name, func(t *testing.T) { e.refuse(t, writer, op.query, op.vars, "FORBIDDEN") })
	}
	for _, op := range append(append(oReads, oWrites...), oSchema...) {
		t.Run("token of another database/"+op.name, func(t *testing.T) { e.refuse(t, onlyMain, op.query, op.vars, "FORBIDDEN") })
	}
	// a restricted token lists only its databases and cannot make new ones
	list := e.srv.Platform(t, onlyMain, `{ databases { id } }`, nil).OK(t)
	if got := idsOf(testserver.Get(list, "databases")); len(got) != 1 || got[0] != e.db {
		t.Errorf("a token restricted to %s lists %v", e.db, got)
	}
	e.refuse(t, onlyMain, `mutation { createDatabase(input: {name: "mine"}) { id } }`, nil, "FORBIDDEN")

	// what each may do, it can
	for _, op := range reads {
		e.srv.Platform(t, reader, op.query, op.vars).OK(t)
		e.srv.Platform(t, mainReadOnly, op.query, op.vars).OK(t)
	}
	e.srv.Platform(t, writer, `mutation($t: ID!) { insertRow(table: $t, values: {v: 2}) { id } }`, map[string]any{"t": tid}).OK(t)
	e.srv.Platform(t, onlyMain, `mutation($t: ID!) { insertRow(table: $t, values: {v: 3}) { id } }`, map[string]any{"t": tid}).OK(t)
	e.srv.Platform(t, onlyMain, `mutation($t: ID!) { addColumn(table: $t, input: {name: "w", type: TEXT}) { id } }`, map[string]any{"t": tid}).OK(t)

	// a principal of another workspace does not even see that the table exists
	stranger := signUp(t, e.srv, "stranger@example.com")
	for _, op := range append(append(reads, writes...), schema...) {
		t.Run("stranger/"+op.name, func(t *testing.T) { e.refuse(t, stranger.session, op.query, op.vars, "NOT_FOUND") })
	}
}
