package rest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

const databaseFields = `id name readonlyId createdAt updatedAt workspace { id } tables { id name }`

func TestDatabaseLifecycle(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	created := e.ok(t, `mutation { createDatabase(input: {name: "  shop  "}) { `+databaseFields+` } }`, nil)
	db := testserver.Get(created, "createDatabase")
	id := testserver.Str(db, "id")
	if got := testserver.Str(db, "name"); got != "shop" {
		t.Errorf("name %q, want it trimmed to shop", got)
	}
	ro := testserver.Str(db, "readonlyId")
	if !strings.HasPrefix(ro, "ro_") || len(ro) < 30 {
		t.Errorf("readonlyId %q: want a long random secret", ro)
	}
	if tables := testserver.Get(db, "tables").([]any); len(tables) != 0 {
		t.Errorf("a new database has tables: %v", tables)
	}
	// It is a real Postgres schema named after its id.
	if n := e.sqlInt(t, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, "db_"+id); n != 1 {
		t.Fatalf("schema db_%s does not exist", id)
	}

	// list (oldest first) and get
	list := e.ok(t, `{ databases { id name } }`, nil)
	if got := idsOf(testserver.Get(list, "databases")); strings.Join(got, ",") != e.db+","+id {
		t.Errorf("databases %v, want [%s %s]", got, e.db, id)
	}
	one := e.ok(t, `query($id: ID!) { database(id: $id) { `+databaseFields+` } }`, map[string]any{"id": id})
	if testserver.Str(one, "database", "readonlyId") != ro || testserver.Str(one, "database", "name") != "shop" {
		t.Errorf("database(id) answered %v", one)
	}

	// rename
	renamed := e.ok(t, `mutation($id: ID!) { renameDatabase(id: $id, name: "store") { id name } }`, map[string]any{"id": id})
	if testserver.Str(renamed, "renameDatabase", "name") != "store" {
		t.Errorf("rename answered %v", renamed)
	}
	if got := testserver.Str(e.ok(t, `query($id: ID!) { database(id: $id) { name } }`, map[string]any{"id": id}), "database", "name"); got != "store" {
		t.Errorf("after rename the name is %q", got)
	}

	// regenerate the read-only id: a new random one; the old one finds nothing any more
	regen := e.ok(t, `mutation($id: ID!) { regenerateReadonlyId(id: $id) { readonlyId } }`, map[string]any{"id": id})
	ro2 := testserver.Str(regen, "regenerateReadonlyId", "readonlyId")
	if ro2 == ro || !strings.HasPrefix(ro2, "ro_") {
		t.Errorf("regenerated readonlyId %q (was %q)", ro2, ro)
	}
	if _, err := e.srv.Store.DatabaseByReadonlyID(context.Background(), ro); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Errorf("the old read-only id still finds a database (err %v)", err)
	}
	if got, err := e.srv.Store.DatabaseByReadonlyID(context.Background(), ro2); err != nil || got.Name != "store" {
		t.Errorf("the new read-only id finds %v, %v", got, err)
	}

	// delete an empty database: metadata and schema go
	del := e.ok(t, `mutation($id: ID!) { deleteDatabase(id: $id) }`, map[string]any{"id": id})
	if testserver.Get(del, "deleteDatabase") != true {
		t.Errorf("delete answered %v", del)
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, "db_"+id); n != 0 {
		t.Errorf("schema db_%s survived the delete", id)
	}
	e.refuseAdmin(t, `query($id: ID!) { database(id: $id) { id } }`, map[string]any{"id": id}, "NOT_FOUND")

	// every change left its event
	kinds := e.sqlText(t, `SELECT string_agg(kind, ',' ORDER BY id) FROM events WHERE database_id = $1`, id)
	if kinds != "database.created,database.updated,database.updated,database.deleted" {
		t.Errorf("events %s", kinds)
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM events WHERE payload::text LIKE '%' || $1 || '%' OR payload::text LIKE '%' || $2 || '%'`, ro, ro2); n != 0 {
		t.Errorf("%d events carry a read-only id", n)
	}
}

func TestDeleteDatabaseWithTablesNeedsForce(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := e.createTable(t, "orders", colDef{"name": "title", "type": "TEXT"})
	e.createTable(t, "customers")
	e.insert(t, tid, map[string]any{"title": "a"})

	err := e.refuseAdmin(t, `mutation($id: ID!) { deleteDatabase(id: $id) }`, map[string]any{"id": e.db}, "CONFLICT")
	wantMessage(t, err, "orders", "customers", "force")
	deps, _ := err.Extensions["dependents"].(map[string]any)
	if got := asJSON(deps["tables"]); got != `["orders","customers"]` {
		t.Errorf("extensions.dependents.tables = %s", got)
	}
	// force: true drops everything
	e.refuseAdmin(t, `mutation($id: ID!) { deleteDatabase(id: $id, force: false) }`, map[string]any{"id": e.db}, "CONFLICT")
	e.ok(t, `mutation($id: ID!) { deleteDatabase(id: $id, force: true) }`, map[string]any{"id": e.db})
	if n := e.sqlInt(t, `SELECT count(*) FROM tables_meta`); n != 0 {
		t.Errorf("%d tables survived", n)
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, "db_"+e.db); n != 0 {
		t.Errorf("the schema survived")
	}
}

func TestDatabaseBadInput(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	e.refuseAdmin(t, `mutation { createDatabase(input: {name: "   "}) { id } }`, nil, "BAD_USER_INPUT")
	e.refuseAdmin(t, `mutation($n: String!) { createDatabase(input: {name: $n}) { id } }`,
		map[string]any{"n": strings.Repeat("x", 201)}, "BAD_USER_INPUT")
	e.refuseAdmin(t, `mutation { createDatabase(input: {name: "main"}) { id } }`, nil, "CONFLICT")
	other := e.createDatabase(t, "other")
	e.refuseAdmin(t, `mutation($id: ID!) { renameDatabase(id: $id, name: "main") { id } }`, map[string]any{"id": other}, "CONFLICT")
	e.refuseAdmin(t, `mutation { renameDatabase(id: "999999", name: "x") { id } }`, nil, "NOT_FOUND")
	e.refuseAdmin(t, `mutation { deleteDatabase(id: "999999") }`, nil, "NOT_FOUND")
	e.refuseAdmin(t, `mutation { regenerateReadonlyId(id: "999999") { id } }`, nil, "NOT_FOUND")
}

// TestSchemaLockHoldsForEveryAPI: a locked schema is a property of the database that the core
// enforces, so GraphQL structure changes are refused as the dialects' are, and rows still
// change.
func TestSchemaLockHoldsForEveryAPI(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, cols := e.createTable(t, "orders", colDef{"name": "title", "type": "TEXT"})
	got := e.ok(t, `mutation($id: ID!) { setSchemaLocked(id: $id, locked: true) { schemaLocked } }`, map[string]any{"id": e.db})
	if asJSON(got) != `{"setSchemaLocked":{"schemaLocked":true}}` {
		t.Fatalf("lock: %s", asJSON(got))
	}
	before := e.dataState(t)
	for _, q := range []string{
		`mutation($d: ID!) { createTable(input: {databaseId: $d, name: "more"}) { id } }`,
		`mutation($t: ID!) { addColumn(table: $t, input: {name: "n", type: NUMBER}) { id } }`,
		`mutation($t: ID!) { deleteTable(id: $t, force: true) }`,
		`mutation($t: ID!) { updateTable(id: $t, input: {name: "renamed"}) { id } }`,
		`mutation($c: ID!) { renameColumn(id: $c, name: "t2") { id } }`,
		`mutation($c: ID!) { deleteColumn(id: $c) }`,
	} {
		err := e.refuseAdmin(t, q, map[string]any{"d": e.db, "t": tid, "c": cols["title"]}, "FORBIDDEN")
		wantMessage(t, err, "locked")
	}
	if after := e.dataState(t); after != before {
		t.Fatalf("a refused change changed something:\n%s", diffLines(before, after))
	}
	// Rows and descriptions are not structure.
	e.insert(t, tid, map[string]any{"title": "still writable"})
	e.ok(t, `mutation($t: ID!) { updateTable(id: $t, input: {description: "d"}) { id } }`, map[string]any{"t": tid})
	e.ok(t, `mutation($id: ID!) { setSchemaLocked(id: $id, locked: false) { id } }`, map[string]any{"id": e.db})
	e.ok(t, `mutation($t: ID!) { addColumn(table: $t, input: {name: "n", type: NUMBER}) { id } }`, map[string]any{"t": tid})
}
