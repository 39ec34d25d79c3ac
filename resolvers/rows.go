package resolvers

import (
	"context"
	"fmt"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/dataloaders"
	"github.com/gqlbase/gqlbase/storage"
)

const maxOffset = 1_000_000

// ListRows runs a row list for a table the caller may read: it validates the filter, order
// and paging, and returns the connection (totalCount is computed only when asked).
func (r *Resolver) ListRows(ctx context.Context, t *gqlbase.Table, p gqlbase.ListParams) (*gqlbase.RowConnection, error) {
	if err := gqlbase.PrincipalFrom(ctx).RequireRows(t, gqlbase.OpRead); err != nil {
		return nil, err
	}
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
	q.Limit = gqlbase.DefaultPageSize
	for _, n := range []*int{p.First, p.Last} {
		if n == nil {
			continue
		}
		if *n < 0 || *n > gqlbase.MaxPageSize {
			return nil, gqlbase.BadInput("page size must be between 0 and %d", gqlbase.MaxPageSize).WithField("first")
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
	if err := gqlbase.PrincipalFrom(ctx).RequireRows(t, gqlbase.OpCreate); err != nil {
		return nil, err
	}
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
func (r *Resolver) UpdateRowsByID(ctx context.Context, t *gqlbase.Table, patches []gqlbase.RowPatch) ([]*gqlbase.Row, error) {
	if err := gqlbase.PrincipalFrom(ctx).RequireRows(t, gqlbase.OpUpdate); err != nil {
		return nil, err
	}
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
		if *first < 0 || *first > gqlbase.MaxPageSize {
			return 0, 0, gqlbase.BadInput("first must be between 0 and %d", gqlbase.MaxPageSize).WithField("first")
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

func aggregateAlias(fn gqlbase.AggregateFn, column string) string {
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

// InsertRow is the use case behind the insertRow mutation; REST dialects call it too.
func (r *Resolver) InsertRow(ctx context.Context, table int64, values map[string]any) (*gqlbase.Row, error) {
	t, err := r.TableFor(ctx, table, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if err := gqlbase.PrincipalFrom(ctx).RequireRows(t, gqlbase.OpCreate); err != nil {
		return nil, err
	}
	rows, err := r.InsertRows(ctx, t, []map[string]any{values})
	if err != nil {
		return nil, err
	}
	return rows[0], nil
}

// UpdateRow is the use case behind the updateRow mutation; REST dialects call it too.
func (r *Resolver) UpdateRow(ctx context.Context, table int64, id int64, values any, expectedVersion *int) (*gqlbase.Row, error) {
	t, err := r.TableFor(ctx, table, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if err := gqlbase.PrincipalFrom(ctx).RequireRows(t, gqlbase.OpUpdate); err != nil {
		return nil, err
	}
	obj, err := asObject(values, "values")
	if err != nil {
		return nil, err
	}
	rows, err := r.UpdateRowsByID(ctx, t, []gqlbase.RowPatch{{ID: id, Values: obj, ExpectedVersion: expectedVersion}})
	if err != nil {
		return nil, err
	}
	return rows[0], nil
}

// UpdateRows is the use case behind the updateRows mutation; REST dialects call it too.
func (r *Resolver) UpdateRows(ctx context.Context, table int64, ids []int64, where *gqlbase.Filter, values map[string]any) ([]*gqlbase.Row, error) {
	t, err := r.TableFor(ctx, table, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if err := gqlbase.PrincipalFrom(ctx).RequireRows(t, gqlbase.OpUpdate); err != nil {
		return nil, err
	}
	if ids == nil && where == nil {
		return nil, gqlbase.BadInput("choose the rows with ids or where (pass where: {and: []} for every row)").WithField("where")
	}
	patch, err := gqlbase.PreparePatch(t, values, -1)
	if err != nil {
		return nil, err
	}
	q, err := r.rowQuery(t, where, nil)
	if err != nil {
		return nil, err
	}
	if ids != nil {
		if len(ids) > gqlbase.MaxBatchRows {
			return nil, gqlbase.BadInput("%d ids in one call; the limit is %d", len(ids), gqlbase.MaxBatchRows).WithField("ids")
		}
		patches := make([]gqlbase.RowPatch, 0, len(ids))
		for _, id := range ids {
			patches = append(patches, gqlbase.RowPatch{ID: id, Values: patch})
		}
		if q.Filter == nil {
			return r.Store.UpdateRows(ctx, t, patches, actor(ctx))
		}
		idFilter := gqlbase.Filter{Column: ptr(gqlbase.ColID), Op: ptr(gqlbase.OpIn), Value: int64sToAny(ids)}
		both := &gqlbase.Filter{And: []*gqlbase.Filter{&idFilter, where}}
		if q, err = r.rowQuery(t, both, nil); err != nil {
			return nil, err
		}
	}
	return r.Store.UpdateWhere(ctx, t, q.Filter, patch, actor(ctx))
}

// InsertRowsInto is the use case behind the insertRows mutation: rows given as JSON objects.
func (r *Resolver) InsertRowsInto(ctx context.Context, table int64, rows []any) ([]*gqlbase.Row, error) {
	t, objs, err := r.writableRows(ctx, table, rows)
	if err != nil {
		return nil, err
	}
	return r.InsertRows(ctx, t, objs)
}

// writableRows loads a table the principal may write and reads rows given as JSON objects.
func (r *Resolver) writableRows(ctx context.Context, table int64, rows []any) (*gqlbase.Table, []map[string]any, error) {
	t, err := r.TableFor(ctx, table, gqlbase.ScopeWrite)
	if err != nil {
		return nil, nil, err
	}
	if err := gqlbase.PrincipalFrom(ctx).RequireRows(t, gqlbase.OpCreate); err != nil {
		return nil, nil, err
	}
	objs, err := asObjects(rows, "rows")
	if err != nil {
		return nil, nil, err
	}
	return t, objs, nil
}

// UpsertRows is the use case behind the upsertRows mutation; REST dialects call it too.
func (r *Resolver) UpsertRows(ctx context.Context, table int64, rows []any, keyColumn string) (*gqlbase.UpsertResult, error) {
	t, objs, err := r.writableRows(ctx, table, rows)
	if err != nil {
		return nil, err
	}
	if err := gqlbase.PrincipalFrom(ctx).RequireRows(t, gqlbase.OpUpdate); err != nil {
		return nil, err
	}
	if len(objs) == 0 || len(objs) > gqlbase.MaxBatchRows {
		return nil, gqlbase.BadInput("give 1 to %d rows", gqlbase.MaxBatchRows).WithField("rows")
	}
	ins, upd, skipped, err := r.Store.UpsertRows(ctx, t, keyColumn, objs, actor(ctx))
	if err != nil {
		return nil, err
	}
	return &gqlbase.UpsertResult{Inserted: ins, Updated: upd, Skipped: skipped}, nil
}

// DeleteRow is the use case behind the deleteRow mutation; REST dialects call it too.
func (r *Resolver) DeleteRow(ctx context.Context, table int64, id int64) (bool, error) {
	t, err := r.TableFor(ctx, table, gqlbase.ScopeWrite)
	if err != nil {
		return false, err
	}
	if err := gqlbase.PrincipalFrom(ctx).RequireRows(t, gqlbase.OpDelete); err != nil {
		return false, err
	}
	ids, err := r.Store.DeleteRows(ctx, t, []int64{id}, nil, actor(ctx))
	if err != nil {
		return false, err
	}
	if len(ids) == 0 {
		return false, gqlbase.NotFound("row %d not found in table %q", id, t.Name)
	}
	return true, nil
}

// DeleteRows is the use case behind the deleteRows mutation; REST dialects call it too.
func (r *Resolver) DeleteRows(ctx context.Context, table int64, ids []int64, where *gqlbase.Filter) (*gqlbase.DeleteRowsResult, error) {
	t, err := r.TableFor(ctx, table, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if err := gqlbase.PrincipalFrom(ctx).RequireRows(t, gqlbase.OpDelete); err != nil {
		return nil, err
	}
	if ids == nil && where == nil {
		return nil, gqlbase.BadInput("choose the rows with ids or where (pass where: {and: []} for every row)").WithField("where")
	}
	if len(ids) > gqlbase.MaxBatchRows {
		return nil, gqlbase.BadInput("%d ids in one call; the limit is %d", len(ids), gqlbase.MaxBatchRows).WithField("ids")
	}
	q, err := r.rowQuery(t, where, nil)
	if err != nil {
		return nil, err
	}
	deleted, err := r.Store.DeleteRows(ctx, t, ids, q.Filter, actor(ctx))
	if err != nil {
		return nil, err
	}
	return &gqlbase.DeleteRowsResult{Count: len(deleted), Ids: deleted}, nil
}

// RestoreRow is the use case behind the restoreRow mutation; REST dialects call it too.
func (r *Resolver) RestoreRow(ctx context.Context, table int64, id int64) (*gqlbase.Row, error) {
	t, err := r.TableFor(ctx, table, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if err := gqlbase.PrincipalFrom(ctx).RequireRows(t, gqlbase.OpCreate); err != nil {
		return nil, err
	}
	return r.Store.RestoreRow(ctx, t, id, actor(ctx))
}

// GetRow is the use case behind the row query; REST dialects call it too.
func (r *Resolver) GetRow(ctx context.Context, table int64, id int64) (*gqlbase.Row, error) {
	t, err := r.TableFor(ctx, table, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	row, err := r.loaders(ctx).Row(ctx, t, id)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return nil, gqlbase.NotFound("row %d not found in table %q", id, t.Name)
	}
	return row, nil
}

// Rows is the use case behind the rows query; REST dialects call it too.
func (r *Resolver) Rows(ctx context.Context, table int64, where *gqlbase.Filter, orderBy []*gqlbase.Sort, first *int, after *string, last *int, before *string, offset *int, search *string, columns []string) (*gqlbase.RowConnection, error) {
	t, err := r.TableFor(ctx, table, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	conn, err := r.ListRows(ctx, t, gqlbase.ListParams{Where: where, OrderBy: orderBy, First: first, After: after, Last: last,
		Before: before, Offset: offset, Search: search, Columns: columns})
	if err != nil {
		return nil, err
	}
	if l, ok := dataloaders.From(ctx); ok {
		l.Group(conn.Nodes) // the links of the page load together
	}
	return conn, nil
}

// AggregateRows is the use case behind the aggregateRows query; REST dialects call it too.
func (r *Resolver) AggregateRows(ctx context.Context, table int64, where *gqlbase.Filter, search *string, groupBy []string, aggregates []*gqlbase.AggregateInput) ([]*gqlbase.AggregateGroup, error) {
	t, err := r.TableFor(ctx, table, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	q, err := r.rowQuery(t, where, search)
	if err != nil {
		return nil, err
	}
	aggs := make([]gqlbase.Aggregate, len(aggregates))
	for i, a := range aggregates {
		ag := gqlbase.Aggregate{Fn: gqlbase.AggregateFn(a.Fn)}
		if a.Column != nil {
			ag.Column = *a.Column
		} else if a.Fn != gqlbase.AggregateFnCount {
			return nil, gqlbase.BadInput("%s needs a column", a.Fn).WithField("aggregates")
		}
		ag.Alias = aggregateAlias(ag.Fn, ag.Column)
		if a.Alias != nil {
			ag.Alias = *a.Alias
		}
		aggs[i] = ag
	}
	return r.Store.Aggregate(ctx, t, q, groupBy, aggs)
}

// RowHistory is the use case behind the rowHistory query; REST dialects call it too.
func (r *Resolver) RowHistory(ctx context.Context, table int64, id int64, first *int, offset *int) ([]*gqlbase.HistoryEntry, error) {
	t, err := r.TableFor(ctx, table, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	limit, off, err := limitOffset(first, offset)
	if err != nil {
		return nil, err
	}
	return r.Store.RowHistory(ctx, t.ID, id, limit, off)
}

// TrashedRows is the use case behind the trashedRows query; REST dialects call it too.
func (r *Resolver) TrashedRows(ctx context.Context, table int64, first *int, offset *int) ([]*gqlbase.TrashedRow, error) {
	t, err := r.TableFor(ctx, table, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	limit, off, err := limitOffset(first, offset)
	if err != nil {
		return nil, err
	}
	return r.Store.TrashedRows(ctx, t.ID, limit, off)
}

// RowCount counts a table's rows.
func (r *Resolver) RowCount(ctx context.Context, t *gqlbase.Table) (int64, error) {
	if _, err := r.TableFor(ctx, t.ID, gqlbase.ScopeRead); err != nil {
		return 0, err
	}
	counts, err := r.Store.CountRows(ctx, []*gqlbase.Table{t})
	if err != nil {
		return 0, err
	}
	return counts[t.ID], nil
}
