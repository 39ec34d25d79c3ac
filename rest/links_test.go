package rest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// linkState is dataState plus the link metadata and every junction's rows.
func (e *dataEnv) linkState(t *testing.T) string {
	t.Helper()
	s := e.dataState(t) +
		e.sqlText(t, `SELECT coalesce(json_agg(x ORDER BY id)::text, '[]') FROM link_columns x`) +
		e.sqlText(t, `SELECT coalesce(json_agg(x ORDER BY link_id, source_id, target_id)::text, '[]') FROM link_trash x`)
	for _, j := range strings.Fields(e.sqlText(t, `SELECT string_agg(d.schema_name || '.' || l.junction, ' ' ORDER BY l.id)
		FROM link_columns l JOIN tables_meta t ON t.id = l.table_id JOIN databases d ON d.id = t.database_id`)) {
		parts := strings.SplitN(j, ".", 2)
		s += e.sqlText(t, fmt.Sprintf(`SELECT coalesce(json_agg(x ORDER BY source_id, target_id)::text, '[]') FROM %q.%q x`, parts[0], parts[1]))
	}
	return s
}

func TestLinkColumnsThroughThePlatformAndTypedAPIs(t *testing.T) {
	e := newDataEnv(t)
	people, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"})
	projects, pcols := e.createTable(t, "projects", colDef{"name": "code", "type": "INTEGER"}, colDef{"name": "title", "type": "TEXT"})
	p := e.insert(t, people, map[string]any{"name": "ann"}, map[string]any{"name": "bob"})
	j := e.insert(t, projects, map[string]any{"code": 1, "title": "apollo"}, map[string]any{"code": 2, "title": "gemini"})

	data := e.ok(t, `mutation($in: CreateLinkColumnInput!) { createLinkColumn(input: $in) { id name reverseName junction } }`,
		map[string]any{"in": map[string]any{"table": people, "targetTable": projects, "name": "projects", "reverseName": "members"}})
	link := testserver.Str(data, "createLinkColumn", "id")
	if got := testserver.Str(data, "createLinkColumn", "junction"); got != "_link_"+link {
		t.Fatalf("junction %q", got)
	}
	data = e.ok(t, `mutation($l: ID!, $r: ID!, $ts: [LinkTargetInput!]!) { linkRows(link: $l, row: $r, targets: $ts) }`,
		map[string]any{"l": link, "r": p[0], "ts": []any{map[string]any{"id": j[0], "meta": map[string]any{"role": "lead"}}, map[string]any{"id": j[1]}}})
	if n := fmt.Sprint(testserver.Get(data, "linkRows")); n != "2" {
		t.Fatalf("linkRows: %v", n)
	}
	e.ok(t, `mutation($l: ID!, $r: ID!, $ts: [LinkTargetInput!]!) { linkRows(link: $l, row: $r, reverse: true, targets: $ts) }`,
		map[string]any{"l": link, "r": j[0], "ts": []any{map[string]any{"id": p[1]}}})

	links := func(row string, reverse bool) string {
		t.Helper()
		data := e.ok(t, `query($l: ID!, $r: ID!, $rev: Boolean) { rowLinks(link: $l, row: $r, reverse: $rev) { id primary meta } }`,
			map[string]any{"l": link, "r": row, "rev": reverse})
		var parts []string
		for _, x := range testserver.Get(data, "rowLinks").([]any) {
			parts = append(parts, fmt.Sprintf("%v:%v:%v", testserver.Get(x, "id"), testserver.Get(x, "primary"), testserver.Get(x, "meta")))
		}
		return strings.Join(parts, " ")
	}
	if got, want := links(p[0], false), j[0]+":apollo:map[role:lead] "+j[1]+":gemini:<nil>"; got != want {
		t.Fatalf("ann's projects: %s, want %s", got, want)
	}
	// The primary column decides the value shown: code instead of the first text column.
	e.ok(t, `mutation($t: ID!) { setPrimaryColumn(table: $t, column: "code") { primaryColumn { id } } }`, map[string]any{"t": projects})
	data = e.ok(t, `query($t: ID!) { table(id: $t) { primaryColumn { id } links { name reverseName } } }`, map[string]any{"t": projects})
	if testserver.Str(data, "table", "primaryColumn", "id") != pcols["code"] || testserver.Str(data, "table", "links", 0, "reverseName") != "members" {
		t.Fatalf("table: %v", data)
	}
	if got, want := links(p[0], false), j[0]+":1:map[role:lead] "+j[1]+":2:<nil>"; got != want {
		t.Fatalf("with code as primary: %s, want %s", got, want)
	}

	// The typed API: both sides as array relationships.
	typed := e.srv.GraphQL(t, "/dbs/"+e.db+"/graphql", e.token, `{ people(order_by: {id: asc}) { name
		projects(order_by: {title: desc}, limit: 1) { title members(order_by: {name: asc}) { name } } } }`, nil).OK(t)
	if got := fmt.Sprint(typed); got != "map[people:[map[name:ann projects:[map[members:[map[name:ann]] title:gemini]]] map[name:bob projects:[map[members:[map[name:ann] map[name:bob]] title:apollo]]]]]" {
		t.Fatalf("typed: %s", got)
	}
	typed = e.srv.GraphQL(t, "/dbs/"+e.db+"/graphql", e.token, `{ people(where: {projects: {title: {_eq: "gemini"}}}, order_by: {id: asc}) { name } }`, nil).OK(t)
	if got := fmt.Sprint(typed); got != "map[people:[map[name:ann]]]" {
		t.Fatalf("typed filter: %s", got)
	}

	// Platform filters: ann is linked to apollo and gemini, bob to apollo.
	names := func(table, field, op string, ids ...string) string {
		t.Helper()
		data := e.ok(t, `query($t: ID!, $w: RowFilter) { rows(table: $t, where: $w, orderBy: [{column: "id", direction: ASC}]) { nodes { data } } }`,
			map[string]any{"t": table, "w": map[string]any{"column": field, "op": op, "value": ids}})
		var out []string
		for _, n := range testserver.Get(data, "rows", "nodes").([]any) {
			d := testserver.Get(n, "data")
			out = append(out, fmt.Sprint(testserver.Get(d, "name"), testserver.Get(d, "title")))
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		table, field, op, want string
		ids                    []string
	}{
		{people, "projects", "has", "ann<nil>", []string{j[0], j[1]}},
		{people, "projects", "has", "ann<nil> bob<nil>", []string{j[0]}},
		{people, "projects", "has_any", "ann<nil>", []string{j[1], "999999"}},
		{people, "projects", "has_not", "bob<nil>", []string{j[1]}},
		{projects, "members", "has", "<nil>apollo", []string{p[1]}},
		{projects, "members", "has_not", "", []string{p[0]}},
	} {
		if got := names(c.table, c.field, c.op, c.ids...); got != c.want {
			t.Errorf("%s %s %v: %q, want %q", c.field, c.op, c.ids, got, c.want)
		}
	}
	for _, bad := range []map[string]any{
		{"column": "name", "op": "has", "value": []string{p[0]}},
		{"column": "projects", "op": "has", "value": "x"},
		{"column": "projects", "op": "eq", "value": 1},
	} {
		r := e.srv.Platform(t, e.token, `query($t: ID!, $w: RowFilter) { rows(table: $t, where: $w) { nodes { id } } }`,
			map[string]any{"t": people, "w": bad})
		if code := r.ErrorCode(t); code != "BAD_USER_INPUT" {
			t.Errorf("filter %v: %s", bad, code)
		}
	}

	// Deleting a project takes its links; restoring it brings them back.
	e.ok(t, `mutation($t: ID!, $ids: [ID!]) { deleteRows(table: $t, ids: $ids) { ids } }`, map[string]any{"t": projects, "ids": []string{j[0]}})
	if got := links(p[0], false); got != j[1]+":2:<nil>" {
		t.Fatalf("after the delete: %s", got)
	}
	e.ok(t, `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id } }`, map[string]any{"t": projects, "id": j[0]})
	if got, want := links(j[0], true), p[0]+":ann:map[role:lead] "+p[1]+":bob:<nil>"; got != want {
		t.Fatalf("after the restore: %s, want %s", got, want)
	}

	// Refused requests change nothing.
	before := e.linkState(t)
	big := strings.Repeat("x", 10<<10)
	refusals := []struct {
		name, query string
		vars        map[string]any
		code        string
	}{
		{"metadata over 10 KB", `mutation($l: ID!, $r: ID!, $ts: [LinkTargetInput!]!) { linkRows(link: $l, row: $r, targets: $ts) }`,
			map[string]any{"l": link, "r": p[1], "ts": []any{map[string]any{"id": j[1], "meta": map[string]any{"x": big}}}}, "BAD_USER_INPUT"},
		{"a target that does not exist", `mutation($l: ID!, $r: ID!, $ts: [LinkTargetInput!]!) { linkRows(link: $l, row: $r, targets: $ts) }`,
			map[string]any{"l": link, "r": p[1], "ts": []any{map[string]any{"id": j[1]}, map[string]any{"id": "999999"}}}, "NOT_FOUND"},
		{"an unknown link column", `mutation($r: ID!) { unlinkRows(link: "999999", row: $r, targetIds: ["1"]) }`,
			map[string]any{"r": p[0]}, "NOT_FOUND"},
		{"a reverse name a column has", `mutation($in: CreateLinkColumnInput!) { createLinkColumn(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"table": people, "targetTable": projects, "name": "more", "reverseName": "title"}}, "CONFLICT"},
		{"a bad name", `mutation($in: CreateLinkColumnInput!) { createLinkColumn(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"table": people, "targetTable": projects, "name": "no spaces"}}, "BAD_USER_INPUT"},
		{"a primary column that does not exist", `mutation($t: ID!) { setPrimaryColumn(table: $t, column: "nope") { id } }`,
			map[string]any{"t": projects}, "BAD_USER_INPUT"},
		{"a page too large", `query($l: ID!, $r: ID!) { rowLinks(link: $l, row: $r, first: 5000) { id } }`,
			map[string]any{"l": link, "r": p[0]}, "BAD_USER_INPUT"},
	}
	for _, c := range refusals {
		if code := e.srv.Platform(t, e.token, c.query, c.vars).ErrorCode(t); code != c.code {
			t.Errorf("%s: code %q, want %s", c.name, code, c.code)
		}
	}
	if after := e.linkState(t); after != before {
		t.Fatalf("a refused request changed the state")
	}

	// Deleting the link column drops its junction, and the typed fields go.
	e.ok(t, `mutation($l: ID!) { deleteLinkColumn(id: $l) }`, map[string]any{"l": link})
	if n := e.sqlInt(t, `SELECT count(*) FROM pg_class WHERE relname = $1`, "_link_"+link); n != 0 {
		t.Fatalf("junction still there")
	}
	r := e.srv.GraphQL(t, "/dbs/"+e.db+"/graphql", e.token, `{ people { projects { title } } }`, nil)
	if len(r.Errors) == 0 {
		t.Fatalf("the typed field outlived its link column")
	}
}

func TestColumnSettingsPerDialect(t *testing.T) {
	e := newDataEnv(t)
	table, cols := e.createTable(t, "notes", colDef{"name": "body", "type": "TEXT"}, colDef{"name": "n", "type": "INTEGER"})
	set := `mutation($c: ID!, $d: String!, $s: JSONObject!) { setColumnSettings(column: $c, dialect: $d, settings: $s) }`
	e.ok(t, set, map[string]any{"c": cols["body"], "d": "contibase", "s": map[string]any{"widget": "markdown", "rows": 4}})
	e.ok(t, set, map[string]any{"c": cols["body"], "d": "baserow", "s": map[string]any{"text_default": "hi"}})
	read := func() string {
		t.Helper()
		data := e.ok(t, `query($t: ID!) { table(id: $t) { columns { name c: settings(dialect: "contibase") b: settings(dialect: "baserow") } } }`,
			map[string]any{"t": table})
		return fmt.Sprint(testserver.Get(data, "table", "columns"))
	}
	if got := read(); got != "[map[b:map[text_default:hi] c:map[rows:4 widget:markdown] name:body] map[b:map[] c:map[] name:n]]" {
		t.Fatalf("settings: %s", got)
	}
	// Refused: a bad dialect name, a document over 64 KB, an unknown column; nothing changes.
	before := e.sqlText(t, `SELECT coalesce(json_agg(x ORDER BY column_id, dialect)::text, '') FROM column_settings x`)
	for _, c := range []struct {
		vars map[string]any
		code string
	}{
		{map[string]any{"c": cols["body"], "d": "Bad Name", "s": map[string]any{}}, "BAD_USER_INPUT"},
		{map[string]any{"c": cols["body"], "d": "contibase", "s": map[string]any{"x": strings.Repeat("y", 70<<10)}}, "BAD_USER_INPUT"},
		{map[string]any{"c": "999999", "d": "contibase", "s": map[string]any{"x": 1}}, "NOT_FOUND"},
	} {
		if code := e.srv.Platform(t, e.token, set, c.vars).ErrorCode(t); code != c.code {
			t.Errorf("%v: %s, want %s", c.vars["d"], code, c.code)
		}
	}
	if after := e.sqlText(t, `SELECT coalesce(json_agg(x ORDER BY column_id, dialect)::text, '') FROM column_settings x`); after != before {
		t.Fatalf("a refused write changed the settings")
	}
	// The settings go with their column.
	e.ok(t, `mutation($c: ID!) { deleteColumn(id: $c) }`, map[string]any{"c": cols["body"]})
	if n := e.sqlInt(t, `SELECT count(*) FROM column_settings WHERE column_id = $1`, cols["body"]); n != 0 {
		t.Fatalf("%d settings outlived their column", n)
	}
}
