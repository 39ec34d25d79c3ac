package rest_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// --- saved views through the platform API ---

const viewFields = `id name type position filter sorts { column direction } groupBy hiddenFields
	fieldOptions { column width order } decorations groupColumn dateColumn endDateColumn public slug passwordProtected`

// viewsTable makes a table of tasks with a select, a date, an integer and a secret column,
// and rows: a..f with scores 1..6, statuses alternating todo/done (f has none).
func viewsTable(t *testing.T, e *dataEnv) (table string, ids []string) {
	t.Helper()
	opts := []any{map[string]any{"value": "todo"}, map[string]any{"value": "doing"}, map[string]any{"value": "done"}}
	table, _ = e.createTable(t, "tasks",
		colDef{"name": "title", "type": "TEXT"},
		colDef{"name": "status", "type": "SELECT", "options": opts},
		colDef{"name": "due", "type": "DATE"},
		colDef{"name": "until", "type": "DATE"},
		colDef{"name": "score", "type": "INTEGER"},
		colDef{"name": "secret", "type": "TEXT"},
	)
	ids = e.insert(t, table,
		map[string]any{"title": "a", "status": "todo", "due": "2026-03-01", "score": 1, "secret": "s-a"},
		map[string]any{"title": "b", "status": "done", "due": "2026-03-02", "until": "2026-03-04", "score": 2, "secret": "s-b"},
		map[string]any{"title": "c", "status": "todo", "due": "2026-03-02", "score": 3, "secret": "s-c"},
		map[string]any{"title": "d", "status": "done", "due": "2026-04-01", "score": 4, "secret": "s-d"},
		map[string]any{"title": "e", "status": "todo", "due": "2026-03-05", "score": 5, "secret": "s-e"},
		map[string]any{"title": "f", "score": 6, "secret": "s-f"},
	)
	return table, ids
}

func (e *dataEnv) createView(t testing.TB, table string, in map[string]any) map[string]any {
	t.Helper()
	data := e.ok(t, `mutation($t: ID!, $in: ViewInput!) { createView(table: $t, input: $in) { `+viewFields+` } }`,
		map[string]any{"t": table, "in": in})
	return testserver.Get(data, "createView").(map[string]any)
}

// titles are the title values of a list of rows, in order.
func titles(rows any) []string {
	var out []string
	for _, r := range rows.([]any) {
		out = append(out, testserver.Str(r, "data", "title"))
	}
	return out
}

func (e *dataEnv) viewsState(t testing.TB) string {
	t.Helper()
	return e.sqlText(t, `SELECT coalesce(json_agg(v ORDER BY id)::text, '[]') FROM views v`)
}

// AND/OR filter groups and sorts: rows(view) applies them, with more filters on top.
func TestViewRowsApplyFilterTreeAndSorts(t *testing.T) {
	e := newDataEnv(t)
	table, _ := viewsTable(t, e)
	// (status = todo AND score >= 3) OR title = b, highest score first.
	v := e.createView(t, table, map[string]any{
		"name": "Open", "type": "grid",
		"filter": map[string]any{"or": []any{
			map[string]any{"and": []any{
				map[string]any{"column": "status", "op": "eq", "value": "todo"},
				map[string]any{"column": "score", "op": "gte", "value": 3},
			}},
			map[string]any{"column": "title", "op": "eq", "value": "b"},
		}},
		"sorts":        []any{map[string]any{"column": "score", "direction": "DESC"}},
		"hiddenFields": []any{"secret"},
		"fieldOptions": []any{map[string]any{"column": "title", "width": 240, "order": 0}},
		"decorations":  map[string]any{"rowColor": map[string]any{"column": "status"}},
	})
	if v["type"] != "grid" || testserver.Str(v, "sorts", 0, "column") != "score" || testserver.Str(v, "hiddenFields", 0) != "secret" ||
		testserver.Str(v, "fieldOptions", 0, "column") != "title" || testserver.Str(v, "decorations", "rowColor", "column") != "status" {
		t.Fatalf("view as created: %v", v)
	}
	rows := func(where any) []string {
		data := e.ok(t, `query($v: ID!, $w: RowFilter) { viewRows(view: $v, where: $w) { totalCount nodes { data } } }`,
			map[string]any{"v": v["id"], "w": where})
		return titles(testserver.Get(data, "viewRows", "nodes"))
	}
	if got, want := rows(nil), []string{"e", "c", "b"}; !slices.Equal(got, want) {
		t.Fatalf("viewRows = %v, want %v", got, want)
	}
	if got, want := rows(map[string]any{"column": "score", "op": "lt", "value": 5}), []string{"c", "b"}; !slices.Equal(got, want) {
		t.Fatalf("viewRows with a filter on top = %v, want %v", got, want)
	}
	// The same filter spelled out in rows gives the same rows.
	data := e.ok(t, `query($t: ID!, $w: RowFilter) { rows(table: $t, where: $w, orderBy: [{column: "score", direction: DESC}]) { nodes { data } } }`,
		map[string]any{"t": table, "w": v["filter"]})
	if got := titles(testserver.Get(data, "rows", "nodes")); !slices.Equal(got, []string{"e", "c", "b"}) {
		t.Fatalf("rows with the view's filter = %v", got)
	}
	// Updating the filter changes what the view shows.
	e.ok(t, `mutation($id: ID!) { updateView(id: $id, input: {filter: {column: "status", op: eq, value: "done"}}) { id } }`, map[string]any{"id": v["id"]})
	if got, want := rows(nil), []string{"d", "b"}; !slices.Equal(got, want) {
		t.Fatalf("after update: %v, want %v", got, want)
	}
	e.ok(t, `mutation($id: ID!) { updateView(id: $id, input: {clearFilter: true}) { id } }`, map[string]any{"id": v["id"]})
	if got := rows(nil); len(got) != 6 || got[0] != "f" {
		t.Fatalf("without a filter: %v", got)
	}
}

func TestViewOrderDuplicateDelete(t *testing.T) {
	e := newDataEnv(t)
	table, _ := viewsTable(t, e)
	a := e.createView(t, table, map[string]any{"name": "A", "type": "grid", "hiddenFields": []any{"secret"}})
	b := e.createView(t, table, map[string]any{"name": "B", "type": "gallery"})
	c := e.createView(t, table, map[string]any{"name": "C", "type": "form"})
	names := func(list any) []string {
		var out []string
		for _, v := range list.([]any) {
			out = append(out, testserver.Str(v, "name"))
		}
		return out
	}
	data := e.ok(t, `mutation($t: ID!, $ids: [ID!]!) { orderViews(table: $t, ids: $ids) { name } }`,
		map[string]any{"t": table, "ids": []any{c["id"], a["id"]}})
	if got := names(testserver.Get(data, "orderViews")); !slices.Equal(got, []string{"C", "A", "B"}) {
		t.Fatalf("ordered: %v", got)
	}
	data = e.ok(t, `mutation($id: ID!) { duplicateView(id: $id) { id name type hiddenFields public } }`, map[string]any{"id": a["id"]})
	dup := testserver.Get(data, "duplicateView").(map[string]any)
	if dup["name"] != "A 2" || testserver.Str(dup, "hiddenFields", 0) != "secret" || dup["public"] != false {
		t.Fatalf("duplicate: %v", dup)
	}
	data = e.ok(t, `query($t: ID!) { views(table: $t) { name } }`, map[string]any{"t": table})
	if got := names(testserver.Get(data, "views")); !slices.Equal(got, []string{"C", "A", "A 2", "B"}) {
		t.Fatalf("after duplicate: %v", got)
	}
	e.ok(t, `mutation($id: ID!) { deleteView(id: $id) }`, map[string]any{"id": b["id"]})
	e.refuseAdmin(t, `query($id: ID!) { view(id: $id) { id } }`, map[string]any{"id": b["id"]}, "NOT_FOUND")
}

// Bad view settings are refused with the field named, and change nothing.
func TestViewRefusals(t *testing.T) {
	e := newDataEnv(t)
	table, _ := viewsTable(t, e)
	other, _ := e.createTable(t, "other", colDef{"name": "x", "type": "TEXT"})
	ov := e.createView(t, other, map[string]any{"name": "O", "type": "grid"})
	gv := e.createView(t, table, map[string]any{"name": "G", "type": "grid"})
	create := `mutation($t: ID!, $in: ViewInput!) { createView(table: $t, input: $in) { id } }`
	for name, in := range map[string]map[string]any{
		"unknown filter column": {"name": "x", "type": "grid", "filter": map[string]any{"column": "nope", "op": "eq", "value": 1}},
		"unknown sort column":   {"name": "x", "type": "grid", "sorts": []any{map[string]any{"column": "nope"}}},
		"hidden system column":  {"name": "x", "type": "grid", "hiddenFields": []any{"id"}},
		"kanban without group":  {"name": "x", "type": "kanban"},
		"kanban on text":        {"name": "x", "type": "kanban", "groupColumn": "title"},
		"calendar on integer":   {"name": "x", "type": "calendar", "dateColumn": "score"},
		"blank name":            {"name": "  ", "type": "grid"},
		"no type":               {"name": "x"},
	} {
		t.Run(name, func(t *testing.T) {
			before := e.viewsState(t)
			e.refuseAdmin(t, create, map[string]any{"t": table, "in": in}, "BAD_USER_INPUT")
			if after := e.viewsState(t); after != before {
				t.Fatalf("a refused createView changed views:\n%s\n%s", before, after)
			}
		})
	}
	before := e.viewsState(t)
	e.refuseAdmin(t, `mutation($t: ID!, $ids: [ID!]!) { orderViews(table: $t, ids: $ids) { id } }`,
		map[string]any{"t": table, "ids": []any{ov["id"], gv["id"]}}, "NOT_FOUND")
	e.refuseAdmin(t, `query($v: ID!) { viewGroups(view: $v) { count } }`, map[string]any{"v": gv["id"]}, "BAD_USER_INPUT")
	if after := e.viewsState(t); after != before {
		t.Fatalf("a refused orderViews changed views")
	}
}

func TestViewKanbanAndCalendar(t *testing.T) {
	e := newDataEnv(t)
	table, _ := viewsTable(t, e)
	k := e.createView(t, table, map[string]any{"name": "Board", "type": "kanban", "groupColumn": "status",
		"sorts": []any{map[string]any{"column": "score", "direction": "DESC"}}})
	data := e.ok(t, `query($v: ID!) { viewGroups(view: $v, perGroup: 2) { value count rows { data } } }`, map[string]any{"v": k["id"]})
	var got []string
	for _, g := range testserver.Get(data, "viewGroups").([]any) {
		got = append(got, fmt.Sprintf("%v:%v:%v", testserver.Get(g, "value"), testserver.Get(g, "count"), titles(testserver.Get(g, "rows"))))
	}
	want := []string{"todo:3:[e c]", "doing:0:[]", "done:2:[d b]", "<nil>:1:[f]"}
	if !slices.Equal(got, want) {
		t.Fatalf("kanban groups = %v, want %v", got, want)
	}

	cal := e.createView(t, table, map[string]any{"name": "Cal", "type": "calendar", "dateColumn": "due"})
	day := func(view any, from, to string) map[string][]string {
		data := e.ok(t, `query($v: ID!, $f: String!, $t: String!) { viewBuckets(view: $v, from: $f, to: $t) { day rows { data } } }`,
			map[string]any{"v": view, "f": from, "t": to})
		out := map[string][]string{}
		for _, b := range testserver.Get(data, "viewBuckets").([]any) {
			r := titles(testserver.Get(b, "rows"))
			sort.Strings(r)
			out[testserver.Str(b, "day")] = r
		}
		return out
	}
	c := day(cal["id"], "2026-03-01", "2026-03-05")
	if len(c) != 5 || !slices.Equal(c["2026-03-01"], []string{"a"}) || !slices.Equal(c["2026-03-02"], []string{"b", "c"}) ||
		len(c["2026-03-03"]) != 0 || !slices.Equal(c["2026-03-05"], []string{"e"}) {
		t.Fatalf("calendar = %v", c)
	}
	tl := e.createView(t, table, map[string]any{"name": "TL", "type": "timeline", "dateColumn": "due", "endDateColumn": "until"})
	// b runs from the 2nd to the 4th: it shows on the 3rd and 4th too, even in a range that
	// starts after its first day.
	c = day(tl["id"], "2026-03-03", "2026-03-04")
	if !slices.Equal(c["2026-03-03"], []string{"b"}) || !slices.Equal(c["2026-03-04"], []string{"b"}) {
		t.Fatalf("timeline = %v", c)
	}
	e.refuseAdmin(t, `query($v: ID!) { viewBuckets(view: $v, from: "2026-01-01", to: "2028-01-01") { day } }`, map[string]any{"v": cal["id"]}, "BAD_USER_INPUT")
	e.refuseAdmin(t, `query($v: ID!) { viewBuckets(view: $v, from: "March", to: "2026-03-02") { day } }`, map[string]any{"v": cal["id"]}, "BAD_USER_INPUT")
}

// Reading views needs read access to the table, changing them write access; without a
// credential nothing is shown.
func TestViewAccess(t *testing.T) {
	e := newDataEnv(t)
	table, _ := viewsTable(t, e)
	v := e.createView(t, table, map[string]any{"name": "V", "type": "grid"})
	data := e.ok(t, `mutation { createToken(input: {name: "reader", scopes: [READ]}) { secret } }`, nil)
	reader := testserver.Str(data, "createToken", "secret")
	r := e.srv.Platform(t, reader, `query($v: ID!) { view(id: $v) { name } viewRows(view: $v) { nodes { id } } }`, map[string]any{"v": v["id"]}).OK(t)
	if testserver.Str(r, "view", "name") != "V" {
		t.Fatalf("reader: %v", r)
	}
	before := e.viewsState(t)
	e.refuse(t, reader, `mutation($v: ID!) { updateView(id: $v, input: {name: "W"}) { id } }`, map[string]any{"v": v["id"]}, "FORBIDDEN")
	e.refuse(t, reader, `mutation($v: ID!) { shareView(id: $v) { slug } }`, map[string]any{"v": v["id"]}, "FORBIDDEN")
	e.refuse(t, reader, `mutation($t: ID!) { createView(table: $t, input: {name: "x", type: grid}) { id } }`, map[string]any{"t": table}, "FORBIDDEN")
	e.refuse(t, "", `query($v: ID!) { viewRows(view: $v) { nodes { id } } }`, map[string]any{"v": v["id"]}, "UNAUTHENTICATED")
	if e.viewsState(t) != before {
		t.Fatal("refused view changes changed views")
	}
}

// Another workspace sees neither the views nor their rows nor comments: NOT_FOUND, as for
// anything that does not exist.
func TestViewsOfAnotherWorkspace(t *testing.T) {
	e := newDataEnv(t)
	table, ids := viewsTable(t, e)
	v := e.createView(t, table, map[string]any{"name": "V", "type": "grid"})
	c := e.ok(t, `mutation($t: ID!, $r: ID!) { createComment(table: $t, row: $r, body: "hi") { id } }`, map[string]any{"t": table, "r": ids[0]})
	stranger := signUp(t, e.srv, "stranger@example.com").session
	before := e.viewsState(t)
	for _, q := range []struct {
		query string
		vars  map[string]any
	}{
		{`query($v: ID!) { view(id: $v) { id } }`, map[string]any{"v": v["id"]}},
		{`query($v: ID!) { viewRows(view: $v) { nodes { id } } }`, map[string]any{"v": v["id"]}},
		{`query($t: ID!) { views(table: $t) { id } }`, map[string]any{"t": table}},
		{`mutation($v: ID!) { shareView(id: $v) { slug } }`, map[string]any{"v": v["id"]}},
		{`mutation($v: ID!) { deleteView(id: $v) }`, map[string]any{"v": v["id"]}},
		{`query($t: ID!, $r: ID!) { comments(table: $t, row: $r) { nodes { id } } }`, map[string]any{"t": table, "r": ids[0]}},
		{`mutation($c: ID!) { deleteComment(id: $c) }`, map[string]any{"c": testserver.Str(c, "createComment", "id")}},
	} {
		e.refuse(t, stranger, q.query, q.vars, "NOT_FOUND")
	}
	if e.viewsState(t) != before {
		t.Fatal("a stranger changed views")
	}
}
