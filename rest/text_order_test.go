package rest_test

import (
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestTextOrderAcrossAPIs: text sorts in natural order by default, on the platform API's rows
// (orderBy, through its pages) and in the typed API (order_by, through an object relationship
// too); byte order is asked with RowOrder.bytes and the _bytes directions.
func TestTextOrderAcrossAPIs(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	lists := e.table(t, "lists", col("name", "TEXT"))
	e.table(t, "todos", col("title", "TEXT"), col("list", "LINK", "linkTable", lists))
	e.q(t, `mutation { insert_lists(objects: [{name: "home"}, {name: "Work"}]) { affected_rows } }`, nil)
	ids := e.q(t, `{ lists(order_by: {name: asc_bytes}) { id } }`, nil)["lists"].([]any)
	work, home := testserver.Str(ids[0], "id"), testserver.Str(ids[1], "id")
	e.q(t, `mutation { insert_todos(objects: [
		{title: "Write report", list: `+work+`}, {title: "buy milk", list: `+home+`}, {title: "Call mom", list: `+home+`},
		{title: "answer mail", list: `+work+`}]) { affected_rows } }`, nil)
	natural, bytes := "answer mail,buy milk,Call mom,Write report", "Call mom,Write report,answer mail,buy milk"

	titles := func(data any, path ...any) string {
		var out []string
		for _, r := range testserver.Get(data, path...).([]any) {
			out = append(out, testserver.Str(r, "title"))
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct{ args, want string }{
		{`order_by: {title: asc}`, natural},
		{`order_by: {title: ASC}`, natural},
		{`order_by: {title: asc_bytes}`, bytes},
		{`order_by: {title: desc_bytes_nulls_last}`, "buy milk,answer mail,Write report,Call mom"},
		{`order_by: [{list_rel: {name: asc}}, {title: asc}]`, "buy milk,Call mom,answer mail,Write report"},
		{`order_by: [{list_rel: {name: asc_bytes}}, {title: asc}]`, "answer mail,Write report,buy milk,Call mom"},
		{`distinct_on: [title], order_by: {title: asc}`, natural},
	} {
		if got := titles(e.q(t, `{ todos(`+c.args+`) { title } }`, nil), "todos"); got != c.want {
			t.Errorf("typed %s: got %s, want %s", c.args, got, c.want)
		}
	}

	// The platform API, two rows a page.
	tid := testserver.Str(e.srv.Platform(t, e.srv.AdminToken, `query($db: ID!) { database(id: $db) { tables { id name } } }`,
		map[string]any{"db": e.db}).OK(t), "database", "tables", 1, "id")
	const q = `query($t: ID!, $o: [RowOrder!], $after: String) {
		rows(table: $t, orderBy: $o, first: 2, after: $after) { nodes { data } pageInfo { hasNextPage endCursor } } }`
	for _, c := range []struct {
		order map[string]any
		want  string
	}{
		{map[string]any{"column": "title"}, natural},
		{map[string]any{"column": "title", "bytes": false}, natural},
		{map[string]any{"column": "title", "bytes": true}, bytes},
		{map[string]any{"column": "title", "direction": "DESC", "bytes": true}, "buy milk,answer mail,Write report,Call mom"},
	} {
		var got []string
		var after any
		for range 5 {
			rows := testserver.Get(e.srv.Platform(t, e.srv.AdminToken, q, map[string]any{"t": tid, "o": []any{c.order}, "after": after}).OK(t), "rows")
			for _, n := range testserver.Get(rows, "nodes").([]any) {
				got = append(got, testserver.Str(n, "data", "title"))
			}
			if testserver.Get(rows, "pageInfo", "hasNextPage") != true {
				break
			}
			after = testserver.Str(rows, "pageInfo", "endCursor")
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("platform %v: got %s, want %s", c.order, strings.Join(got, ","), c.want)
		}
	}
}
