package rest_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// product is one row of the query tests' table, as the test inserts it.
type product struct {
	name   string
	cat    *string
	price  *float64
	qty    *int64
	tags   []string
	active *bool
	id     string
}

func sp(s string) *string   { return &s }
func fp(f float64) *float64 { return &f }
func ip(i int64) *int64     { return &i }
func bp(b bool) *bool       { return &b }
func (p product) values() map[string]any {
	m := map[string]any{"name": p.name}
	if p.cat != nil {
		m["cat"] = *p.cat
	}
	if p.price != nil {
		m["price"] = *p.price
	}
	if p.qty != nil {
		m["qty"] = *p.qty
	}
	if p.tags != nil {
		m["tags"] = p.tags
	}
	if p.active != nil {
		m["active"] = *p.active
	}
	return m
}

var products = []product{
	{name: "apple", cat: sp("a"), price: fp(1.5), qty: ip(10), tags: []string{"red"}, active: bp(true)},
	{name: "banana", cat: sp("a"), price: fp(0.25), tags: []string{"yellow"}, active: bp(false)},
	{name: "cherry", cat: sp("b"), price: fp(3), qty: ip(5), tags: []string{"red"}, active: bp(true)},
	{name: "date", cat: sp("b"), qty: ip(7), tags: []string{}},
	{name: "elder", price: fp(2), active: bp(true)},
	{name: "fig", cat: sp("c"), price: fp(1.5), qty: ip(1), tags: []string{"red", "yellow"}, active: bp(false)},
	{name: "grape", qty: ip(3), tags: []string{"green"}},
	{name: "Blue Widget deluxe", cat: sp("c"), price: fp(9.99), qty: ip(0)},
	{name: "apple pie", cat: sp("a"), price: fp(1.5), qty: ip(2)},
}

// productEnv creates the products table and returns the rows with their ids.
func productEnv(t *testing.T, e *dataEnv) (string, []product) {
	t.Helper()
	opts := []any{map[string]any{"value": "a"}, map[string]any{"value": "b"}, map[string]any{"value": "c"}}
	colors := []any{map[string]any{"value": "red"}, map[string]any{"value": "yellow"}, map[string]any{"value": "green"}}
	tid, _ := e.createTable(t, "products",
		colDef{"name": "name", "type": "TEXT"},
		colDef{"name": "cat", "type": "SELECT", "options": opts},
		colDef{"name": "price", "type": "DECIMAL"},
		colDef{"name": "qty", "type": "INTEGER"},
		colDef{"name": "tags", "type": "MULTI_SELECT", "options": colors},
		colDef{"name": "active", "type": "BOOLEAN"},
		colDef{"name": "notes", "type": "JSON"},
	)
	rows := make([]map[string]any, len(products))
	for i, p := range products {
		rows[i] = p.values()
	}
	ids := e.insert(t, tid, rows...)
	out := make([]product, len(products))
	for i, p := range products {
		p.id = ids[i]
		out[i] = p
	}
	return tid, out
}

// names lists the name column of a rows answer's nodes.
func names(conn any) []string {
	var out []string
	for _, n := range testserver.Get(conn, "nodes").([]any) {
		out = append(out, testserver.Str(n, "data", "name"))
	}
	return out
}

func productNames(ps []product, keep func(product) bool) []string {
	var out []string
	for _, p := range ps {
		if keep(p) {
			out = append(out, p.name)
		}
	}
	return out
}

func TestRowFilters(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, ps := productEnv(t, e)
	e.ok(t, `mutation($t: ID!, $id: ID!, $v: JSON!) { updateRow(table: $t, id: $id, values: $v) { id } }`,
		map[string]any{"t": tid, "id": ps[0].id, "v": map[string]any{"notes": map[string]any{"k": []any{1, 2}, "x": "y"}}})
	e.ok(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {qty: 11}) { id } }`, map[string]any{"t": tid, "id": ps[2].id})
	ps[2].qty = ip(11)
	catIs := func(c string) func(product) bool { return func(p product) bool { return p.cat != nil && *p.cat == c } }
	hasTag := func(tag string) func(product) bool {
		return func(p product) bool {
			for _, x := range p.tags {
				if x == tag {
					return true
				}
			}
			return false
		}
	}
	cases := []struct {
		name  string
		where map[string]any
		want  []string
	}{
		{"eq", leaf("name", "eq", "apple"), []string{"apple"}},
		{"eq null", leaf("cat", "eq", nil), productNames(ps, func(p product) bool { return p.cat == nil })},
		{"neq keeps nulls", leaf("cat", "neq", "a"), productNames(ps, func(p product) bool { return p.cat == nil || *p.cat != "a" })},
		{"lt", leaf("price", "lt", "1.5"), productNames(ps, func(p product) bool { return p.price != nil && *p.price < 1.5 })},
		{"lte", leaf("price", "lte", 1.5), productNames(ps, func(p product) bool { return p.price != nil && *p.price <= 1.5 })},
		{"gt", leaf("qty", "gt", 5), productNames(ps, func(p product) bool { return p.qty != nil && *p.qty > 5 })},
		{"gte", leaf("qty", "gte", 5), productNames(ps, func(p product) bool { return p.qty != nil && *p.qty >= 5 })},
		{"in", leaf("qty", "in", []any{1, 3, 99}), []string{"fig", "grape"}},
		{"nin keeps nulls", leaf("qty", "nin", []any{1, 3}), productNames(ps, func(p product) bool { return p.qty == nil || (*p.qty != 1 && *p.qty != 3) })},
		{"empty in", leaf("qty", "in", []any{}), nil},
		{"like", leaf("name", "like", "app%"), []string{"apple", "apple pie"}},
		{"like is case-sensitive", leaf("name", "like", "blue%"), nil},
		{"ilike", leaf("name", "ilike", "BLUE%"), []string{"Blue Widget deluxe"}},
		{"like one character", leaf("name", "like", "_ig"), []string{"fig"}},
		{"contains", leaf("name", "contains", "WIDGET"), []string{"Blue Widget deluxe"}},
		{"starts_with", leaf("name", "starts_with", "b"), []string{"banana"}},
		{"is_null", leaf("qty", "is_null", true), productNames(ps, func(p product) bool { return p.qty == nil })},
		{"is not null", leaf("qty", "is_null", false), productNames(ps, func(p product) bool { return p.qty != nil })},
		{"boolean", leaf("active", "eq", false), []string{"banana", "fig"}},
		{"multi-select contains", leaf("tags", "contains", "yellow"), productNames(ps, hasTag("yellow"))},
		{"multi-select contains all", leaf("tags", "contains", []any{"red", "yellow"}), []string{"fig"}},
		{"json contains", leaf("notes", "contains", map[string]any{"x": "y"}), []string{"apple"}},
		{"and", map[string]any{"and": []any{leaf("cat", "eq", "a"), leaf("price", "gte", 1)}}, []string{"apple", "apple pie"}},
		{"or", map[string]any{"or": []any{catIs2("b"), leaf("qty", "eq", 0)}}, append(productNames(ps, catIs("b")), "Blue Widget deluxe")},
		{"not", map[string]any{"not": leaf("qty", "gt", 2)}, productNames(ps, func(p product) bool { return p.qty == nil || *p.qty <= 2 })},
		{"nested", map[string]any{"and": []any{
			map[string]any{"or": []any{leaf("cat", "eq", "a"), leaf("cat", "eq", "c")}},
			map[string]any{"not": leaf("name", "starts_with", "apple")},
		}}, []string{"banana", "fig", "Blue Widget deluxe"}},
		{"empty and", map[string]any{"and": []any{}}, productNames(ps, func(product) bool { return true })},
		{"empty or", map[string]any{"or": []any{}}, nil},
		{"system id", leaf("id", "in", []any{ps[1].id, ps[3].id}), []string{"banana", "date"}},
		{"system version", leaf("version", "gt", 1), []string{"apple", "cherry"}},
		{"system created_by", leaf("created_by", "starts_with", "token:"), productNames(ps, func(product) bool { return true })},
		{"system created_at", leaf("created_at", "gt", "2000-01-01T00:00:00Z"), productNames(ps, func(product) bool { return true })},
		{"system updated_at", map[string]any{"and": []any{leaf("updated_at", "gt", "2000-01-01T00:00:00Z"), leaf("version", "eq", 1), leaf("cat", "eq", "b")}}, []string{"date"}},
	}
	const q = `query($t: ID!, $w: RowFilter) { rows(table: $t, where: $w, orderBy: [{column: "id"}]) { nodes { data } } }`
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := e.ok(t, q, map[string]any{"t": tid, "w": c.where})
			got := names(testserver.Get(data, "rows"))
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("where %s\n got %v\nwant %v", asJSON(c.where), got, c.want)
			}
		})
	}
}

func leaf(column, op string, value any) map[string]any {
	return map[string]any{"column": column, "op": op, "value": value}
}

func catIs2(c string) map[string]any { return leaf("cat", "eq", c) }

// compareNullable orders two optional values with nulls first or last, as SQL does.
func compareNullable[T string | float64 | int64](a, b *T, desc, nullsFirst bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		if nullsFirst {
			return -1
		}
		return 1
	case b == nil:
		if nullsFirst {
			return 1
		}
		return -1
	}
	c := 0
	if *a < *b {
		c = -1
	} else if *a > *b {
		c = 1
	}
	if desc {
		c = -c
	}
	return c
}

func TestRowOrderAndCursorPages(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, ps := productEnv(t, e)
	// expected order: cat ASC NULLS LAST, price DESC NULLS FIRST, qty ASC (nulls last by
	// default), id
	want := append([]product(nil), ps...)
	sort.SliceStable(want, func(i, j int) bool {
		a, b := want[i], want[j]
		if c := compareNullable(a.cat, b.cat, false, false); c != 0 {
			return c < 0
		}
		if c := compareNullable(a.price, b.price, true, true); c != 0 {
			return c < 0
		}
		if c := compareNullable(a.qty, b.qty, false, false); c != 0 {
			return c < 0
		}
		return parseID(t, a.id) < parseID(t, b.id)
	})
	wantNames := productNames(want, func(product) bool { return true })
	orderBy := []any{
		map[string]any{"column": "cat", "direction": "ASC", "nulls": "LAST"},
		map[string]any{"column": "price", "direction": "DESC", "nulls": "FIRST"},
		map[string]any{"column": "qty"},
	}
	const q = `query($t: ID!, $o: [RowOrder!], $first: Int, $after: String, $last: Int, $before: String, $offset: Int) {
		rows(table: $t, orderBy: $o, first: $first, after: $after, last: $last, before: $before, offset: $offset) {
			nodes { id data } edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	all := testserver.Get(e.ok(t, q, map[string]any{"t": tid, "o": orderBy}), "rows")
	if got := names(all); strings.Join(got, ",") != strings.Join(wantNames, ",") {
		t.Fatalf("order\n got %v\nwant %v", got, wantNames)
	}
	if testserver.Get(all, "pageInfo", "hasNextPage") != false || testserver.Get(all, "pageInfo", "hasPreviousPage") != false {
		t.Errorf("pageInfo of the whole list: %s", asJSON(testserver.Get(all, "pageInfo")))
	}

	// forward, two at a time
	var forward []string
	var after any
	for page := 0; ; page++ {
		conn := testserver.Get(e.ok(t, q, map[string]any{"t": tid, "o": orderBy, "first": 2, "after": after}), "rows")
		got := names(conn)
		forward = append(forward, got...)
		pi := testserver.Get(conn, "pageInfo")
		edges := testserver.Get(conn, "edges").([]any)
		if len(edges) != len(got) || testserver.Str(pi, "startCursor") != testserver.Str(edges[0], "cursor") || testserver.Str(pi, "endCursor") != testserver.Str(edges[len(edges)-1], "cursor") {
			t.Fatalf("page %d: cursors do not match the edges: %s", page, asJSON(conn))
		}
		if testserver.Get(pi, "hasPreviousPage") != (page > 0) {
			t.Errorf("page %d: hasPreviousPage %v", page, testserver.Get(pi, "hasPreviousPage"))
		}
		last := len(forward) == len(wantNames)
		if testserver.Get(pi, "hasNextPage") != !last {
			t.Errorf("page %d: hasNextPage %v after %d of %d rows", page, testserver.Get(pi, "hasNextPage"), len(forward), len(wantNames))
		}
		if last || page > 10 {
			break
		}
		after = testserver.Str(pi, "endCursor")
	}
	if strings.Join(forward, ",") != strings.Join(wantNames, ",") {
		t.Errorf("forward pages\n got %v\nwant %v", forward, wantNames)
	}

	// backward, three at a time, from the end
	var backward []string
	var before any
	for page := 0; ; page++ {
		conn := testserver.Get(e.ok(t, q, map[string]any{"t": tid, "o": orderBy, "last": 3, "before": before}), "rows")
		got := names(conn)
		backward = append(got, backward...)
		pi := testserver.Get(conn, "pageInfo")
		if testserver.Get(pi, "hasNextPage") != (page > 0) {
			t.Errorf("backward page %d: hasNextPage %v", page, testserver.Get(pi, "hasNextPage"))
		}
		first := len(backward) == len(wantNames)
		if testserver.Get(pi, "hasPreviousPage") != !first {
			t.Errorf("backward page %d: hasPreviousPage %v", page, testserver.Get(pi, "hasPreviousPage"))
		}
		if first || page > 10 {
			break
		}
		before = testserver.Str(pi, "startCursor")
	}
	if strings.Join(backward, ",") != strings.Join(wantNames, ",") {
		t.Errorf("backward pages\n got %v\nwant %v", backward, wantNames)
	}

	// a cursor from the middle works both ways: after it, and before it
	mid := testserver.Str(testserver.Get(all, "edges").([]any)[4], "cursor")
	afterMid := names(testserver.Get(e.ok(t, q, map[string]any{"t": tid, "o": orderBy, "first": 100, "after": mid}), "rows"))
	beforeMid := names(testserver.Get(e.ok(t, q, map[string]any{"t": tid, "o": orderBy, "last": 100, "before": mid}), "rows"))
	if strings.Join(afterMid, ",") != strings.Join(wantNames[5:], ",") || strings.Join(beforeMid, ",") != strings.Join(wantNames[:4], ",") {
		t.Errorf("around the 5th row: after %v, before %v; want %v and %v", afterMid, beforeMid, wantNames[5:], wantNames[:4])
	}
	// after and before together: the rows between them
	end := testserver.Str(testserver.Get(all, "edges").([]any)[7], "cursor")
	between := names(testserver.Get(e.ok(t, q, map[string]any{"t": tid, "o": orderBy, "after": mid, "before": end}), "rows"))
	if strings.Join(between, ",") != strings.Join(wantNames[5:7], ",") {
		t.Errorf("between the 5th and 8th rows: %v, want %v", between, wantNames[5:7])
	}

	// offset pages
	off := testserver.Get(e.ok(t, q, map[string]any{"t": tid, "o": orderBy, "first": 3, "offset": 3}), "rows")
	if got := names(off); strings.Join(got, ",") != strings.Join(wantNames[3:6], ",") {
		t.Errorf("offset 3 first 3: %v, want %v", got, wantNames[3:6])
	}
	if testserver.Get(off, "pageInfo", "hasPreviousPage") != true || testserver.Get(off, "pageInfo", "hasNextPage") != true {
		t.Errorf("offset pageInfo %s", asJSON(testserver.Get(off, "pageInfo")))
	}
	// descending by id with nulls in another key: the default order is by id
	plain := names(testserver.Get(e.ok(t, q, map[string]any{"t": tid}), "rows"))
	if strings.Join(plain, ",") != strings.Join(productNames(ps, func(product) bool { return true }), ",") {
		t.Errorf("without orderBy the rows come in id order: %v", plain)
	}
	// a cursor of one ordering is refused by another
	e.refuseAdmin(t, q, map[string]any{"t": tid, "first": 2, "after": mid}, "BAD_USER_INPUT")
	e.refuseAdmin(t, q, map[string]any{"t": tid, "o": orderBy, "first": 2, "after": "garbage"}, "BAD_USER_INPUT")
	e.refuseAdmin(t, q, map[string]any{"t": tid, "o": orderBy, "last": 2, "before": "garbage"}, "BAD_USER_INPUT")
	e.refuseAdmin(t, q, map[string]any{"t": tid, "first": 2, "last": 2}, "BAD_USER_INPUT")
	e.refuseAdmin(t, q, map[string]any{"t": tid, "first": 1001}, "BAD_USER_INPUT")
	e.refuseAdmin(t, q, map[string]any{"t": tid, "first": -1}, "BAD_USER_INPUT")
	e.refuseAdmin(t, q, map[string]any{"t": tid, "offset": -1}, "BAD_USER_INPUT")
}

func TestRowSearchColumnsAndCount(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var statements []string
	srv := testserver.StartWith(t, testserver.Options{OnStatement: func(_ context.Context, q string) {
		mu.Lock()
		statements = append(statements, q)
		mu.Unlock()
	}})
	e := &dataEnv{srv: srv, token: srv.AdminToken}
	e.db = e.createDatabase(t, "main")
	tid, ps := productEnv(t, e)
	countStatements := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, s := range statements {
			if strings.Contains(s, "count(*)") {
				n++
			}
		}
		return n
	}

	// totalCount only when asked
	before := countStatements()
	e.ok(t, `query($t: ID!) { rows(table: $t, first: 2) { nodes { id } } }`, map[string]any{"t": tid})
	if n := countStatements() - before; n != 0 {
		t.Errorf("%d count statements for a list without totalCount", n)
	}
	data := e.ok(t, `query($t: ID!) { rows(table: $t, first: 2, where: {column: "cat", op: eq, value: "a"}) { totalCount nodes { id } } }`, map[string]any{"t": tid})
	if n := countStatements() - before; n != 1 {
		t.Errorf("%d count statements for a list with totalCount", n)
	}
	if got := testserver.Str(data, "rows", "totalCount"); got != "3" {
		t.Errorf("totalCount %s, want 3 (the filter's matches, not the page)", got)
	}

	// full-text search over the text columns, words in any order; substrings too
	search := func(s string) []string {
		return names(testserver.Get(e.ok(t, `query($t: ID!, $s: String) { rows(table: $t, search: $s) { totalCount nodes { data } } }`, map[string]any{"t": tid, "s": s}), "rows"))
	}
	if got := search("widget blue"); strings.Join(got, ",") != "Blue Widget deluxe" {
		t.Errorf("search widget blue: %v", got)
	}
	if got := search("pie"); strings.Join(got, ",") != "apple pie" {
		t.Errorf("search pie: %v", got)
	}
	if got := search("APPL"); strings.Join(got, ",") != "apple,apple pie" {
		t.Errorf("search APPL (a prefix, any case): %v", got)
	}
	if got := search("kiwi"); len(got) != 0 {
		t.Errorf("search kiwi: %v", got)
	}
	if got := search("100%"); len(got) != 0 {
		t.Errorf("search 100%% (a LIKE wildcard, taken literally): %v", got)
	}
	withFilter := e.ok(t, `query($t: ID!) { rows(table: $t, search: "apple", where: {column: "qty", op: gt, value: 5}) { totalCount nodes { data } } }`, map[string]any{"t": tid})
	if got := names(testserver.Get(withFilter, "rows")); strings.Join(got, ",") != "apple" || testserver.Str(withFilter, "rows", "totalCount") != "1" {
		t.Errorf("search with a filter: %s", asJSON(withFilter))
	}

	// column selection
	sel := e.ok(t, `query($t: ID!) { rows(table: $t, columns: ["qty", "name"], first: 1) { nodes { id version data } } }`, map[string]any{"t": tid})
	if got := asJSON(testserver.Get(sel, "rows", "nodes", 0, "data")); got != `{"name":"apple","qty":10}` {
		t.Errorf("selected columns: %s", got)
	}
	sel = e.ok(t, `query($t: ID!) { rows(table: $t, columns: [], first: 1) { nodes { id data } } }`, map[string]any{"t": tid})
	if got := asJSON(testserver.Get(sel, "rows", "nodes", 0)); got != `{"data":{},"id":"`+ps[0].id+`"}` {
		t.Errorf("no columns: %s", got)
	}
	err := e.refuseAdmin(t, `query($t: ID!) { rows(table: $t, columns: ["name", "nope"]) { nodes { id } } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	wantMessage(t, err, `"nope"`)
	e.refuseAdmin(t, `query($t: ID!) { rows(table: $t, columns: ["id"]) { nodes { id } } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	e.refuseAdmin(t, `query($t: ID!, $s: String) { rows(table: $t, search: $s) { nodes { id } } }`, map[string]any{"t": tid, "s": strings.Repeat("x", 501)}, "BAD_USER_INPUT")
}

func TestRowQueriesRefused(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := productEnv(t, e)
	const q = `query($t: ID!, $w: RowFilter, $o: [RowOrder!]) { rows(table: $t, where: $w, orderBy: $o) { nodes { id } } }`
	cases := []struct {
		name  string
		where any
		order any
		code  string
		want  string
	}{
		{"unknown column in filter", leaf("nope", "eq", 1), nil, "BAD_USER_INPUT", `unknown column "nope"`},
		{"unknown column deep in a filter", map[string]any{"and": []any{leaf("name", "eq", "a"), map[string]any{"not": leaf("nope", "eq", 1)}}}, nil, "BAD_USER_INPUT", "filter.and[1].not"},
		{"operator not for the type", leaf("qty", "like", "1%"), nil, "BAD_USER_INPUT", `"like"`},
		{"order on json", leaf("notes", "lt", 1), nil, "BAD_USER_INPUT", `"lt"`},
		{"unknown operator", leaf("name", "between", "a"), nil, "GRAPHQL_VALIDATION_FAILED", "between"},
		{"wrong operand type", leaf("qty", "eq", "many"), nil, "BAD_USER_INPUT", "not an integer"},
		{"in without a list", leaf("qty", "in", 3), nil, "BAD_USER_INPUT", "not a list"},
		{"in with a null", leaf("qty", "in", []any{1, nil}), nil, "BAD_USER_INPUT", "null"},
		{"is_null without a boolean", leaf("qty", "is_null", "yes"), nil, "BAD_USER_INPUT", "is_null"},
		{"combination and comparison at once", map[string]any{"and": []any{}, "column": "qty", "op": "eq", "value": 1}, nil, "BAD_USER_INPUT", "either"},
		{"comparison without operator", map[string]any{"column": "qty", "value": 1}, nil, "BAD_USER_INPUT", "operator"},
		{"unknown column in orderBy", nil, []any{map[string]any{"column": "nope"}}, "BAD_USER_INPUT", `"nope"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := e.refuseAdmin(t, q, map[string]any{"t": tid, "w": c.where, "o": c.order}, c.code)
			wantMessage(t, err, c.want)
		})
	}
	// the same filter errors for writes by filter
	e.refuseAdmin(t, `mutation($t: ID!) { deleteRows(table: $t, where: {column: "nope", op: eq, value: 1}) { count } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	e.refuseAdmin(t, `mutation($t: ID!) { updateRows(table: $t, where: {column: "qty", op: like, value: "x"}, values: {qty: 1}) { id } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	// more than 10 sort keys
	var many []any
	for range 11 {
		many = append(many, map[string]any{"column": "qty"})
	}
	e.refuseAdmin(t, q, map[string]any{"t": tid, "o": many}, "BAD_USER_INPUT")
}

func TestRowAggregates(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, ps := productEnv(t, e)
	const q = `query($t: ID!, $w: RowFilter, $g: [String!], $a: [AggregateInput!]!, $s: String) {
		aggregateRows(table: $t, where: $w, groupBy: $g, aggregates: $a, search: $s) { key values } }`
	aggs := []any{
		map[string]any{"fn": "COUNT"},
		map[string]any{"fn": "COUNT", "column": "qty"},
		map[string]any{"fn": "COUNT_DISTINCT", "column": "price"},
		map[string]any{"fn": "SUM", "column": "qty"},
		map[string]any{"fn": "AVG", "column": "qty", "alias": "mean"},
		map[string]any{"fn": "MIN", "column": "price"},
		map[string]any{"fn": "MAX", "column": "name"},
	}
	data := e.ok(t, q, map[string]any{"t": tid, "g": []string{"cat"}, "a": aggs})
	groups := testserver.Get(data, "aggregateRows").([]any)
	// expected, computed from the inserted rows
	type agg struct {
		count, countQty, sumQty int64
		prices                  map[float64]bool
		minPrice                *float64
		maxName                 string
	}
	byCat := map[string]*agg{}
	var cats []string
	for _, p := range ps {
		key := "null"
		if p.cat != nil {
			key = *p.cat
		}
		a := byCat[key]
		if a == nil {
			a = &agg{prices: map[float64]bool{}}
			byCat[key] = a
			cats = append(cats, key)
		}
		a.count++
		if p.qty != nil {
			a.countQty++
			a.sumQty += *p.qty
		}
		if p.price != nil {
			a.prices[*p.price] = true
			if a.minPrice == nil || *p.price < *a.minPrice {
				a.minPrice = p.price
			}
		}
		if p.name > a.maxName {
			a.maxName = p.name
		}
	}
	sort.Slice(cats, func(i, j int) bool { return cats[i] != "null" && (cats[j] == "null" || cats[i] < cats[j]) })
	if len(groups) != len(cats) {
		t.Fatalf("%d groups, want %d: %s", len(groups), len(cats), asJSON(groups))
	}
	for i, cat := range cats {
		g, a := groups[i], byCat[cat]
		if got := asJSON(testserver.Get(g, "key", "cat")); (cat == "null" && got != "null") || (cat != "null" && got != `"`+cat+`"`) {
			t.Errorf("group %d key %s, want %s", i, got, cat)
		}
		v := testserver.Get(g, "values")
		check := func(name, want string) {
			if got := asJSON(testserver.Get(v, name)); got != want {
				t.Errorf("cat %s: %s = %s, want %s", cat, name, got, want)
			}
		}
		check("count", fmt.Sprint(a.count))
		check("count_qty", fmt.Sprint(a.countQty))
		check("count_distinct_price", fmt.Sprint(len(a.prices)))
		if a.countQty == 0 {
			check("sum_qty", "null")
			check("mean", "null")
		} else {
			check("sum_qty", fmt.Sprint(a.sumQty))
			mean := asJSON(testserver.Get(v, "mean"))
			var f float64
			fmt.Sscan(mean, &f)
			if want := float64(a.sumQty) / float64(a.countQty); f < want-1e-9 || f > want+1e-9 {
				t.Errorf("cat %s: mean %s, want %v", cat, mean, want)
			}
		}
		if a.minPrice == nil {
			check("min_price", "null")
		} else {
			var f float64
			fmt.Sscan(asJSON(testserver.Get(v, "min_price")), &f)
			if f != *a.minPrice {
				t.Errorf("cat %s: min_price %v, want %v", cat, testserver.Get(v, "min_price"), *a.minPrice)
			}
		}
		check("max_name", `"`+a.maxName+`"`)
	}

	// without groupBy: one group with an empty key; with a filter and a search
	data = e.ok(t, q, map[string]any{"t": tid, "a": []any{map[string]any{"fn": "COUNT"}}, "w": leaf("qty", "is_null", false)})
	if got := asJSON(testserver.Get(data, "aggregateRows")); got != fmt.Sprintf(`[{"key":{},"values":{"count":%d}}]`, len(productNames(ps, func(p product) bool { return p.qty != nil }))) {
		t.Errorf("count with a filter: %s", got)
	}
	data = e.ok(t, q, map[string]any{"t": tid, "a": []any{map[string]any{"fn": "SUM", "column": "price"}}, "s": "apple"})
	if got := asJSON(testserver.Get(data, "aggregateRows", 0, "values", "sum_price")); got != "3.0" && got != "3" && got != "3.00" {
		t.Errorf("sum of apple prices: %s", got)
	}
	// group by two columns, one of them a system column
	data = e.ok(t, q, map[string]any{"t": tid, "g": []string{"active", "version"}, "a": []any{map[string]any{"fn": "COUNT"}}})
	if got := asJSON(testserver.Get(data, "aggregateRows")); got != `[{"key":{"active":false,"version":1},"values":{"count":2}},{"key":{"active":true,"version":1},"values":{"count":3}},{"key":{"active":null,"version":1},"values":{"count":4}}]` {
		t.Errorf("group by active, version: %s", got)
	}

	refused := []struct {
		name string
		vars map[string]any
		want string
	}{
		{"unknown group column", map[string]any{"g": []string{"nope"}, "a": []any{map[string]any{"fn": "COUNT"}}}, `"nope"`},
		{"unknown aggregate column", map[string]any{"a": []any{map[string]any{"fn": "MAX", "column": "nope"}}}, `"nope"`},
		{"sum of text", map[string]any{"a": []any{map[string]any{"fn": "SUM", "column": "name"}}}, "number column"},
		{"max of a list", map[string]any{"a": []any{map[string]any{"fn": "MAX", "column": "tags"}}}, "MULTI_SELECT"},
		{"sum without a column", map[string]any{"a": []any{map[string]any{"fn": "SUM"}}}, "needs a column"},
		{"alias twice", map[string]any{"a": []any{map[string]any{"fn": "COUNT"}, map[string]any{"fn": "COUNT", "column": "qty", "alias": "count"}}}, "twice"},
		{"no aggregates", map[string]any{"a": []any{}}, "aggregates"},
		{"unknown filter column", map[string]any{"a": []any{map[string]any{"fn": "COUNT"}}, "w": leaf("nope", "eq", 1)}, `"nope"`},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			c.vars["t"] = tid
			err := e.refuseAdmin(t, q, c.vars, "BAD_USER_INPUT")
			wantMessage(t, err, c.want)
		})
	}
}

// Paging by cursor gives the same rows as one long page, whatever the type of the sort key,
// with ties and nulls, in both directions.
func TestCursorPagesForEverySortableType(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := e.allTypesTable(t, "everything")
	base := e.insert(t, tid, map[string]any{})
	rows := []map[string]any{
		{"t": "b", "i": 2, "n": 0.1, "d": "1.10", "b": true, "day": "2026-01-02", "at": "2026-01-02T03:04:05.000001Z", "email": "b@x.io", "j": map[string]any{"a": 1}, "s": "a", "ms": []any{"a"}, "u": "00000000-0000-0000-0000-000000000002", "link": base[0], "f": []any{1}, "r": 2, "lt": "b"},
		{"t": "a", "i": 1, "n": 0.30000000000000004, "d": "1.1", "b": false, "day": "2026-01-01", "at": "2026-01-02T03:04:05Z", "email": "a@x.io", "j": []any{1}, "s": "b", "ms": []any{"a", "b"}, "u": "00000000-0000-0000-0000-000000000001", "f": []any{1, 2}, "r": 1, "lt": "a"},
		{"t": "b", "i": 2, "n": 0.1, "d": "2", "b": true, "day": "2026-01-02", "at": "2026-01-02T03:04:05.000001Z", "email": "b@x.io", "j": map[string]any{"a": 1}, "s": "a", "ms": []any{"a"}, "u": "00000000-0000-0000-0000-000000000002", "link": base[0], "f": []any{1}, "r": 2, "lt": "b"},
		{},
		{"t": "B", "i": -5, "n": -1e300, "d": "-0.5", "b": false, "day": "0001-01-01", "at": "1970-01-01T00:00:00Z", "email": "c@x.io", "j": "text", "s": "b", "ms": []any{}, "u": "ffffffff-0000-0000-0000-000000000000", "f": []any{}, "r": 0, "lt": "B"},
		{},
	}
	e.insert(t, tid, rows...)
	const q = `query($t: ID!, $o: [RowOrder!], $first: Int, $after: String, $last: Int, $before: String) {
		rows(table: $t, orderBy: $o, first: $first, after: $after, last: $last, before: $before) { nodes { id } pageInfo { endCursor startCursor hasNextPage hasPreviousPage } } }`
	for _, column := range []string{"t", "lt", "i", "n", "d", "b", "day", "at", "email", "j", "s", "ms", "u", "link", "f", "r", "id", "created_at", "version"} {
		for _, dir := range []string{"ASC", "DESC"} {
			for _, nulls := range []string{"FIRST", "LAST"} {
				order := []any{map[string]any{"column": column, "direction": dir, "nulls": nulls}}
				all := idsOf(testserver.Get(e.ok(t, q, map[string]any{"t": tid, "o": order, "first": 1000}), "rows", "nodes"))
				var fwd []string
				var after any
				for range 10 {
					conn := testserver.Get(e.ok(t, q, map[string]any{"t": tid, "o": order, "first": 2, "after": after}), "rows")
					fwd = append(fwd, idsOf(testserver.Get(conn, "nodes"))...)
					if testserver.Get(conn, "pageInfo", "hasNextPage") != true {
						break
					}
					after = testserver.Str(conn, "pageInfo", "endCursor")
				}
				var back []string
				var before any
				for range 10 {
					conn := testserver.Get(e.ok(t, q, map[string]any{"t": tid, "o": order, "last": 2, "before": before}), "rows")
					back = append(idsOf(testserver.Get(conn, "nodes")), back...)
					if testserver.Get(conn, "pageInfo", "hasPreviousPage") != true {
						break
					}
					before = testserver.Str(conn, "pageInfo", "startCursor")
				}
				if strings.Join(fwd, ",") != strings.Join(all, ",") || strings.Join(back, ",") != strings.Join(all, ",") {
					t.Errorf("%s %s nulls %s: one page %v, forward pages %v, backward pages %v", column, dir, nulls, all, fwd, back)
				}
			}
		}
	}
}
