package rest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/graph/typed"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// itemsEnv has parents (one row) and n items linked to it.
func itemsEnv(t *testing.T, n int) *typedEnv {
	t.Helper()
	e := newTypedEnv(t)
	parents := e.table(t, "parents", col("name", "TEXT"))
	e.table(t, "items", col("n", "INTEGER"), col("parent", "LINK", "linkTable", parents))
	objects := make([]any, n)
	for i := range objects {
		objects[i] = map[string]any{"n": i, "parent": 1}
	}
	e.q(t, `mutation($o: [items_insert_input!]!) { insert_parents_one(object: {name: "p"}) { id } insert_items(objects: $o) { affected_rows } }`,
		map[string]any{"o": objects})
	return e
}

func rowCount(v any) int { a, _ := v.([]any); return len(a) }

// TestTypedAPICostIsBounded: every list of the typed API has a default and a maximum limit,
// every list statement carries a LIMIT, and the complexity limit counts the rows a query can
// build, so deep nesting and floods of aliases are refused before anything runs.
func TestTypedAPICostIsBounded(t *testing.T) {
	t.Parallel()
	e := itemsEnv(t, 150) // more rows than DefaultLimit

	t.Run("lists have a default limit", func(t *testing.T) {
		e.stmts.reset()
		data := e.q(t, `{ items { id } parents { items_by_parent { id } } items_aggregate { aggregate { count } nodes { id } }
			p: parents { items_by_parent_aggregate { aggregate { count } nodes { id } } } }`, nil)
		checks := map[string]int{
			"items":                           rowCount(data["items"]),
			"items_by_parent":                 rowCount(testserver.Get(data, "parents", 0, "items_by_parent")),
			"items_aggregate.nodes":           rowCount(testserver.Get(data, "items_aggregate", "nodes")),
			"items_by_parent_aggregate.nodes": rowCount(testserver.Get(data, "p", 0, "items_by_parent_aggregate", "nodes")),
		}
		for field, got := range checks {
			if got != typed.DefaultLimit {
				t.Errorf("%s without a limit returned %d rows, want the default %d", field, got, typed.DefaultLimit)
			}
		}
		// The aggregates still cover every row.
		if got := testserver.Str(data, "items_aggregate", "aggregate", "count"); got != "150" {
			t.Errorf("items_aggregate count = %s, want 150", got)
		}
		if got := testserver.Str(data, "p", 0, "items_by_parent_aggregate", "aggregate", "count"); got != "150" {
			t.Errorf("items_by_parent_aggregate count = %s, want 150", got)
		}
		// Each list statement says so in SQL: parents { items_by_parent } carries two LIMITs.
		stmts := e.stmts.matching(`'items_by_parent'`)
		if len(stmts) != 1 || strings.Count(stmts[0], " LIMIT ") != 2 {
			t.Errorf("want one statement for parents { items_by_parent } with two LIMITs, got %q", stmts)
		}
	})

	t.Run("an explicit limit up to the maximum is kept", func(t *testing.T) {
		data := e.q(t, fmt.Sprintf(`query($l: Int) { items(limit: %d) { id } parents { items_by_parent(limit: $l) { id } }
			items_aggregate(limit: 120) { aggregate { count } nodes { id } } }`, typed.MaxLimit), map[string]any{"l": 130})
		if got := rowCount(data["items"]); got != 150 {
			t.Errorf("items(limit: %d) returned %d rows, want all 150", typed.MaxLimit, got)
		}
		if got := rowCount(testserver.Get(data, "parents", 0, "items_by_parent")); got != 130 {
			t.Errorf("items_by_parent(limit: 130) returned %d rows", got)
		}
		if got := rowCount(testserver.Get(data, "items_aggregate", "nodes")); got != 120 {
			t.Errorf("items_aggregate(limit: 120) has %d nodes", got)
		}
		if got := testserver.Str(data, "items_aggregate", "aggregate", "count"); got != "120" {
			t.Errorf("items_aggregate(limit: 120) counts %s rows", got)
		}
	})

	t.Run("a limit above the maximum is refused", func(t *testing.T) {
		over := typed.MaxLimit + 1
		for _, q := range []string{
			fmt.Sprintf(`{ items(limit: %d) { id } }`, over),
			fmt.Sprintf(`{ parents(limit: 1) { items_by_parent(limit: %d) { id } } }`, over),
			fmt.Sprintf(`{ items_aggregate(limit: %d) { nodes { id } } }`, over),
		} {
			r := e.srv.GraphQL(t, e.path, e.srv.AdminToken, q, nil)
			if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "limit" ||
				!strings.Contains(r.Errors[0].Message, fmt.Sprint(typed.MaxLimit)) {
				t.Errorf("%s: want one BAD_USER_INPUT error on limit naming %d, got %s", q, typed.MaxLimit, r.Raw)
			}
		}
	})

	t.Run("the schema documents the limits", func(t *testing.T) {
		data := e.q(t, `{ q: __type(name: "Query") { fields { name args { name description } } }
			row: __type(name: "parents_row") { fields { name args { name description } } } }`, nil)
		want := map[string]bool{"q/items": true, "q/items_aggregate": true, "row/items_by_parent": true, "row/items_by_parent_aggregate": true}
		for _, typ := range []string{"q", "row"} {
			for _, f := range testserver.Get(data, typ, "fields").([]any) {
				name := testserver.Str(f, "name")
				if !want[typ+"/"+name] {
					continue
				}
				delete(want, typ+"/"+name)
				var doc string
				for _, a := range testserver.Get(f, "args").([]any) {
					if testserver.Str(a, "name") == "limit" {
						doc = testserver.Str(a, "description")
					}
				}
				if !strings.Contains(doc, fmt.Sprint(typed.DefaultLimit)) || !strings.Contains(doc, fmt.Sprint(typed.MaxLimit)) {
					t.Errorf("%s: the limit argument's description %q names neither the default %d nor the maximum %d",
						name, doc, typed.DefaultLimit, typed.MaxLimit)
				}
			}
		}
		if len(want) > 0 {
			t.Errorf("fields missing: %v", want)
		}
	})
}
