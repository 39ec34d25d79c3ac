package rest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// statementLog records the SQL statements a server sends while executing GraphQL operations.
//
// Only statements whose context carries an authenticated principal are recorded: those are
// the ones the resolvers (and the loaders they start) send while executing the operation. The
// token lookup that authenticates each request runs before the principal exists (and the
// token's last-use update runs in the background without one), so both stay out of the
// count. Caching principals instead would delay the effect of revoking a token, which must be
// immediate.
type statementLog struct {
	mu    sync.Mutex
	stmts []string
}

func (l *statementLog) hook(ctx context.Context, query string) {
	if gqlbase.PrincipalFrom(ctx).Kind == gqlbase.PrincipalAnonymous {
		return
	}
	// A connection switches its session's role (SET ROLE, RESET ROLE) before a statement
	// that runs as another role than its last one: at most one per statement, depending on
	// which pooled connection the statement gets, so these tests of what scales with the data
	// leave them out.
	if strings.HasPrefix(query, "SET ROLE ") || query == "RESET ROLE" {
		return
	}
	l.mu.Lock()
	l.stmts = append(l.stmts, query)
	l.mu.Unlock()
}

func (l *statementLog) reset() {
	l.mu.Lock()
	l.stmts = nil
	l.mu.Unlock()
}

func (l *statementLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.stmts...)
}

func newCountingEnv(t *testing.T) (*dataEnv, *statementLog) {
	t.Helper()
	log := &statementLog{}
	srv := testserver.StartWith(t, testserver.Options{OnStatement: log.hook})
	e := &dataEnv{srv: srv, token: srv.AdminToken}
	e.db = e.createDatabase(t, "main")
	return e, log
}

// counted runs a request and returns the statements it sent.
func (e *dataEnv) counted(t *testing.T, log *statementLog, query string, vars map[string]any) (map[string]any, []string) {
	t.Helper()
	e.srv.Resolver.Cache.Wait() // pending cache writes of earlier requests are applied
	log.reset()
	data := e.ok(t, query, vars)
	return data, log.list()
}

// settle waits until the event listener has handled every event committed so far. A write
// invalidates the caches at once and again when the listener receives its outbox events (the
// path by which other processes' writes arrive), which may be later; a read that overlaps
// that second invalidation is not cached. The listener handles events in commit order, so
// once the event of a write made now has reached a subscriber, all earlier ones have been
// applied to the caches too.
func (e *dataEnv) settle(t *testing.T) {
	t.Helper()
	if e.barrier == "" {
		e.barrier, _ = e.createTable(t, "settle_barrier")
	}
	sub := e.srv.Resolver.Realtime.Hub.SubscribeTable(parseID(t, e.barrier), 16, nil)
	defer sub.Close()
	e.insert(t, e.barrier, map[string]any{})
	select {
	case <-sub.Changes():
	case <-time.After(time.Minute):
		t.Fatal("the event listener did not deliver an event within a minute")
	}
}

// warm settles the caches, reads once to fill them, and checks that the same read is then
// served from the caches alone, with no statement at all; it returns the read's answer.
func (e *dataEnv) warm(t *testing.T, log *statementLog, query string, vars map[string]any) map[string]any {
	t.Helper()
	e.settle(t)
	e.ok(t, query, vars)
	data, stmts := e.counted(t, log, query, vars)
	if len(stmts) != 0 {
		t.Errorf("a repeated read was not served from the cache: it sent %q", stmts)
	}
	return data
}

func TestCacheInvalidatedByWrites(t *testing.T) {
	t.Parallel()
	e, log := newCountingEnv(t)
	tid, cols := e.createTable(t, "notes", colDef{"name": "body", "type": "TEXT"})
	id := e.insert(t, tid, map[string]any{"body": "v1"})[0]
	const get = `query($t: ID!, $id: ID!) { row(table: $t, id: $id) { version data } table(id: $t) { columns { name } } }`
	vars := map[string]any{"t": tid, "id": id}

	data := e.warm(t, log, get, vars)
	if testserver.Str(data, "row", "data", "body") != "v1" {
		t.Fatalf("row %s", asJSON(data))
	}

	steps := []struct {
		name   string
		write  string
		vars   map[string]any
		expect string // the row's data after it ("" for a row that is gone)
	}{
		{"updateRow", `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {body: "v2"}) { id } }`, vars, `{"body":"v2"}`},
		{"updateRows by filter", `mutation($t: ID!) { updateRows(table: $t, where: {column: "body", op: eq, value: "v2"}, values: {body: "v3"}) { id } }`, vars, `{"body":"v3"}`},
		{"upsertRows", `mutation($t: ID!, $id: JSON!) { upsertRows(table: $t, keyColumn: "id", rows: [{id: $id, body: "v4"}]) { updated { id } } }`, map[string]any{"t": tid, "id": id}, `{"body":"v4"}`},
		{"addColumn", `mutation($t: ID!) { addColumn(table: $t, input: {name: "extra", type: INTEGER, default: 7}) { id } }`, vars, `{"body":"v4","extra":7}`},
		{"renameColumn", `mutation($c: ID!) { renameColumn(id: $c, name: "text") { id } }`, map[string]any{"c": cols["body"]}, `{"extra":7,"text":"v4"}`},
		{"deleteRows", `mutation($t: ID!) { deleteRows(table: $t, where: {and: []}) { count } }`, vars, ``},
		{"restoreRow", `mutation($t: ID!, $id: ID!) { restoreRow(table: $t, id: $id) { id } }`, vars, `{"extra":7,"text":"v4"}`},
		{"deleteRow", `mutation($t: ID!, $id: ID!) { deleteRow(table: $t, id: $id) }`, vars, ``},
	}
	for _, s := range steps {
		e.ok(t, s.write, s.vars)
		resp := e.srv.Platform(t, e.token, get, vars)
		if s.expect == "" {
			if len(resp.Errors) != 1 || resp.Errors[0].Code() != "NOT_FOUND" {
				t.Errorf("after %s the deleted row still reads: %s", s.name, resp.Raw)
			}
		} else if got := asJSON(testserver.Get(resp.OK(t), "row", "data")); got != s.expect {
			t.Errorf("after %s the row reads %s, want %s", s.name, got, s.expect)
		}
		if s.expect != "" {
			// and again from a warm cache
			if got := asJSON(testserver.Get(e.warm(t, log, get, vars), "row", "data")); got != s.expect {
				t.Errorf("after %s the cached row reads %s, want %s", s.name, got, s.expect)
			}
		}
	}
	// the table's metadata is invalidated as well
	e.ok(t, `mutation($t: ID!) { updateTable(id: $t, input: {name: "renamed"}) { id } }`, vars)
	got := e.ok(t, `query($t: ID!) { table(id: $t) { name } }`, vars)
	if testserver.Str(got, "table", "name") != "renamed" {
		t.Errorf("table name after rename: %s", asJSON(got))
	}
}

// linkQuery lists orders with the customer each links to.
const linkQuery = `query($t: ID!) { rows(table: $t, first: 100) { nodes { id data link(column: "customer") { id data } } } }`

// linkedOrders makes n customers and n orders, each order linking to its own customer.
func linkedOrders(t *testing.T, e *dataEnv, n int) (orders string) {
	t.Helper()
	customers, _ := e.createTable(t, fmt.Sprintf("customers%d", n), colDef{"name": "name", "type": "TEXT"})
	orders, _ = e.createTable(t, fmt.Sprintf("orders%d", n), colDef{"name": "customer", "type": "LINK", "linkTable": customers}, colDef{"name": "n", "type": "INTEGER"})
	cs := make([]map[string]any, n)
	for i := range cs {
		cs[i] = map[string]any{"name": fmt.Sprintf("c%d", i)}
	}
	cids := e.insert(t, customers, cs...)
	os := make([]map[string]any, n)
	for i := range os {
		os[i] = map[string]any{"customer": cids[n-1-i], "n": i}
	}
	e.insert(t, orders, os...)
	return orders
}

func checkLinks(t *testing.T, data map[string]any, n int) {
	t.Helper()
	nodes := testserver.Get(data, "rows", "nodes").([]any)
	if len(nodes) != n {
		t.Fatalf("%d orders, want %d", len(nodes), n)
	}
	for i, node := range nodes {
		if got := testserver.Str(node, "link", "data", "name"); got != fmt.Sprintf("c%d", n-1-i) {
			t.Fatalf("order %d links to %q, want c%d", i, got, n-1-i)
		}
	}
}

func TestLinkResolvesWithoutNPlusOne(t *testing.T) {
	t.Parallel()
	e, log := newCountingEnv(t)
	counts := map[int]int{}
	for _, n := range []int{10, 100} {
		orders := linkedOrders(t, e, n)
		vars := map[string]any{"t": orders}
		e.settle(t)
		e.ok(t, linkQuery, vars) // warm the caches
		data, stmts := e.counted(t, log, linkQuery, vars)
		checkLinks(t, data, n)
		if len(stmts) > 3 {
			t.Errorf("%d rows with links cost %d statements (want at most 3):\n%s", n, len(stmts), strings.Join(stmts, "\n"))
		}
		counts[n] = len(stmts)

		// cold: no cached table or row at all; still one query for the page and one for every
		// link target
		e.srv.Resolver.Cache.InvalidateTables(parseID(t, orders))
		data, stmts = e.counted(t, log, linkQuery, vars)
		checkLinks(t, data, n)
		var rowQueries int
		for _, s := range stmts {
			if strings.Contains(s, "FROM \"db_") {
				rowQueries++
			}
		}
		if rowQueries != 2 {
			t.Errorf("cold, %d rows with links cost %d statements, %d of them on user tables (want the page and one batch):\n%s",
				n, len(stmts), rowQueries, strings.Join(stmts, "\n"))
		}
	}
	if counts[10] != counts[100] {
		t.Errorf("statements grow with the rows: %d for 10 rows, %d for 100", counts[10], counts[100])
	}
}

func TestLinksBatchPerNestingLevel(t *testing.T) {
	t.Parallel()
	e, log := newCountingEnv(t)
	regions, _ := e.createTable(t, "regions", colDef{"name": "name", "type": "TEXT"})
	customers, _ := e.createTable(t, "customers", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "region", "type": "LINK", "linkTable": regions})
	orders, _ := e.createTable(t, "orders", colDef{"name": "customer", "type": "LINK", "linkTable": customers})
	const n = 40
	var rs, cs, os []map[string]any
	for i := range n {
		rs = append(rs, map[string]any{"name": fmt.Sprintf("r%d", i)})
	}
	rids := e.insert(t, regions, rs...)
	for i := range n {
		cs = append(cs, map[string]any{"name": fmt.Sprintf("c%d", i), "region": rids[i]})
	}
	cids := e.insert(t, customers, cs...)
	for i := range n {
		os = append(os, map[string]any{"customer": cids[i]})
	}
	e.insert(t, orders, os...)
	const q = `query($t: ID!) { rows(table: $t, first: 100) { nodes { id link(column: "customer") { id link(column: "region") { data } } } } }`
	vars := map[string]any{"t": orders}
	e.settle(t)
	e.ok(t, q, vars) // tables into the cache
	e.srv.Resolver.Cache.Wait()
	e.srv.Resolver.Cache.InvalidateRows(parseID(t, customers), toInts(t, cids)...)
	e.srv.Resolver.Cache.InvalidateRows(parseID(t, regions), toInts(t, rids)...)
	data, stmts := e.counted(t, log, q, vars)
	nodes := testserver.Get(data, "rows", "nodes").([]any)
	for i, node := range nodes {
		if got := testserver.Str(node, "link", "link", "data", "name"); got != fmt.Sprintf("r%d", i) {
			t.Fatalf("order %d reaches region %q", i, got)
		}
	}
	if len(stmts) != 3 {
		t.Errorf("two levels of links over %d rows cost %d statements, want 3 (the page, one per level):\n%s", n, len(stmts), strings.Join(stmts, "\n"))
	}
}

func toInts(t *testing.T, ids []string) []int64 {
	out := make([]int64, len(ids))
	for i, s := range ids {
		out[i] = parseID(t, s)
	}
	return out
}

func TestTableListCountsRowsWithOneQuery(t *testing.T) {
	t.Parallel()
	e, log := newCountingEnv(t)
	const q = `query($db: ID!) { tables(databaseId: $db) { id rowCount } database(id: $db) { tables { rowCount } } }`
	counts := map[int]int{}
	for i := range 12 {
		tid, _ := e.createTable(t, fmt.Sprintf("t%d", i))
		rows := make([]map[string]any, i)
		for j := range rows {
			rows[j] = map[string]any{}
		}
		if i > 0 {
			e.insert(t, tid, rows...)
		}
		if i == 2 || i == 11 {
			data, stmts := e.counted(t, log, q, map[string]any{"db": e.db})
			for _, list := range []any{testserver.Get(data, "tables"), testserver.Get(data, "database", "tables")} {
				for k, tb := range list.([]any) {
					if got := testserver.Str(tb, "rowCount"); got != fmt.Sprint(k) {
						t.Errorf("table t%d has rowCount %s, want %d", k, got, k)
					}
				}
			}
			counts[i+1] = len(stmts)
			var countQueries int
			for _, s := range stmts {
				if strings.Contains(s, "count(*)") {
					countQueries++
				}
			}
			if countQueries != 2 {
				t.Errorf("two lists of %d tables counted rows with %d queries, want one per list:\n%s", i+1, countQueries, strings.Join(stmts, "\n"))
			}
		}
	}
	if counts[3] != counts[12] {
		t.Errorf("listing 3 tables with row counts cost %d statements, 12 tables %d", counts[3], counts[12])
	}
}
