package storage_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

type ctxKey struct{}

// The statement hook sees every statement with its context, transactions included, and the
// wrapped driver passes array parameters and prepared statements through as lib/pq does.
func TestStatementHook(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	hook := func(ctx context.Context, q string) {
		if ctx.Value(ctxKey{}) == nil {
			return // the store's own start (migrations) and others
		}
		mu.Lock()
		seen = append(seen, strings.Fields(q)[0])
		mu.Unlock()
	}
	st, err := storage.Open(context.Background(), pgtest.NewDatabase(t), storage.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), OnStatement: hook,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.WithValue(context.Background(), ctxKey{}, true)
	ws, err := st.CreateWorkspace(ctx, "w", nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := st.CreateDatabase(ctx, ws.ID, "d", "test")
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := st.CreateTable(ctx, db, &gqlbase.Table{Name: "t", Columns: []*gqlbase.Column{
		{Name: "tags", Type: gqlbase.TypeMultiSelect, Nullable: true, Options: []gqlbase.SelectOption{{Value: "a"}, {Value: "b"}}},
	}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.InsertRows(ctx, tbl, []map[string]any{{"tags": []string{"a", "b"}}, {"tags": nil}}, "test")
	if err != nil || len(rows) != 2 {
		t.Fatalf("insert: %v", err)
	}
	mu.Lock()
	seen = nil
	mu.Unlock()

	// one query with an array parameter
	got, err := st.GetRows(ctx, tbl, []int64{rows[0].ID, rows[1].ID})
	if err != nil || len(got) != 2 || string(got[rows[0].ID].Data) != `{"tags":["a","b"]}` {
		t.Fatalf("GetRows through the hook: %v %v", got, err)
	}
	// a transaction: BEGIN, the statement, COMMIT
	if _, err := st.InsertRows(ctx, tbl, []map[string]any{{"tags": []string{"b"}}}, "test"); err != nil {
		t.Fatal(err)
	}
	// a prepared statement
	stmt, err := st.DB().PreparexContext(ctx, `SELECT count(*) FROM "db_`+strconv.FormatInt(db.ID, 10)+`"."t" WHERE id = ANY($1)`)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := stmt.GetContext(ctx, &n, pq.Array([]int64{rows[0].ID})); err != nil || n != 1 {
		t.Fatalf("prepared statement: %d %v", n, err)
	}
	stmt.Close()
	mu.Lock()
	defer mu.Unlock()
	// The row statements run as the database's role; the last one is gqlbase's own, so its
	// connection switches back first (RESET ROLE).
	if got := strings.Join(seen, " "); got != "SELECT BEGIN WITH COMMIT RESET SELECT" {
		t.Errorf("statements seen: %s", got)
	}
}
