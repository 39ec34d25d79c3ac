package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// TestFiltersUseIndexes checks that a filter on an indexed column can use its index (the
// compiled comparison is not hidden behind a function, and text columns carry the collation
// the filter compares with).
func TestFiltersUseIndexes(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	db, tbl := pgtest.NewTable(t, st, &gqlbase.Table{Name: "items", Columns: []*gqlbase.Column{
		{Name: "n", Type: gqlbase.TypeInteger, Nullable: true, Indexed: true},
		{Name: "name", Type: gqlbase.TypeText, Nullable: true, Indexed: true},
	}})
	rows := make([]map[string]any, 1000)
	for i := range rows {
		rows[i] = map[string]any{"n": int64(i), "name": fmt.Sprintf("item %04d", i)}
	}
	for i := 0; i < 5; i++ {
		if _, err := st.InsertRows(ctx, tbl, rows, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.DB().Exec(`ANALYZE ` + db.Schema + `.items`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		column string
		op     gqlbase.FilterOp
		value  any
	}{
		{"n", gqlbase.OpGt, 995},
		{"n", gqlbase.OpEq, 7},
		{"name", gqlbase.OpEq, "item 0007"},
		{"name", gqlbase.OpGte, "item 0998"},
	} {
		col, op := tc.column, tc.op
		b, err := gqlbase.BindFilter(&gqlbase.Filter{Column: &col, Op: &op, Value: tc.value}, tbl)
		if err != nil {
			t.Fatal(err)
		}
		query, params, err := storage.ListRowsSQL(tbl, storage.RowQuery{Filter: b, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		if err := st.DB().Select(&plan, `EXPLAIN `+query, params...); err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(plan, "\n"); !strings.Contains(text, "ix_") {
			t.Errorf("%s %s %v does not use the column's index:\n%s", col, op, tc.value, text)
		}
	}
}
