package dataapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

type countKey struct{}

// linkEnv is 100 people, 10 projects and a link column people.projects (reverse:
// projects.members); person i is linked to projects i%10, (i+1)%10 and (i+2)%10, the first
// with the metadata {"lead": true}. stmts counts the statements run under a context made by
// counted.
type linkEnv struct {
	store    *storage.Store
	db       *gqlbase.Database
	ctx      context.Context
	entry    *Entry
	projects []int64
	mu       sync.Mutex
	stmts    []string
}

func newLinkEnv(tb testing.TB) *linkEnv {
	tb.Helper()
	ctx := context.Background()
	le := &linkEnv{}
	st, err := storage.Open(ctx, pgtest.NewDatabase(tb), storage.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnStatement: func(ctx context.Context, q string) {
			if ctx.Value(countKey{}) != nil {
				le.mu.Lock()
				le.stmts = append(le.stmts, q)
				le.mu.Unlock()
			}
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	ws, err := st.CreateWorkspace(ctx, "w", nil)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := st.CreateDatabase(ctx, ws.ID, "d", "test")
	if err != nil {
		tb.Fatal(err)
	}
	people, err := st.CreateTable(ctx, db, &gqlbase.Table{Name: "people", Columns: []*gqlbase.Column{
		{Name: "name", Type: gqlbase.TypeText, Nullable: true}}}, "test")
	if err != nil {
		tb.Fatal(err)
	}
	projects, err := st.CreateTable(ctx, db, &gqlbase.Table{Name: "projects", Columns: []*gqlbase.Column{
		{Name: "title", Type: gqlbase.TypeText, Nullable: true}}}, "test")
	if err != nil {
		tb.Fatal(err)
	}
	l, err := st.CreateLinkColumn(ctx, gqlbase.CreateLinkColumnInput{Table: people.ID, TargetTable: projects.ID,
		Name: "projects", ReverseName: "members"}, "test")
	if err != nil {
		tb.Fatal(err)
	}
	var prows, jrows []map[string]any
	for i := 0; i < 100; i++ {
		prows = append(prows, map[string]any{"name": fmt.Sprintf("p%03d", i)})
	}
	for i := 0; i < 10; i++ {
		jrows = append(jrows, map[string]any{"title": fmt.Sprintf("j%d", i)})
	}
	ps, err := st.InsertRows(ctx, people, prows, "test")
	if err != nil {
		tb.Fatal(err)
	}
	js, err := st.InsertRows(ctx, projects, jrows, "test")
	if err != nil {
		tb.Fatal(err)
	}
	for _, j := range js {
		le.projects = append(le.projects, j.ID)
	}
	for i, p := range ps {
		targets := []gqlbase.LinkTargetInput{{ID: js[i%10].ID, Meta: map[string]any{"lead": true}}, {ID: js[(i+1)%10].ID}, {ID: js[(i+2)%10].ID}}
		if _, err := st.LinkRows(ctx, l, people, projects, false, p.ID, targets); err != nil {
			tb.Fatal(err)
		}
	}
	svc, err := NewService(Config{Store: st})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(svc.Close)
	entry, err := svc.Entry(ctx, db, RoleWrite)
	if err != nil {
		tb.Fatal(err)
	}
	admin := &gqlbase.Principal{Kind: gqlbase.PrincipalToken, TokenID: 1, WorkspaceID: ws.ID, Scopes: gqlbase.AllScopes}
	le.store, le.db, le.entry = st, db, entry
	le.ctx = context.WithValue(gqlbase.WithPrincipal(ctx, admin), countKey{}, true)
	return le
}

// nestedLinkQuery reads 100 people, each with its projects (filtered, ordered, limited) and
// each project with its members (the reverse side).
const nestedLinkQuery = `{ people(limit: 100, order_by: {id: asc}) { name
	projects(where: {title: {_neq: "none"}}, order_by: {title: desc}, limit: 2) { title
		members(order_by: {name: asc}, limit: 3) { name } } } }`

func TestTypedLinksNestedQueryIsOneStatement(t *testing.T) {
	le := newLinkEnv(t)
	le.mu.Lock()
	le.stmts = nil
	le.mu.Unlock()
	r := run(t, le.ctx, le.entry, nestedLinkQuery, nil)(le.ctx)
	got := data(t, r)
	// p000 is linked to j0, j1, j2: desc by title, the first two are j2, j1; j2's members by
	// name are the people i with i%10 in {0, 1, 2}: p000, p001, p002, ...; j1's those with
	// i%10 in {9, 0, 1}.
	want := `{"people":[{"name":"p000","projects":[{"members":[{"name":"p000"},{"name":"p001"},{"name":"p002"}],"title":"j2"},` +
		`{"members":[{"name":"p000"},{"name":"p001"},{"name":"p009"}],"title":"j1"}]}`
	if !strings.HasPrefix(got, want) {
		t.Fatalf("nested links:\n got %.400s\nwant %s...", got, want)
	}
	if n := strings.Count(got, `"projects":[{`); n != 100 {
		t.Fatalf("%d people with projects, want 100", n)
	}
	le.mu.Lock()
	defer le.mu.Unlock()
	var reads []string
	for _, q := range le.stmts {
		if strings.Contains(q, "json_agg") {
			reads = append(reads, q)
		}
	}
	if len(reads) != 1 {
		t.Fatalf("%d statements build the answer (want 1), of %d statements: %q", len(reads), len(le.stmts), le.stmts)
	}
	if len(le.stmts) != 1 {
		t.Logf("statements besides the read: %q", le.stmts)
	}
}

func TestTypedLinkFilters(t *testing.T) {
	le := newLinkEnv(t)
	j0, j5 := le.projects[0], le.projects[5]
	count := func(where string) string {
		t.Helper()
		r := run(t, le.ctx, le.entry, `{ people_aggregate(where: `+where+`) { aggregate { count } } }`, nil)(le.ctx)
		return data(t, r)
	}
	cases := []struct{ name, where, want string }{
		// has: linked to j0 (people 0, 8, 9 mod 10).
		{"has", fmt.Sprintf(`{projects: {id: {_eq: "%d"}}}`, j0), `30`},
		// has every one of j0 and j1: people 0 and 9 mod 10.
		{"has all", fmt.Sprintf(`{_and: [{projects: {id: {_eq: "%d"}}}, {projects: {id: {_eq: "%d"}}}]}`, j0, le.projects[1]), `20`},
		// has_any of j0 and j5: 0, 8, 9 and 3, 4, 5 mod 10.
		{"has_any", fmt.Sprintf(`{projects: {id: {_in: ["%d", "%d"]}}}`, j0, j5), `60`},
		// has_not j0.
		{"has_not", fmt.Sprintf(`{_not: {projects: {id: {_eq: "%d"}}}}`, j0), `70`},
		// the reverse side: projects whose members include p000 (j0, j1, j2).
	}
	for _, c := range cases {
		if got := count(c.where); got != `{"people_aggregate":{"aggregate":{"count":`+c.want+`}}}` {
			t.Errorf("%s: %s, want count %s", c.name, got, c.want)
		}
	}
	r := run(t, le.ctx, le.entry, `{ projects(where: {members: {name: {_eq: "p000"}}}, order_by: {title: asc}) { title } }`, nil)(le.ctx)
	if got := data(t, r); got != `{"projects":[{"title":"j0"},{"title":"j1"},{"title":"j2"}]}` {
		t.Errorf("reverse filter: %s", got)
	}
	// A link relationship needs a bounded list like any other: a limit over the maximum is refused.
	ex := run(t, le.ctx, le.entry, `{ people(limit: 1) { projects(limit: 100000) { title } } }`, nil)(le.ctx)
	if len(ex.Errors) == 0 {
		t.Errorf("a limit over the maximum was accepted: %s", ex.Data)
	}
}

// BenchmarkTypedLinks100Rows runs nestedLinkQuery: 100 people with 2 of their projects each
// and 3 members of each project, one statement.
func BenchmarkTypedLinks100Rows(b *testing.B) {
	le := newLinkEnv(b)
	ex := executor.New(le.entry.Executable)
	le.mu.Lock()
	le.stmts = nil
	le.mu.Unlock()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx := graphql.StartOperationTrace(le.ctx)
		opCtx, errs := ex.CreateOperationContext(ctx, &graphql.RawParams{Query: nestedLinkQuery})
		if errs != nil {
			b.Fatal(errs)
		}
		h, ctx2 := ex.DispatchOperation(ctx, opCtx)
		if r := h(ctx2); r == nil || len(r.Errors) > 0 {
			b.Fatalf("query: %v", r)
		}
	}
	b.StopTimer()
	le.mu.Lock()
	b.ReportMetric(float64(len(le.stmts))/float64(b.N), "stmts/op")
	le.mu.Unlock()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
