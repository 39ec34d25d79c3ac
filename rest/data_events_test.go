package rest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// outboxEvent is one row of the events table.
type outboxEvent struct {
	ID          int64           `db:"id"`
	WorkspaceID int64           `db:"workspace_id"`
	DatabaseID  *int64          `db:"database_id"`
	TableID     *int64          `db:"table_id"`
	RowID       *int64          `db:"row_id"`
	Kind        string          `db:"kind"`
	Actor       *string         `db:"actor"`
	Payload     json.RawMessage `db:"payload"`
}

func (ev outboxEvent) before() map[string]any { return ev.part("before") }
func (ev outboxEvent) after() map[string]any  { return ev.part("after") }

func (ev outboxEvent) part(name string) map[string]any {
	var p map[string]map[string]any
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return nil
	}
	return p[name]
}

// eventsSince returns the events with an id above last, in order.
func (e *dataEnv) eventsSince(t testing.TB, last int64) []outboxEvent {
	t.Helper()
	var out []outboxEvent
	if err := e.srv.Store.DB().SelectContext(context.Background(), &out,
		`SELECT id, workspace_id, database_id, table_id, row_id, kind, actor, payload FROM events WHERE id > $1 ORDER BY id`, last); err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *dataEnv) lastEventID(t testing.TB) int64 {
	t.Helper()
	return e.sqlInt(t, `SELECT coalesce(max(id), 0) FROM events`)
}

func kindsOf(evs []outboxEvent) string {
	var k []string
	for _, ev := range evs {
		k = append(k, ev.Kind)
	}
	return strings.Join(k, ",")
}

func TestRowEventsCarryBeforeAndAfter(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := e.createTable(t, "orders", colDef{"name": "item", "type": "TEXT"}, colDef{"name": "qty", "type": "INTEGER"})
	wsID := e.sqlInt(t, `SELECT workspace_id FROM databases WHERE id = $1`, e.db)

	mark := e.lastEventID(t)
	ids := e.insert(t, tid, map[string]any{"item": "pen", "qty": 1}, map[string]any{"item": "ink", "qty": 2})
	evs := e.eventsSince(t, mark)
	if kindsOf(evs) != "row.created,row.created" {
		t.Fatalf("events of a 2-row insert: %s", kindsOf(evs))
	}
	for i, ev := range evs {
		if ev.WorkspaceID != wsID || ev.DatabaseID == nil || asJSON(*ev.DatabaseID) != e.db || ev.TableID == nil || asJSON(*ev.TableID) != tid ||
			ev.RowID == nil || asJSON(*ev.RowID) != ids[i] || ev.Actor == nil || !strings.HasPrefix(*ev.Actor, "token:") {
			t.Errorf("event %d: %+v", i, ev)
		}
		if ev.before() != nil {
			t.Errorf("row.created has a before: %s", ev.Payload)
		}
		a := ev.after()
		if asJSON(a["id"]) != ids[i] || asJSON(a["version"]) != "1" || a["created_at"] == nil {
			t.Errorf("row.created after: %s", ev.Payload)
		}
	}
	if evs[0].after()["item"] != "pen" || evs[1].after()["item"] != "ink" {
		t.Errorf("row.created values: %s / %s", evs[0].Payload, evs[1].Payload)
	}

	mark = e.lastEventID(t)
	e.ok(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {qty: 5}) { id } }`, map[string]any{"t": tid, "id": ids[0]})
	evs = e.eventsSince(t, mark)
	if kindsOf(evs) != "row.updated" {
		t.Fatalf("events of an update: %s", kindsOf(evs))
	}
	if b, a := evs[0].before(), evs[0].after(); asJSON(b["qty"]) != "1" || asJSON(a["qty"]) != "5" || asJSON(b["version"]) != "1" || asJSON(a["version"]) != "2" || a["item"] != "pen" {
		t.Errorf("row.updated payload: %s", evs[0].Payload)
	}

	mark = e.lastEventID(t)
	e.ok(t, `mutation($t: ID!) { updateRows(table: $t, where: {and: []}, values: {item: "x"}) { id } }`, map[string]any{"t": tid})
	if got := kindsOf(e.eventsSince(t, mark)); got != "row.updated,row.updated" {
		t.Errorf("events of an update by filter: %s", got)
	}

	mark = e.lastEventID(t)
	e.ok(t, `mutation($t: ID!, $id: ID!) { deleteRow(table: $t, id: $id) }`, map[string]any{"t": tid, "id": ids[1]})
	evs = e.eventsSince(t, mark)
	if kindsOf(evs) != "row.deleted" || evs[0].after() != nil || evs[0].before()["item"] != "x" || asJSON(*evs[0].RowID) != ids[1] {
		t.Errorf("events of a delete: %s %s", kindsOf(evs), evs[0].Payload)
	}

	mark = e.lastEventID(t)
	e.ok(t, `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id } }`, map[string]any{"t": tid, "id": ids[1]})
	evs = e.eventsSince(t, mark)
	if kindsOf(evs) != "row.restored" || evs[0].before() != nil || evs[0].after()["item"] != "x" || asJSON(evs[0].after()["id"]) != ids[1] {
		t.Errorf("events of a restore: %s %s", kindsOf(evs), evs[0].Payload)
	}

	mark = e.lastEventID(t)
	e.ok(t, `mutation($t: ID!) { upsertRows(table: $t, keyColumn: "id", rows: [{id: 1, qty: 9}, {item: "new"}]) { inserted { id } } }`, map[string]any{"t": tid})
	if got := kindsOf(e.eventsSince(t, mark)); got != "row.created,row.updated" {
		t.Errorf("events of an upsert: %s", got)
	}

	// a write that fails writes no event (and nothing else)
	mark = e.lastEventID(t)
	e.refuseAdmin(t, `mutation($t: ID!) { insertRows(table: $t, rows: [{item: "a"}, {qty: "x"}]) { id } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	if got := e.eventsSince(t, mark); len(got) != 0 {
		t.Errorf("a refused write left events: %s", kindsOf(got))
	}
}

func TestSchemaEvents(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	mark := e.lastEventID(t)
	tid, cols := e.createTable(t, "things", colDef{"name": "a", "type": "TEXT"})
	e.ok(t, `mutation($t: ID!) { updateTable(id: $t, input: {name: "stuff", label: "Stuff"}) { id } }`, map[string]any{"t": tid})
	add := e.ok(t, `mutation($t: ID!) { addColumn(table: $t, input: {name: "b", type: INTEGER}) { id } }`, map[string]any{"t": tid})
	b := testserver.Str(add, "addColumn", "id")
	e.ok(t, `mutation($c: ID!) { updateColumn(id: $c, input: {label: "Bee"}) { id } }`, map[string]any{"c": b})
	e.ok(t, `mutation($c: ID!) { renameColumn(id: $c, name: "bee") { id } }`, map[string]any{"c": b})
	e.ok(t, `mutation($c: ID!) { changeColumnType(id: $c, input: {type: TEXT}) { id } }`, map[string]any{"c": b})
	e.ok(t, `mutation($c: ID!) { deleteColumn(id: $c) }`, map[string]any{"c": cols["a"]})
	e.ok(t, `mutation($t: ID!) { deleteTable(id: $t) }`, map[string]any{"t": tid})
	evs := e.eventsSince(t, mark)
	want := "table.created,table.updated,column.created,column.updated,column.updated,column.updated,column.deleted,table.deleted"
	if kindsOf(evs) != want {
		t.Fatalf("schema events\n got %s\nwant %s", kindsOf(evs), want)
	}
	for _, ev := range evs {
		if ev.TableID == nil || asJSON(*ev.TableID) != tid || ev.RowID != nil || ev.Actor == nil {
			t.Errorf("%s: %+v", ev.Kind, ev)
		}
	}
	check := func(i int, part, key, want string) {
		t.Helper()
		m := evs[i].part(part)
		if got := asJSON(m[key]); got != want {
			t.Errorf("%s %s.%s = %s, want %s (%s)", evs[i].Kind, part, key, got, want, evs[i].Payload)
		}
	}
	check(0, "after", "name", `"things"`)
	check(1, "before", "name", `"things"`)
	check(1, "after", "name", `"stuff"`)
	check(2, "after", "name", `"b"`)
	check(2, "after", "type", `"INTEGER"`)
	check(4, "before", "name", `"b"`)
	check(4, "after", "name", `"bee"`)
	check(5, "before", "type", `"INTEGER"`)
	check(5, "after", "type", `"TEXT"`)
	check(6, "before", "name", `"a"`)
	check(7, "before", "name", `"stuff"`)
	if evs[0].before() != nil || evs[6].after() != nil || evs[7].after() != nil {
		t.Errorf("created events must have no before, deleted ones no after")
	}
}
