package resolvers

import (
	"context"
	"fmt"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// Page sizes of row lists.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
	maxOffset       = 1_000_000
)

// ListParams are the arguments of a row list, as every API spells them.
type ListParams struct {
	Where   *gqlbase.Filter
	OrderBy []*gqlbase.Sort
	First   *int
	After   *string
	Last    *int
	Before  *string
	Offset  *int
	Search  *string
	Columns []string
}

// ListRows runs a row list for a table the caller may read: it validates the filter, order
// and paging, and returns the connection (totalCount is computed only when asked).
func (r *Resolver) ListRows(ctx context.Context, t *gqlbase.Table, p ListParams) (*gqlbase.RowConnection, error) {
	q, err := r.rowQuery(t, p.Where, p.Search)
	if err != nil {
		return nil, err
	}
	for _, s := range p.OrderBy {
		if s == nil {
			continue
		}
		if t.Column(s.Column) == nil {
			return nil, gqlbase.BadInput("cannot order by %q: table %q has no such column", s.Column, t.Name).WithField("orderBy")
		}
		sort := *s
		if sort.Direction == "" {
			sort.Direction = gqlbase.SortAsc
		}
		q.Sorts = append(q.Sorts, sort)
	}
	if len(q.Sorts) > 10 {
		return nil, gqlbase.BadInput("order by at most 10 columns").WithField("orderBy")
	}
	q.Columns = p.Columns
	if p.First != nil && p.Last != nil {
		return nil, gqlbase.BadInput("give first or last, not both").WithField("first")
	}
	q.Limit = DefaultPageSize
	for _, n := range []*int{p.First, p.Last} {
		if n == nil {
			continue
		}
		if *n < 0 || *n > MaxPageSize {
			return nil, gqlbase.BadInput("page size must be between 0 and %d", MaxPageSize).WithField("first")
		}
		q.Limit = *n
	}
	q.Backward = p.Last != nil
	if p.Offset != nil {
		if *p.Offset < 0 || *p.Offset > maxOffset {
			return nil, gqlbase.BadInput("offset must be between 0 and %d", maxOffset).WithField("offset")
		}
		q.Offset = *p.Offset
	}
	if p.After != nil && *p.After != "" {
		if q.After, err = storage.DecodeCursor(*p.After, len(q.Sorts)); err != nil {
			return nil, err
		}
	}
	if p.Before != nil && *p.Before != "" {
		if q.Before, err = storage.DecodeCursor(*p.Before, len(q.Sorts)); err != nil {
			return nil, gqlbase.BadInput("invalid before cursor").WithField("before")
		}
	}
	page, err := r.Store.ListRows(ctx, t, q)
	if err != nil {
		return nil, err
	}
	conn := &gqlbase.RowConnection{
		Nodes:    page.Rows,
		Edges:    make([]*gqlbase.RowEdge, len(page.Rows)),
		PageInfo: &gqlbase.PageInfo{},
		Count: func(ctx context.Context) (int64, error) {
			return r.Store.CountRowsWhere(ctx, t, q)
		},
	}
	for i, row := range page.Rows {
		conn.Edges[i] = &gqlbase.RowEdge{Cursor: page.Cursors[i], Node: row}
	}
	if n := len(page.Cursors); n > 0 {
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &page.Cursors[0], &page.Cursors[n-1]
	}
	if q.Backward {
		conn.PageInfo.HasPreviousPage = page.HasMore
		conn.PageInfo.HasNextPage = q.Before != nil
	} else {
		conn.PageInfo.HasNextPage = page.HasMore
		conn.PageInfo.HasPreviousPage = q.After != nil || q.Offset > 0
	}
	return conn, nil
}

// rowQuery binds a filter and search to a table.
func (r *Resolver) rowQuery(t *gqlbase.Table, where *gqlbase.Filter, search *string) (storage.RowQuery, error) {
	var q storage.RowQuery
	if where != nil {
		b, err := gqlbase.BindFilter(where, t)
		if err != nil {
			return q, err
		}
		q.Filter = b
	}
	if search != nil {
		if len(*search) > 500 {
			return q, gqlbase.BadInput("search text is longer than 500 characters").WithField("search")
		}
		q.Search = *search
	}
	return q, nil
}

// InsertRows validates and inserts up to MaxBatchRows rows, all or nothing.
func (r *Resolver) InsertRows(ctx context.Context, t *gqlbase.Table, rows []map[string]any) ([]*gqlbase.Row, error) {
	if len(rows) == 0 {
		return nil, gqlbase.BadInput("no rows to insert").WithField("rows")
	}
	if len(rows) > gqlbase.MaxBatchRows {
		return nil, gqlbase.BadInput("%d rows in one call; the limit is %d", len(rows), gqlbase.MaxBatchRows).WithField("rows")
	}
	prepared := make([]map[string]any, len(rows))
	index := func(i int) int {
		if len(rows) == 1 {
			return -1
		}
		return i
	}
	for i, values := range rows {
		p, err := gqlbase.PrepareInsert(t, values, index(i))
		if err != nil {
			return nil, err
		}
		prepared[i] = p
	}
	return r.Store.InsertRows(ctx, t, prepared, actor(ctx))
}

// UpdateRowsByID validates and applies patches, all or nothing.
func (r *Resolver) UpdateRowsByID(ctx context.Context, t *gqlbase.Table, patches []storage.RowPatch) ([]*gqlbase.Row, error) {
	if len(patches) == 0 {
		return nil, gqlbase.BadInput("no rows to update").WithField("rows")
	}
	if len(patches) > gqlbase.MaxBatchRows {
		return nil, gqlbase.BadInput("%d rows in one call; the limit is %d", len(patches), gqlbase.MaxBatchRows).WithField("rows")
	}
	seen := make(map[int64]bool, len(patches))
	for i := range patches {
		if seen[patches[i].ID] {
			return nil, gqlbase.BadInput("row %d is updated twice in one call", patches[i].ID).WithField("rows")
		}
		seen[patches[i].ID] = true
		idx := i
		if len(patches) == 1 {
			idx = -1
		}
		v, err := gqlbase.PreparePatch(t, patches[i].Values, idx)
		if err != nil {
			return nil, err
		}
		patches[i].Values = v
	}
	return r.Store.UpdateRows(ctx, t, patches, actor(ctx))
}

// asObjects checks that every JSON value of a list is an object.
func asObjects(values []any, field string) ([]map[string]any, error) {
	out := make([]map[string]any, len(values))
	for i, v := range values {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, gqlbase.BadInput("%s[%d] must be a JSON object keyed by column name", field, i).WithField(field)
		}
		out[i] = m
	}
	return out, nil
}

// asObject checks that a JSON value is an object.
func asObject(v any, field string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, gqlbase.BadInput("%s must be a JSON object keyed by column name", field).WithField(field)
	}
	return m, nil
}

func limitOffset(first, offset *int) (int, int, error) {
	limit, off := 50, 0
	if first != nil {
		if *first < 0 || *first > MaxPageSize {
			return 0, 0, gqlbase.BadInput("first must be between 0 and %d", MaxPageSize).WithField("first")
		}
		limit = *first
	}
	if offset != nil {
		if *offset < 0 || *offset > maxOffset {
			return 0, 0, gqlbase.BadInput("offset must be between 0 and %d", maxOffset).WithField("offset")
		}
		off = *offset
	}
	return limit, off, nil
}

func aggregateAlias(fn storage.AggregateFn, column string) string {
	if column == "" {
		return lower(string(fn))
	}
	return fmt.Sprintf("%s_%s", lower(string(fn)), column)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func ptr[T any](v T) *T { return &v }

func int64sToAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
