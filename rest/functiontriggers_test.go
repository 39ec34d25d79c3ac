package rest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/resolvers"
)

const setTriggerQuery = `mutation($id: ID!, $in: FunctionTriggerInput!) { setFunctionTrigger(functionId: $id, input: $in) { tableId events cron nextRunAt } }`

// waitInvocations polls the invocation log until it holds n entries (or fails after a while;
// the jobs run asynchronously).
func waitInvocations(t *testing.T, e *dataEnv, fn string, n int) []any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		data := e.ok(t, `query($id: ID!) { functionInvocations(functionId: $id, first: 100) { invocations { trigger input output error } } }`, map[string]any{"id": fn})
		list := testserver.Get(data, "functionInvocations", "invocations").([]any)
		if len(list) >= n || time.Now().After(deadline) {
			return list
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A row trigger runs the function once per inserted row with the event as input; a cron
// trigger fires on its schedule; bad triggers are refused and change nothing.
func TestFunctionTriggers(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "orders", colDef{"name": "item", "type": "TEXT"})
	fn := createFunction(t, e.srv, e.token, map[string]any{"databaseId": e.db, "name": "onOrder",
		"code": `export default (input) => ({ kind: input.event.kind, row: input.event.rowId, item: input.event.after.item })`})
	data := e.ok(t, setTriggerQuery, map[string]any{"id": fn, "in": map[string]any{"tableId": table, "events": []string{"row.created"}}})
	if got := asJSON(testserver.Get(data, "setFunctionTrigger", "events")); got != `["row.created"]` {
		t.Fatalf("trigger: %v", data)
	}
	ids := e.insert(t, table, map[string]any{"item": "tea"}, map[string]any{"item": "cake"})
	list := waitInvocations(t, e, fn, 2)
	if len(list) != 2 {
		t.Fatalf("%d invocations after two inserts: %s", len(list), asJSON(list))
	}
	seen := map[string]bool{}
	for _, inv := range list {
		out := asJSON(testserver.Get(inv, "output"))
		if testserver.Str(inv, "trigger") != "row" || !strings.Contains(out, `"kind":"row.created"`) {
			t.Fatalf("invocation: %s", asJSON(inv))
		}
		seen[out] = true
	}
	for i, item := range []string{"tea", "cake"} {
		want := fmt.Sprintf(`{"item":"%s","kind":"row.created","row":%s}`, item, ids[i])
		if !seen[want] {
			t.Errorf("no invocation %s in %s", want, asJSON(list))
		}
	}
	// An update is not one of the trigger's events: nothing more runs.
	e.ok(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {item: "tea2"}) { id } }`, map[string]any{"t": table, "id": ids[0]})

	cronFn := createFunction(t, e.srv, e.token, map[string]any{"databaseId": e.db, "name": "tick", "code": `export default (input) => input.trigger`})
	e.ok(t, setTriggerQuery, map[string]any{"id": cronFn, "in": map[string]any{"cron": "@every 1s"}})
	ticks := waitInvocations(t, e, cronFn, 2)
	if len(ticks) < 2 || asJSON(testserver.Get(ticks[0], "output")) != `"cron"` {
		t.Fatalf("cron invocations: %s", asJSON(ticks))
	}
	e.ok(t, setTriggerQuery, map[string]any{"id": cronFn, "in": map[string]any{}})

	// The jobs are enqueued in the writing transaction: two inserts made two, the update none.
	if n := e.sqlInt(t, `SELECT count(*) FROM river_job WHERE kind = 'function.run' AND (args->>'function_id')::bigint = $1`, parseID(t, fn)); n != 2 {
		t.Errorf("%d jobs for the created-only trigger after two inserts and an update", n)
	}

	other := e.createDatabase(t, "other")
	otherTable, _ := e.createTableIn(t, other, "x", colDef{"name": "a", "type": "TEXT"})
	for _, in := range []map[string]any{
		{"tableId": otherTable},
		{"tableId": table, "events": []string{"row.exploded"}},
		{"events": []string{"row.created"}},
		{"cron": "every tuesday"},
		{"cron": "@every 10ms"},
	} {
		e.refuseAdmin(t, setTriggerQuery, map[string]any{"id": fn, "in": in}, "BAD_USER_INPUT")
	}
}

// A function whose writes trigger itself runs MaxTriggerDepth times for one first write, then
// the next run is refused with the reason in its log, and nothing more is enqueued.
func TestFunctionTriggerChainsEnd(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "log", colDef{"name": "note", "type": "TEXT"})
	fn := createFunction(t, e.srv, e.token, map[string]any{"databaseId": e.db, "name": "echo",
		"code": `export default (input, ctx) => ctx.db.insert("log", {note: "after " + input.event.rowId}).id`})
	e.ok(t, setTriggerQuery, map[string]any{"id": fn, "in": map[string]any{"tableId": table, "events": []string{"row.created"}}})
	e.insert(t, table, map[string]any{"note": "first"})

	want := resolvers.MaxTriggerDepth + 1 // the runs, and the refused one
	wantJobs := int64(want)
	list := waitInvocations(t, e, fn, want)
	if len(list) != want {
		t.Fatalf("%d invocations, want %d: %s", len(list), want, asJSON(list))
	}
	refused := testserver.Str(list[0], "error")
	if !strings.Contains(refused, "not run") || testserver.Get(list[0], "output") != nil {
		t.Fatalf("the newest invocation is not the refused one: %s", asJSON(list[0]))
	}
	for _, inv := range list[1:] {
		if inv.(map[string]any)["error"] != nil {
			t.Fatalf("a run of the chain failed: %s", asJSON(inv))
		}
	}
	// The refused run wrote nothing, so the chain is over: one row per run besides the first,
	// one job per invocation.
	if n := e.sqlInt(t, `SELECT count(*) FROM events WHERE table_id = $1 AND kind = 'row.created'`, parseID(t, table)); n != wantJobs {
		t.Errorf("%d rows created, want %d", n, wantJobs)
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM river_job WHERE kind = 'function.run' AND (args->>'function_id')::bigint = $1`, parseID(t, fn)); n != wantJobs {
		t.Errorf("%d jobs, want %d", n, wantJobs)
	}
	if n := e.sqlInt(t, `SELECT max((args->>'depth')::int) FROM river_job WHERE kind = 'function.run' AND (args->>'function_id')::bigint = $1`, parseID(t, fn)); n != wantJobs {
		t.Errorf("deepest job %d, want %d", n, wantJobs)
	}
}
