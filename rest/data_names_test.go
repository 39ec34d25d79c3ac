package rest_test

import (
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestColumnsNamedLikeQueryAliases uses column names that SQL built by storage could mistake
// for its own aliases and whole-row references (x, t, r, d, old, changed, ins): every write
// and read must still work.
func TestColumnsNamedLikeQueryAliases(t *testing.T) {
	e := newDataEnv(t)
	names := []string{"x", "t", "r", "d", "old", "changed", "ins", "rows_out", "hist", "ev"}
	var cols []colDef
	for _, n := range names {
		cols = append(cols, colDef{"name": n, "type": "TEXT"})
	}
	table, _ := e.createTable(t, "tricky", cols...)
	values := map[string]any{}
	for _, n := range names {
		values[n] = "v_" + n
	}
	id := e.insert(t, table, values)[0]
	got := e.rowData(t, table, id)
	for _, n := range names {
		if got[n] != "v_"+n {
			t.Fatalf("column %s reads back %v", n, got[n])
		}
	}
	e.ok(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {x: "new", old: "o2"}) { id } }`, map[string]any{"t": table, "id": id})
	got = e.rowData(t, table, id)
	if got["x"] != "new" || got["old"] != "o2" || got["t"] != "v_t" {
		t.Fatalf("after update: %v", got)
	}
	hist := e.ok(t, `query($t: ID!, $id: ID!) { rowHistory(table: $t, id: $id) { version data } }`, map[string]any{"t": table, "id": id})
	if testserver.Str(hist, "rowHistory", 0, "data", "old") != "o2" || testserver.Str(hist, "rowHistory", 1, "data", "old") != "v_old" {
		t.Fatalf("history: %v", hist)
	}
	e.ok(t, `mutation($t: ID!, $id: ID!) { deleteRow(table: $t, id: $id) }`, map[string]any{"t": table, "id": id})
	e.ok(t, `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id } }`, map[string]any{"t": table, "id": id})
	if got = e.rowData(t, table, id); got["changed"] != "v_changed" || got["x"] != "new" {
		t.Fatalf("after restore: %v", got)
	}
	list := e.ok(t, `query($t: ID!) { rows(table: $t, where: {column: "d", op: eq, value: "v_d"}, orderBy: [{column: "r"}]) { totalCount nodes { id } } }`, map[string]any{"t": table})
	if testserver.Str(list, "rows", "totalCount") != "1" {
		t.Fatalf("list: %v", list)
	}
	dup := e.ok(t, `mutation($t: ID!) { duplicateTable(id: $t, name: "tricky_copy", withRows: true) { id } }`, map[string]any{"t": table})
	copyID := testserver.Str(dup, "duplicateTable", "id")
	if got := e.rowData(t, copyID, id); got["ins"] != "v_ins" {
		t.Fatalf("duplicate with rows: %v", got)
	}
}
