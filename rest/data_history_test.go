package rest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

const historyQuery = `query($t: ID!, $id: ID!) { rowHistory(table: $t, id: $id) { version op data actor at } }`

// historyOps summarises a row's history as "OP:version,...", newest first.
func (e *dataEnv) historyOps(t testing.TB, table, id string) (string, []any) {
	t.Helper()
	list := testserver.Get(e.ok(t, historyQuery, map[string]any{"t": table, "id": id}), "rowHistory").([]any)
	var parts []string
	for _, h := range list {
		parts = append(parts, testserver.Str(h, "op")+":"+testserver.Str(h, "version"))
	}
	return strings.Join(parts, ","), list
}

func TestRowHistoryTrashAndRestore(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := e.createTable(t, "notes", colDef{"name": "body", "type": "TEXT"}, colDef{"name": "n", "type": "INTEGER"})
	ids := e.insert(t, tid, map[string]any{"body": "first", "n": 1}, map[string]any{"body": "other"})
	id := ids[0]

	ops, list := e.historyOps(t, tid, id)
	if ops != "CREATE:1" {
		t.Fatalf("history after insert: %s", ops)
	}
	snap := testserver.Get(list[0], "data")
	if testserver.Str(snap, "body") != "first" || testserver.Str(snap, "id") != id || testserver.Str(snap, "version") != "1" ||
		!strings.HasPrefix(testserver.Str(list[0], "actor"), "token:") {
		t.Errorf("the CREATE snapshot: %s", asJSON(list[0]))
	}

	e.ok(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {body: "second"}) { id } }`, map[string]any{"t": tid, "id": id})
	e.ok(t, `mutation($t: ID!, $id: ID!) { updateRows(table: $t, ids: [$id], values: {n: 2}) { id } }`, map[string]any{"t": tid, "id": id})
	ops, list = e.historyOps(t, tid, id)
	if ops != "UPDATE:3,UPDATE:2,CREATE:1" {
		t.Fatalf("history after two updates: %s", ops)
	}
	if testserver.Str(list[0], "data", "body") != "second" || testserver.Str(list[0], "data", "n") != "2" || testserver.Str(list[1], "data", "n") != "1" {
		t.Errorf("update snapshots: %s", asJSON(list))
	}

	// delete: the row moves to the trash; history records what was deleted
	e.ok(t, `mutation($t: ID!, $id: ID!) { deleteRow(table: $t, id: $id) }`, map[string]any{"t": tid, "id": id})
	ops, list = e.historyOps(t, tid, id)
	if ops != "DELETE:3,UPDATE:3,UPDATE:2,CREATE:1" || testserver.Str(list[0], "data", "body") != "second" {
		t.Fatalf("history after delete: %s (%s)", ops, asJSON(list[0]))
	}
	trash := testserver.Get(e.ok(t, `query($t: ID!) { trashedRows(table: $t) { id data deletedBy deletedAt } }`, map[string]any{"t": tid}), "trashedRows").([]any)
	if len(trash) != 1 || testserver.Str(trash[0], "id") != id || testserver.Str(trash[0], "data", "body") != "second" ||
		!strings.HasPrefix(testserver.Str(trash[0], "deletedBy"), "token:") {
		t.Fatalf("trash: %s", asJSON(trash))
	}
	if rc := testserver.Str(e.ok(t, `query($t: ID!) { table(id: $t) { rowCount } }`, map[string]any{"t": tid}), "table", "rowCount"); rc != "1" {
		t.Errorf("rowCount after delete %s", rc)
	}

	// restore: the same id, the same values, a new version
	restored := e.ok(t, `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id version createdAt data } }`, map[string]any{"t": tid, "id": id})
	if got := asJSON(testserver.Get(restored, "restoreRow", "data")); got != `{"body":"second","n":2}` || testserver.Str(restored, "restoreRow", "id") != id ||
		testserver.Str(restored, "restoreRow", "version") != "4" || testserver.Str(restored, "restoreRow", "createdAt") != testserver.Str(snap, "created_at") && !sameInstant(testserver.Str(restored, "restoreRow", "createdAt"), testserver.Str(snap, "created_at")) {
		t.Errorf("restored row: %s (created %s)", asJSON(restored), testserver.Str(snap, "created_at"))
	}
	if got := e.rowData(t, tid, id); asJSON(got) != `{"body":"second","n":2}` {
		t.Errorf("the restored row reads %s", asJSON(got))
	}
	if ops, _ = e.historyOps(t, tid, id); ops != "RESTORE:4,DELETE:3,UPDATE:3,UPDATE:2,CREATE:1" {
		t.Errorf("history after restore: %s", ops)
	}
	if n := len(testserver.Get(e.ok(t, `query($t: ID!) { trashedRows(table: $t) { id } }`, map[string]any{"t": tid}), "trashedRows").([]any)); n != 0 {
		t.Errorf("%d rows left in the trash", n)
	}
	// a restored row can be changed again, and restored twice only from the trash
	e.ok(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {n: 5}, expectedVersion: 4) { id } }`, map[string]any{"t": tid, "id": id})
	e.refuseAdmin(t, `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id } }`, map[string]any{"t": tid, "id": id}, "NOT_FOUND")

	// history paging; history of another row stays apart
	page := testserver.Get(e.ok(t, `query($t: ID!, $id: ID!) { rowHistory(table: $t, id: $id, first: 2, offset: 1) { op } }`, map[string]any{"t": tid, "id": id}), "rowHistory")
	if asJSON(page) != `[{"op":"RESTORE"},{"op":"DELETE"}]` {
		t.Errorf("history page: %s", asJSON(page))
	}
	if ops, _ = e.historyOps(t, tid, ids[1]); ops != "CREATE:1" {
		t.Errorf("history of the other row: %s", ops)
	}
	e.refuseAdmin(t, `query($t: ID!, $id: ID!) { rowHistory(table: $t, id: $id, first: 1001) { op } }`, map[string]any{"t": tid, "id": id}, "BAD_USER_INPUT")
	e.refuseAdmin(t, `query($t: ID!) { trashedRows(table: $t, offset: -1) { id } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")

	// deleting many puts each in the trash, newest first
	e.ok(t, `mutation($t: ID!) { deleteRows(table: $t, where: {and: []}) { count } }`, map[string]any{"t": tid})
	trash = testserver.Get(e.ok(t, `query($t: ID!) { trashedRows(table: $t) { id } }`, map[string]any{"t": tid}), "trashedRows").([]any)
	if got := idsOf(trash); len(got) != 2 {
		t.Errorf("trash after deleting all: %v", got)
	}
}

func sameInstant(a, b string) bool {
	ta, err1 := time.Parse(time.RFC3339Nano, a)
	tb, err2 := time.Parse(time.RFC3339Nano, b)
	return err1 == nil && err2 == nil && ta.Equal(tb)
}

func TestRestoreAfterSchemaChanges(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	owners, _ := e.createTable(t, "owners")
	tid, cols := e.createTable(t, "items",
		colDef{"name": "code", "type": "TEXT", "unique": true},
		colDef{"name": "old", "type": "TEXT"},
		colDef{"name": "qty", "type": "TEXT"},
		colDef{"name": "owner", "type": "LINK", "linkTable": owners},
	)
	o := e.insert(t, owners, map[string]any{}, map[string]any{})
	ids := e.insert(t, tid,
		map[string]any{"code": "A", "old": "x", "qty": "12", "owner": o[0]},
		map[string]any{"code": "B", "owner": o[1]},
		map[string]any{"code": "C"},
	)
	e.ok(t, `mutation($t: ID!, $ids: [ID!]) { deleteRows(table: $t, ids: $ids) { count } }`, map[string]any{"t": tid, "ids": ids})

	// the table changes while the rows sit in the trash
	e.ok(t, `mutation($c: ID!) { deleteColumn(id: $c) }`, map[string]any{"c": cols["old"]})
	e.ok(t, `mutation($c: ID!) { changeColumnType(id: $c, input: {type: INTEGER}) { id } }`, map[string]any{"c": cols["qty"]})
	e.ok(t, `mutation($t: ID!) { addColumn(table: $t, input: {name: "status", type: TEXT, nullable: false, default: "open"}) { id } }`, map[string]any{"t": tid})
	e.ok(t, `mutation($t: ID!, $id: ID!) { deleteRow(table: $t, id: $id) }`, map[string]any{"t": owners, "id": o[1]})
	e.insert(t, tid, map[string]any{"code": "C"})

	// restored under the current columns: dropped ones gone, converted values, new columns at
	// their default
	got := e.ok(t, `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id data } }`, map[string]any{"t": tid, "id": ids[0]})
	if asJSON(testserver.Get(got, "restoreRow", "data")) != `{"code":"A","owner":`+o[0]+`,"qty":12,"status":"open"}` {
		t.Errorf("restored after schema changes: %s", asJSON(got))
	}
	// a link to a row deleted meanwhile, and a unique value taken meanwhile, are refused with
	// the column named; the row stays in the trash
	err := e.refuseAdmin(t, `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id } }`, map[string]any{"t": tid, "id": ids[1]}, "BAD_USER_INPUT")
	wantMessage(t, err, `"owner"`)
	err = e.refuseAdmin(t, `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id } }`, map[string]any{"t": tid, "id": ids[2]}, "CONFLICT")
	wantMessage(t, err, `"code"`)
}

func TestPurgeTrash(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := e.createTable(t, "t", colDef{"name": "v", "type": "INTEGER"})
	ids := e.insert(t, tid, map[string]any{"v": 1}, map[string]any{"v": 2}, map[string]any{"v": 3})
	e.ok(t, `mutation($t: ID!) { deleteRows(table: $t, where: {and: []}) { count } }`, map[string]any{"t": tid})
	// age two entries: one past a 24h retention, one within it
	exec(t, e.srv, `UPDATE trash SET deleted_at = now() - interval '49 hours' WHERE row_id = $1`, ids[0])
	exec(t, e.srv, `UPDATE trash SET deleted_at = now() - interval '23 hours' WHERE row_id = $1`, ids[1])
	n, err := e.srv.Store.PurgeTrash(context.Background(), 24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("PurgeTrash: %d, %v; want 1 entry purged", n, err)
	}
	left := idsOf(testserver.Get(e.ok(t, `query($t: ID!) { trashedRows(table: $t) { id } }`, map[string]any{"t": tid}), "trashedRows"))
	if strings.Join(left, ",") != ids[2]+","+ids[1] {
		t.Errorf("trash after purge: %v", left)
	}
	e.refuseAdmin(t, `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id } }`, map[string]any{"t": tid, "id": ids[0]}, "NOT_FOUND")
	e.ok(t, `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id } }`, map[string]any{"t": tid, "id": ids[1]})
}
