package storage_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// TestTextSortsNaturallyAndPagesWithoutGaps: text sorts under ICU's root locale by default
// ("buy milk" before "Write report", case and accents second), in byte order when a sort key
// asks for it; keyset pages compare under the same collation as their ORDER BY, so walking
// pages of two rows, forward and backward, in either order, yields every row once, in order.
func TestTextSortsNaturallyAndPagesWithoutGaps(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	var provider string
	if err := st.DB().Get(&provider, `SELECT collprovider::text FROM pg_collation WHERE collname = 'gqlbase_text_order'`); err != nil {
		t.Fatal(err)
	}
	if provider != "i" {
		t.Fatalf("the test cluster's text order is not ICU (provider %q): is PostgreSQL built without ICU?", provider)
	}
	_, tbl := pgtest.NewTable(t, st, &gqlbase.Table{Name: "todos", Columns: []*gqlbase.Column{
		{Name: "title", Type: gqlbase.TypeText, Nullable: true, Indexed: true},
	}})
	titles := []string{"Write report", "buy milk", "Apple", "apple", "Zebra", "éclair", "eclair", "Banana", "banana", "zoo", "Écu"}
	var rows []map[string]any
	for _, s := range titles {
		rows = append(rows, map[string]any{"title": s})
	}
	rows = append(rows, map[string]any{"title": nil})
	if _, err := st.InsertRows(ctx, tbl, rows, "test"); err != nil {
		t.Fatal(err)
	}

	natural := []string{"apple", "Apple", "banana", "Banana", "buy milk", "eclair", "éclair", "Écu", "Write report", "Zebra", "zoo", "<null>"}
	bytes := []string{"Apple", "Banana", "Write report", "Zebra", "apple", "banana", "buy milk", "eclair", "zoo", "Écu", "éclair", "<null>"}
	reversed := func(s []string) []string { r := slices.Clone(s); slices.Reverse(r); return r }
	for _, c := range []struct {
		name string
		sort gqlbase.Sort
		want []string
	}{
		{"natural", gqlbase.Sort{Column: "title", Direction: gqlbase.SortAsc}, natural},
		{"natural, descending", gqlbase.Sort{Column: "title", Direction: gqlbase.SortDesc}, reversed(natural)},
		{"bytes", gqlbase.Sort{Column: "title", Direction: gqlbase.SortAsc, Bytes: true}, bytes},
		{"bytes, descending", gqlbase.Sort{Column: "title", Direction: gqlbase.SortDesc, Bytes: true}, reversed(bytes)},
	} {
		sorts := []gqlbase.Sort{c.sort}
		whole, err := st.ListRows(ctx, tbl, storage.RowQuery{Sorts: sorts, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if got := rowTitles(t, whole.Rows); !slices.Equal(got, c.want) {
			t.Errorf("%s: one page\n got %s\nwant %s", c.name, strings.Join(got, " | "), strings.Join(c.want, " | "))
		}
		// Forward, two rows a page, from each page's last cursor.
		var forward []string
		q := storage.RowQuery{Sorts: sorts, Limit: 2}
		for range 20 {
			page, err := st.ListRows(ctx, tbl, q)
			if err != nil {
				t.Fatal(err)
			}
			forward = append(forward, rowTitles(t, page.Rows)...)
			if !page.HasMore {
				break
			}
			if q.After, err = storage.DecodeCursor(page.Cursors[len(page.Cursors)-1], 1); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(forward, c.want) {
			t.Errorf("%s: pages forward\n got %s\nwant %s", c.name, strings.Join(forward, " | "), strings.Join(c.want, " | "))
		}
		// Backward from the end, before each page's first cursor.
		var backward []string
		q = storage.RowQuery{Sorts: sorts, Limit: 2, Backward: true}
		for range 20 {
			page, err := st.ListRows(ctx, tbl, q)
			if err != nil {
				t.Fatal(err)
			}
			backward = append(rowTitles(t, page.Rows), backward...)
			if !page.HasMore {
				break
			}
			if q.Before, err = storage.DecodeCursor(page.Cursors[0], 1); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(backward, c.want) {
			t.Errorf("%s: pages backward\n got %s\nwant %s", c.name, strings.Join(backward, " | "), strings.Join(c.want, " | "))
		}
	}
}

func rowTitles(t *testing.T, rows []*gqlbase.Row) []string {
	t.Helper()
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		var v struct{ Title *string }
		if err := json.Unmarshal(r.Data, &v); err != nil {
			t.Fatal(err)
		}
		if v.Title == nil {
			out = append(out, "<null>")
		} else {
			out = append(out, *v.Title)
		}
	}
	return out
}
