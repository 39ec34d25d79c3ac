package rest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/dataapi"
	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/rest"
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
			if got != dataapi.DefaultLimit {
				t.Errorf("%s without a limit returned %d rows, want the default %d", field, got, dataapi.DefaultLimit)
			}
		}
		// Nodes alone, or over no rows at all, are still one answer.
		only := e.q(t, `{ items_aggregate { nodes { id } } none: items_aggregate(where: {n: {_lt: 0}}) { nodes { id } } }`, nil)
		if got := rowCount(testserver.Get(only, "items_aggregate", "nodes")); got != dataapi.DefaultLimit {
			t.Errorf("items_aggregate { nodes } has %d nodes, want %d", got, dataapi.DefaultLimit)
		}
		if got := jsonOf(only["none"]); got != `{"nodes":[]}` {
			t.Errorf("nodes of an aggregate over no rows: %s", got)
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
			items_aggregate(limit: 120) { aggregate { count } nodes { id } } }`, dataapi.MaxLimit), map[string]any{"l": 130})
		if got := rowCount(data["items"]); got != 150 {
			t.Errorf("items(limit: %d) returned %d rows, want all 150", dataapi.MaxLimit, got)
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
		over := dataapi.MaxLimit + 1
		for _, q := range []string{
			fmt.Sprintf(`{ items(limit: %d) { id } }`, over),
			fmt.Sprintf(`{ parents(limit: 1) { items_by_parent(limit: %d) { id } } }`, over),
			fmt.Sprintf(`{ items_aggregate(limit: %d) { nodes { id } } }`, over),
		} {
			r := e.srv.GraphQL(t, e.path, e.srv.AdminToken, q, nil)
			if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "limit" ||
				!strings.Contains(r.Errors[0].Message, fmt.Sprint(dataapi.MaxLimit)) {
				t.Errorf("%s: want one BAD_USER_INPUT error on limit naming %d, got %s", q, dataapi.MaxLimit, r.Raw)
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
				if !strings.Contains(doc, fmt.Sprint(dataapi.DefaultLimit)) || !strings.Contains(doc, fmt.Sprint(dataapi.MaxLimit)) {
					t.Errorf("%s: the limit argument's description %q names neither the default %d nor the maximum %d",
						name, doc, dataapi.DefaultLimit, dataapi.MaxLimit)
				}
			}
		}
		if len(want) > 0 {
			t.Errorf("fields missing: %v", want)
		}
	})
}

// chain is a selection parents { items_by_parent { parent_rel { items_by_parent ... { id } } } }
// that is depth levels deep; args go to every list.
func chain(depth int, args string) string {
	var b strings.Builder
	b.WriteString("parents" + args + " { ")
	for level := 2; level < depth; level++ {
		if level%2 == 0 {
			b.WriteString("items_by_parent" + args + " { ")
		} else {
			b.WriteString("parent_rel { ")
		}
	}
	b.WriteString("id" + strings.Repeat(" }", depth-1))
	return b.String()
}

// refusedBeforeExecution checks that a typed query fails with code before any statement reads
// the database's tables, and without a data entry.
func (e *typedEnv) refusedBeforeExecution(t *testing.T, query, code string) testserver.Error {
	t.Helper()
	e.stmts.reset()
	r := e.srv.GraphQL(t, e.path, e.srv.AdminToken, query, nil)
	if len(r.Errors) != 1 || r.Errors[0].Code() != code {
		t.Fatalf("want one %s error, got %s", code, shorten(r.Raw))
	}
	if strings.Contains(string(r.Raw), `"data"`) {
		t.Errorf("a query refused before execution has a data entry: %s", shorten(r.Raw))
	}
	if s := e.stmts.matching(`"db_` + e.db + `"`); len(s) > 0 {
		t.Errorf("a refused query ran %d statements on the database: %q", len(s), s)
	}
	return r.Errors[0]
}

func shorten(b []byte) string {
	if len(b) > 500 {
		return string(b[:500]) + "…"
	}
	return string(b)
}

// TestTypedAPICostIsBoundedByComplexity: the complexity limit counts rows times fields, so the
// queries of the finding (nesting 9 levels deep, 624 aliases of a page) are refused before they
// run, while a page of 100 rows with two nested levels of 10 passes.
func TestTypedAPICostIsBoundedByComplexity(t *testing.T) {
	t.Parallel()
	// Few rows, so that the refused queries would run quickly if they were not refused: the
	// cost counts the rows a query can build, whatever the data.
	e := itemsEnv(t, 3)
	// 100 × 10 × 10 rows: passes.
	data := e.q(t, `{ parents(limit: 100) { id name items_by_parent(limit: 10) { id n parent_rel { name items_by_parent(limit: 10) { id n } } } } }`, nil)
	if got := rowCount(testserver.Get(data, "parents", 0, "items_by_parent", 0, "parent_rel", "items_by_parent")); got != 3 {
		t.Errorf("the ordinary query's innermost list has %d rows, want all 3", got)
	}
	// Nine levels, the lists at their default limit: 100^4 rows.
	err := e.refusedBeforeExecution(t, "{ "+chain(9, "")+" }", "COMPLEXITY_LIMIT_EXCEEDED")
	if !strings.Contains(err.Message, fmt.Sprint(rest.DefaultLimits.TypedComplexity)) {
		t.Errorf("message %q does not name the limit", err.Message)
	}
	// The same nesting with a limit of 1 on each list builds 9 rows: it passes.
	e.q(t, "{ "+chain(9, "(limit: 1)")+" }", nil)
	// 624 aliases of a page of 7 columns: under gqlgen's count of one per field (8 each, 4,992
	// in all) they fit in the limit, yet they build 624 × 100 rows.
	e.refusedBeforeExecution(t, aliases(624, "items { id n parent created_at updated_at created_by version }"), "COMPLEXITY_LIMIT_EXCEEDED")
	// Mutations count the rows their returning builds (250 objects, each with a nested list of
	// 100 rows of 5 values), and a refused one writes nothing.
	objects := strings.Repeat(`{n: 1, parent: 1}, `, 250)
	e.refusedBeforeExecution(t, `mutation { insert_items(objects: [`+objects+`]) {
		returning { id parent_rel { items_by_parent { id n created_at updated_at version } } } } }`, "COMPLEXITY_LIMIT_EXCEEDED")
	if got := testserver.Str(e.q(t, `{ items_aggregate { aggregate { count } } }`, nil), "items_aggregate", "aggregate", "count"); got != "3" {
		t.Errorf("the refused insert wrote rows: %s items", got)
	}
}

// TestTypedDepthLimit: the depth limit holds for typed queries as documented: every field from
// the root field to the leaf is one level, fragments count where they are spread, and
// introspection does not count.
func TestTypedDepthLimit(t *testing.T) {
	t.Parallel()
	e := itemsEnv(t, 1)
	max := rest.DefaultLimits.Depth
	e.q(t, "{ "+chain(max, "(limit: 1)")+" }", nil)
	err := e.refusedBeforeExecution(t, "{ "+chain(max+1, "(limit: 1)")+" }", "BAD_USER_INPUT")
	if !strings.Contains(err.Message, fmt.Sprintf("limit is %d", max)) {
		t.Errorf("message %q does not name the limit", err.Message)
	}
	frag := "query { parents(limit: 1) { ...Deep } } fragment Deep on parents_row { " +
		strings.TrimSuffix(strings.TrimPrefix(chain(max+1, "(limit: 1)"), "parents(limit: 1) { "), " }") + " }"
	e.refusedBeforeExecution(t, frag, "BAD_USER_INPUT")
	e.q(t, "{ __schema { types { fields { type { "+strings.Repeat("ofType { ", 10)+"name"+strings.Repeat(" }", 15), nil)
}
