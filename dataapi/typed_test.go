package dataapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// manyTables makes n tables of 12 columns of every kind, each linking to the previous one.
func manyTables(n int) []*gqlbase.Table {
	types := []gqlbase.ColumnType{gqlbase.TypeText, gqlbase.TypeInteger, gqlbase.TypeNumber, gqlbase.TypeDecimal,
		gqlbase.TypeBoolean, gqlbase.TypeDate, gqlbase.TypeDateTime, gqlbase.TypeJSON, gqlbase.TypeUUID,
		gqlbase.TypeMultiSelect, gqlbase.TypeRating}
	tables := make([]*gqlbase.Table, n)
	for i := range tables {
		t := &gqlbase.Table{ID: int64(i + 1), DatabaseID: 1, Schema: "db_1", Name: fmt.Sprintf("table_%d", i), Label: "Table"}
		for j, ty := range types {
			t.Columns = append(t.Columns, &gqlbase.Column{ID: int64(i*100 + j), Name: fmt.Sprintf("c%d", j), Type: ty, Nullable: true, Unique: j == 0})
		}
		if i > 0 {
			prev := int64(i)
			t.Columns = append(t.Columns, &gqlbase.Column{ID: int64(i*100 + 99), Name: "prev", Type: gqlbase.TypeLink, Nullable: true, LinkTableID: &prev})
		}
		tables[i] = t
	}
	return tables
}

func TestBuiltSchemaIsValidSDL(t *testing.T) {
	s, err := Build(&gqlbase.Database{ID: 1, Name: "d"}, manyTables(30), RoleWrite)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Skipped) > 0 {
		t.Errorf("skipped names: %q", s.Skipped)
	}
	// The hand-built AST, printed and loaded again by gqlparser, passes its schema validation.
	var buf bytes.Buffer
	formatter.NewFormatter(&buf).FormatSchema(s.AST())
	sdl := strings.ReplaceAll(buf.String(), "__schema: __Schema!", "")
	sdl = strings.ReplaceAll(sdl, "__type(name: String!): __Type", "")
	if _, err := gqlparser.LoadSchema(&ast.Source{Name: "built.graphql", Input: sdl}); err != nil {
		t.Fatalf("the built schema does not load: %v", err)
	}
	for _, want := range []string{"table_1_by_prev(", "prev_rel: table_0_row", "insert_table_3_one(", "enum table_2_constraint"} {
		if !strings.Contains(sdl, want) {
			t.Errorf("SDL lacks %q", want)
		}
	}
	// A table without columns, and names that collide: the older table keeps the name.
	odd := []*gqlbase.Table{
		{ID: 1, Name: "empty", Schema: "db_1"},
		{ID: 2, Name: "a", Schema: "db_1", Columns: []*gqlbase.Column{{Name: "true", Type: gqlbase.TypeText}, {Name: "_and", Type: gqlbase.TypeText}}},
		{ID: 3, Name: "a_aggregate", Schema: "db_1", Columns: []*gqlbase.Column{{Name: "x", Type: gqlbase.TypeText}}},
		{ID: 4, Name: "b", Schema: "db_1", Columns: []*gqlbase.Column{{Name: "a_rel", Type: gqlbase.TypeText}, {Name: "a", Type: gqlbase.TypeLink, LinkTableID: ptr(int64(2))}}},
		// Raw SQL may create a table "_" (types __row, ...) and a LINK column "_" (__rel).
		{ID: 5, Name: "_", Schema: "db_1", Columns: []*gqlbase.Column{{Name: "x", Type: gqlbase.TypeText}}},
		{ID: 6, Name: "c", Schema: "db_1", Columns: []*gqlbase.Column{{Name: "_", Type: gqlbase.TypeLink, LinkTableID: ptr(int64(1))}}},
	}
	s2, err := Build(&gqlbase.Database{ID: 1, Name: "d"}, odd, RoleWrite)
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	formatter.NewFormatter(&buf).FormatSchema(s2.AST())
	sdl2 := strings.ReplaceAll(strings.ReplaceAll(buf.String(), "__schema: __Schema!", ""), "__type(name: String!): __Type", "")
	if _, err := gqlparser.LoadSchema(&ast.Source{Name: "odd.graphql", Input: sdl2}); err != nil {
		t.Fatalf("the schema of odd tables does not load: %v\n%s", err, sdl2)
	}
	if got := strings.Join(s2.Skipped, ","); got != "Query.a_aggregate,Subscription.a_aggregate" {
		t.Errorf("skipped: %s", got)
	}
	if got := strings.Join(s2.Reserved, ","); got != "table _,c.__rel" {
		t.Errorf("left out for two underscores: %s", got)
	}
	if s2.AST().Types["empty_row"].Fields.ForName("c_by__") == nil {
		t.Error("the array relationship c_by__ of the LINK column _ is missing")
	}
	if f := s2.AST().Types["b_row"].Fields.ForName("a_rel"); f == nil || f.Type.Name() != "String" {
		t.Errorf("the column a_rel should win over the relationship: %v", f)
	}
	if s2.AST().Types["a_row"].Fields.ForName("b_by_a") == nil {
		t.Error("the array relationship b_by_a is missing")
	}
	read, _ := Build(&gqlbase.Database{ID: 1, Name: "d"}, manyTables(3), RoleRead)
	if read.AST().Mutation != nil || read.AST().Types["table_0_insert_input"] != nil {
		t.Error("the read schema has mutations")
	}
}

// BenchmarkBuild100Tables builds the schema of a database of 100 tables (12 columns each,
// linked in a chain).
func BenchmarkBuild100Tables(b *testing.B) {
	tables := manyTables(100)
	db := &gqlbase.Database{ID: 1, Name: "d"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(db, tables, RoleWrite); err != nil {
			b.Fatal(err)
		}
	}
}

// env is a database with tables on a real store.
type env struct {
	store *storage.Store
	db    *gqlbase.Database
	admin *gqlbase.Principal
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	ws, err := st.CreateWorkspace(ctx, "w", nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := st.CreateDatabase(ctx, ws.ID, "d", "test")
	if err != nil {
		t.Fatal(err)
	}
	admin := &gqlbase.Principal{Kind: gqlbase.PrincipalToken, TokenID: 1, WorkspaceID: ws.ID, Scopes: gqlbase.AllScopes}
	return &env{store: st, db: db, admin: admin}
}

func (e *env) table(t *testing.T, name string, cols ...*gqlbase.Column) *gqlbase.Table {
	t.Helper()
	tb, err := e.store.CreateTable(context.Background(), e.db, &gqlbase.Table{Name: name, Columns: cols}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// run executes a document through gqlgen's executor on an entry and returns the response
// handler (subscriptions answer once per result).
func run(t *testing.T, ctx context.Context, e *Entry, query string, vars map[string]any) graphql.ResponseHandler {
	t.Helper()
	ex := executor.New(e.Executable)
	ctx = graphql.StartOperationTrace(ctx)
	opCtx, errs := ex.CreateOperationContext(ctx, &graphql.RawParams{Query: query, Variables: vars})
	if errs != nil {
		t.Fatalf("%s: %v", query, errs)
	}
	h, ctx2 := ex.DispatchOperation(ctx, opCtx)
	return func(context.Context) *graphql.Response { return h(ctx2) }
}

func data(t *testing.T, r *graphql.Response) string {
	t.Helper()
	if r == nil {
		t.Fatal("no response")
	}
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %v", r.Errors)
	}
	var v any
	if err := json.Unmarshal(r.Data, &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestWideSelectionKeepsKeyOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var cols []*gqlbase.Column
	var names []string
	for i := 0; i < 120; i++ {
		name := fmt.Sprintf("c%03d", 119-i) // reverse name order, so key order is checked
		cols = append(cols, &gqlbase.Column{Name: name, Type: gqlbase.TypeInteger, Nullable: true})
		names = append(names, name)
	}
	tb := e.table(t, "wide", cols...)
	svc, err := NewService(Config{Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	values := map[string]any{}
	for i, n := range names {
		values[n] = int64(i)
	}
	if _, err := e.store.InsertRows(context.Background(), tb, []map[string]any{values}, "test"); err != nil {
		t.Fatal(err)
	}
	entry, err := svc.Entry(context.Background(), e.db, RoleWrite)
	if err != nil {
		t.Fatal(err)
	}
	ctx := gqlbase.WithPrincipal(context.Background(), e.admin)
	r := run(t, ctx, entry, "{ wide { "+strings.Join(names, " ")+" } }", nil)(ctx)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	var want strings.Builder
	want.WriteString(`{"wide":[{`)
	for i, n := range names {
		if i > 0 {
			want.WriteByte(',')
		}
		fmt.Fprintf(&want, `"%s":%d`, n, i)
	}
	want.WriteString("}]}")
	var compact bytes.Buffer
	if err := json.Compact(&compact, r.Data); err != nil {
		t.Fatal(err)
	}
	if compact.String() != want.String() {
		t.Errorf("wide row:\n got %s\nwant %s", compact.String(), want.String())
	}
}

// fakeEvents is a TableEvents the test fires by hand.
type fakeEvents struct {
	mu   sync.Mutex
	subs map[int64][]chan struct{}
}

func (f *fakeEvents) SubscribeTable(ctx context.Context, tableID int64) (<-chan struct{}, error) {
	ch := make(chan struct{}, 1)
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[int64][]chan struct{}{}
	}
	f.subs[tableID] = append(f.subs[tableID], ch)
	f.mu.Unlock()
	return ch, nil
}

func (f *fakeEvents) fire(tableID int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ch := range f.subs[tableID] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (f *fakeEvents) subscribed(tableID int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs[tableID])
}

// next waits for a subscription's next response.
func next(t *testing.T, h graphql.ResponseHandler) string {
	t.Helper()
	out := make(chan *graphql.Response, 1)
	go func() { out <- h(context.Background()) }()
	select {
	case r := <-out:
		return data(t, r)
	case <-time.After(20 * time.Second):
		t.Fatal("no subscription response")
	}
	return ""
}

func TestLiveQueriesShareOneFetch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tb := e.table(t, "items", &gqlbase.Column{Name: "name", Type: gqlbase.TypeText, Nullable: true},
		&gqlbase.Column{Name: "n", Type: gqlbase.TypeInteger, Nullable: true})
	events := &fakeEvents{}
	svc, err := NewService(Config{Store: e.store, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx := gqlbase.WithPrincipal(context.Background(), e.admin)
	if _, err := e.store.InsertRows(ctx, tb, []map[string]any{{"name": "a", "n": int64(1)}}, "test"); err != nil {
		t.Fatal(err)
	}
	write, err := svc.Entry(ctx, e.db, RoleWrite)
	if err != nil {
		t.Fatal(err)
	}
	read, err := svc.Entry(ctx, e.db, RoleRead)
	if err != nil {
		t.Fatal(err)
	}
	const q = `subscription($min: Int) { items(where: {n: {_gte: $min}}, order_by: {id: asc}) { name } }`
	type sub struct {
		h      graphql.ResponseHandler
		cancel context.CancelFunc
	}
	start := func(entry *Entry, min int) sub {
		c, cancel := context.WithCancel(ctx)
		return sub{run(t, c, entry, q, map[string]any{"min": min}), cancel}
	}
	// Three subscribers with the same query, variables and role; one with other variables;
	// one with another role.
	same := []sub{start(write, 0), start(write, 0), start(write, 0)}
	other := start(write, 5)
	otherRole := start(read, 0)
	for _, s := range same {
		if got := next(t, s.h); got != `{"items":[{"name":"a"}]}` {
			t.Errorf("first result: %s", got)
		}
	}
	if got := next(t, other.h); got != `{"items":[]}` {
		t.Errorf("first result (n >= 5): %s", got)
	}
	next(t, otherRole.h)
	queries, fetches := svc.LiveStats()
	if queries != 3 || fetches != 3 {
		t.Errorf("%d live queries and %d fetches, want 3 and 3", queries, fetches)
	}
	// A change: each query fetches once; the subscribers whose result changed hear of it.
	if _, err := e.store.InsertRows(ctx, tb, []map[string]any{{"name": "b", "n": int64(2)}}, "test"); err != nil {
		t.Fatal(err)
	}
	events.fire(tb.ID)
	for _, s := range same {
		if got := next(t, s.h); got != `{"items":[{"name":"a"},{"name":"b"}]}` {
			t.Errorf("after the insert: %s", got)
		}
	}
	next(t, otherRole.h)
	waitFor(t, func() bool { _, f := svc.LiveStats(); return f == 6 }, "one fetch per live query")
	// The n >= 5 subscriber's result did not change: it gets nothing until it does.
	if _, err := e.store.InsertRows(ctx, tb, []map[string]any{{"name": "c", "n": int64(7)}}, "test"); err != nil {
		t.Fatal(err)
	}
	events.fire(tb.ID)
	if got := next(t, other.h); got != `{"items":[{"name":"c"}]}` {
		t.Errorf("n >= 5 after its first change: %s", got)
	}
	// Subscribers leaving end their live query when they were the last.
	for _, s := range same {
		s.cancel()
	}
	other.cancel()
	otherRole.cancel()
	waitFor(t, func() bool { q, _ := svc.LiveStats(); return q == 0 }, "live queries to end")
	if events.subscribed(tb.ID) != 3 {
		t.Errorf("%d table subscriptions, want one per live query (3)", events.subscribed(tb.ID))
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ptr[T any](v T) *T { return &v }
