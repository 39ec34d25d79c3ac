package resolvers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/dataloaders"
	"github.com/gqlbase/gqlbase/resolvers"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// benchEnv is a resolver over a fresh database with one table of typical columns.
type benchEnv struct {
	res   *resolvers.Resolver
	cache *dataloaders.Cache
	table *gqlbase.Table
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	ctx := context.Background()
	store := pgtest.NewStore(b)
	cache, err := dataloaders.NewCache(dataloaders.CacheConfig{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(cache.Close)
	store.SetHooks(storage.Hooks{TablesChanged: cache.InvalidateTables, RowsChanged: cache.InvalidateRows})
	res := &resolvers.Resolver{Store: store, Cache: cache, Version: "bench"}
	ws, err := store.CreateWorkspace(ctx, "bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.CreateDatabase(ctx, ws.ID, "bench", "bench")
	if err != nil {
		b.Fatal(err)
	}
	opts := []gqlbase.SelectOption{{Value: "a"}, {Value: "b"}, {Value: "c"}}
	spec := &gqlbase.Table{Name: "products", Label: "Products", Columns: []*gqlbase.Column{
		{Name: "name", Label: "Name", Type: gqlbase.TypeText, Nullable: true},
		{Name: "category", Label: "Category", Type: gqlbase.TypeSelect, Nullable: true, Options: opts},
		{Name: "price", Label: "Price", Type: gqlbase.TypeDecimal, Nullable: true},
		{Name: "qty", Label: "Qty", Type: gqlbase.TypeInteger, Nullable: true},
		{Name: "active", Label: "Active", Type: gqlbase.TypeBoolean, Nullable: true},
		{Name: "released", Label: "Released", Type: gqlbase.TypeDateTime, Nullable: true},
		{Name: "notes", Label: "Notes", Type: gqlbase.TypeLongText, Nullable: true},
	}}
	t, err := store.CreateTable(ctx, db, spec, "bench")
	if err != nil {
		b.Fatal(err)
	}
	return &benchEnv{res: res, cache: cache, table: t}
}

// rows makes n rows of the bench table, starting at row number from.
func benchRows(from, n int) []map[string]any {
	out := make([]map[string]any, n)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		k := from + i
		out[i] = map[string]any{
			"name":     fmt.Sprintf("product %d", k),
			"category": []string{"a", "b", "c"}[k%3],
			"price":    fmt.Sprintf("%d.%02d", k%500, k%100),
			"qty":      k % 1000,
			"active":   k%2 == 0,
			"released": base.Add(time.Duration(k) * time.Minute).Format(time.RFC3339),
			"notes":    "a few words about this product",
		}
	}
	return out
}

func (e *benchEnv) fill(b *testing.B, n int) []*gqlbase.Row {
	b.Helper()
	var all []*gqlbase.Row
	for from := 0; from < n; from += gqlbase.MaxBatchRows {
		rows, err := e.res.InsertRows(context.Background(), e.table, benchRows(from, min(gqlbase.MaxBatchRows, n-from)))
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, rows...)
	}
	return all
}

// listParams: 100 rows of category b with qty of at least 100, most expensive first.
func listParams() gqlbase.ListParams {
	col, cat, op1, op2 := "category", "qty", gqlbase.OpEq, gqlbase.OpGte
	first := 100
	return gqlbase.ListParams{
		Where: &gqlbase.Filter{And: []*gqlbase.Filter{
			{Column: &col, Op: &op1, Value: "b"},
			{Column: &cat, Op: &op2, Value: int64(100)},
		}},
		OrderBy: []*gqlbase.Sort{{Column: "price", Direction: gqlbase.SortDesc}, {Column: "name", Direction: gqlbase.SortAsc}},
		First:   &first,
	}
}

// BenchmarkListRows100FilterSort lists 100 rows of a 10,000-row table through the resolver
// path (validation, SQL, scanning, cursors), with a filter and a sort.
func BenchmarkListRows100FilterSort(b *testing.B) {
	e := newBenchEnv(b)
	e.fill(b, 10_000)
	ctx := context.Background()
	p := listParams()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		conn, err := e.res.ListRows(ctx, e.table, p)
		if err != nil {
			b.Fatal(err)
		}
		if len(conn.Nodes) != 100 {
			b.Fatalf("%d rows", len(conn.Nodes))
		}
	}
}

// BenchmarkListRows100DirectSQL runs the SQL of BenchmarkListRows100FilterSort (from
// storage.ListRowsSQL) through database/sql and scans every column: the floor the resolver
// path is measured against.
func BenchmarkListRows100DirectSQL(b *testing.B) {
	e := newBenchEnv(b)
	e.fill(b, 10_000)
	ctx := context.Background()
	p := listParams()
	bound, err := gqlbase.BindFilter(p.Where, e.table)
	if err != nil {
		b.Fatal(err)
	}
	q := storage.RowQuery{Filter: bound, Limit: *p.First}
	for _, s := range p.OrderBy {
		q.Sorts = append(q.Sorts, *s)
	}
	query, args, err := storage.ListRowsSQL(e.table, q)
	if err != nil {
		b.Fatal(err)
	}
	db := e.res.Store.DB().DB
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rows, err := db.QueryContext(ctx, query, args...)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var id int64
			var version int
			var created, updated time.Time
			var createdBy *string
			var data, keys []byte
			if err := rows.Scan(&id, &version, &created, &updated, &createdBy, &data, &keys); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		rows.Close()
		if n != 101 {
			b.Fatalf("%d rows", n)
		}
	}
}

// BenchmarkGetRowByIDCached reads a row by id through the loaders with a warm cache.
func BenchmarkGetRowByIDCached(b *testing.B) {
	e := newBenchEnv(b)
	row := e.fill(b, 100)[50]
	ctx := context.Background()
	l := dataloaders.New(e.res.Store, e.cache)
	if _, err := l.Row(ctx, e.table, row.ID); err != nil {
		b.Fatal(err)
	}
	e.cache.Wait()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := l.Row(ctx, e.table, row.ID)
		if err != nil || r == nil {
			b.Fatal(r, err)
		}
	}
}

// BenchmarkGetRowByIDUncached is BenchmarkGetRowByIDCached with the row invalidated before
// each read, so every read goes to Postgres.
func BenchmarkGetRowByIDUncached(b *testing.B) {
	e := newBenchEnv(b)
	row := e.fill(b, 100)[50]
	ctx := context.Background()
	l := dataloaders.New(e.res.Store, e.cache)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.cache.InvalidateRows(e.table.ID, row.ID)
		r, err := l.Row(ctx, e.table, row.ID)
		if err != nil || r == nil {
			b.Fatal(r, err)
		}
	}
}

// BenchmarkInsert1000Rows inserts 1,000 rows with one InsertRows call (validation, one
// statement with history, events and NOTIFY, one transaction).
func BenchmarkInsert1000Rows(b *testing.B) {
	e := newBenchEnv(b)
	ctx := context.Background()
	batch := benchRows(0, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	n := 0
	for b.Loop() {
		rows, err := e.res.InsertRows(ctx, e.table, batch)
		if err != nil {
			b.Fatal(err)
		}
		n += len(rows)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkUpdateRow updates one column of one row through the resolver path (validation,
// the row lock, one statement with history, event and NOTIFY, one transaction).
func BenchmarkUpdateRow(b *testing.B) {
	e := newBenchEnv(b)
	row := e.fill(b, 100)[50]
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		rows, err := e.res.UpdateRowsByID(ctx, e.table, []gqlbase.RowPatch{{ID: row.ID, Values: map[string]any{"qty": int64(i)}}})
		if err != nil || len(rows) != 1 {
			b.Fatal(rows, err)
		}
	}
}
