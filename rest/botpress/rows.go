package botpress

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// Row limits.
const (
	defaultFindLimit = 100
	maxFindLimit     = 1000
)

// rowOut documents a row; rows are encoded by appendRow.
type rowOut struct {
	ID        int64          `json:"id"`
	CreatedAt string         `json:"createdAt"`
	UpdatedAt string         `json:"updatedAt"`
	Computed  map[string]any `json:"computed"`
	Stale     []string       `json:"stale"`
	Columns   map[string]any `json:"<column>,omitempty" doc:"each column's value, keyed by column name"`
}

// bindRows adds the routes of a table's rows. Writes take bulk bodies (1,000 rows).
func (a *api) bindRows(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "GET", Path: "/{table}/row", Summary: "Get table row", Op: restkit.Handle(a.getRow),
			Description: "Returns one row of the table by its id: id, createdAt, updatedAt, computed ({}), stale ([]) and the columns' values."},
		restkit.Route{Method: "POST", Path: "/{table}/rows/find", Summary: "Find table rows", Op: restkit.Handle(a.findRows),
			Description: "Reads a page of the table's rows: a Mongo-like filter ($eq $ne $gt $gte $lt $lte $in $nin $exists $regex $and $or $not $nor), " +
				"a search over the text columns, orderBy/orderDirection, select, limit (default 100, at most 1,000) and offset. " +
				"With group, the rows are groups: <col>Key for key columns and <col><Op> for avg, max, min, sum and count."},
		restkit.Route{Method: "POST", Path: "/{table}/rows", Summary: "Create table rows", Op: restkit.Handle(a.createRows),
			MaxBody: restkit.MaxBulkBody,
			Description: "Inserts 1 to 1,000 rows (body up to 32 MiB) all or nothing: a bad row fails the request with InvalidPayload. " +
				"Keys that name no column are ignored and reported in warnings."},
		restkit.Route{Method: "PUT", Path: "/{table}/rows", Summary: "Update table rows", Op: restkit.Handle(a.updateRows),
			MaxBody: restkit.MaxBulkBody,
			Description: "Updates 1 to 1,000 rows by their id (body up to 32 MiB), all or nothing: only the columns given change. " +
				"Returns the rows as they are now."},
		restkit.Route{Method: "POST", Path: "/{table}/rows/upsert", Summary: "Upsert table rows", Op: restkit.Handle(a.upsertRows),
			MaxBody: restkit.MaxBulkBody,
			Description: "Inserts or updates 1 to 1,000 rows (body up to 32 MiB), matched by keyColumn (default id), all or nothing; " +
				"returns the inserted and the updated rows apart."},
		restkit.Route{Method: "POST", Path: "/{table}/rows/delete", Summary: "Delete table rows", Op: restkit.Handle(a.deleteRows),
			MaxBody: restkit.MaxBulkBody,
			Description: "Deletes rows given by ids, by a filter (same form as find), or all of them with deleteAllRows: true; " +
				"returns how many were deleted."},
	)
}

type getRowIn struct {
	tableRef
	ID int64 `json:"-" query:"id" required:"true" doc:"the row id"`
}

type rowEnvelope struct {
	Row rowOut `json:"row"`
}

type findIn struct {
	tableRef
	Limit          *int           `json:"limit,omitempty" doc:"rows per page (default 100, at most 1,000)"`
	Offset         *int           `json:"offset,omitempty" doc:"rows to skip"`
	Filter         map[string]any `json:"filter,omitempty" doc:"Mongo-like: {\"name\": {\"$eq\": \"John\"}}"`
	Group          map[string]any `json:"group,omitempty" doc:"{\"col\": \"key\", \"other\": [\"sum\", \"avg\"]}"`
	Search         *string        `json:"search,omitempty" doc:"text looked for in the table's text columns (full text, or a case-insensitive substring)"`
	Select         []string       `json:"select,omitempty" doc:"the columns to return (default: all)"`
	OrderBy        *string        `json:"orderBy,omitempty" doc:"a column name (default id)"`
	OrderDirection *string        `json:"orderDirection,omitempty" doc:"asc or desc"`
}

type findOut struct {
	Rows     []rowOut `json:"rows" doc:"the page's rows (or groups, with group)"`
	HasMore  bool     `json:"hasMore" doc:"more rows follow this page"`
	Offset   int      `json:"offset"`
	Limit    int      `json:"limit"`
	Warnings []string `json:"warnings,omitempty" doc:"what of the request was ignored"`
}

type rowsIn struct {
	tableRef
	Rows         []map[string]any `json:"rows" required:"true" doc:"1 to 1,000 rows"`
	WaitComputed *bool            `json:"waitComputed,omitempty" doc:"accepted and ignored"`
}

type rowsOut struct {
	Rows     []rowOut `json:"rows" doc:"the rows as stored"`
	Warnings []string `json:"warnings" doc:"keys that name no column, ignored"`
	Errors   []string `json:"errors" doc:"always empty: a bad row fails the whole request"`
}

type upsertIn struct {
	tableRef
	Rows      []map[string]any `json:"rows" required:"true" doc:"1 to 1,000 rows"`
	KeyColumn *string          `json:"keyColumn,omitempty" doc:"the column that matches rows (default id)"`
}

type upsertOut struct {
	Inserted []rowOut `json:"inserted" doc:"rows that were new"`
	Updated  []rowOut `json:"updated" doc:"rows that matched and were changed"`
	Warnings []string `json:"warnings"`
	Errors   []string `json:"errors"`
}

type deleteIn struct {
	tableRef
	IDs           []int64        `json:"ids,omitempty" doc:"the ids of the rows to delete"`
	Filter        map[string]any `json:"filter,omitempty" doc:"the rows to delete, in find's filter form"`
	DeleteAllRows *bool          `json:"deleteAllRows,omitempty" doc:"delete every row of the table"`
}

type deleteOut struct {
	DeletedRows int `json:"deletedRows" doc:"how many rows were deleted"`
}

// appendRow encodes a row as Botpress shows it: id, timestamps, computed and stale, then the
// columns (spliced from the JSON object Postgres built, without decoding it).
func appendRow(b []byte, row *gqlbase.Row) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, row.ID, 10)
	b = append(b, `,"createdAt":"`...)
	b = row.CreatedAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","updatedAt":"`...)
	b = row.UpdatedAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","computed":{},"stale":[]`...)
	data := bytes.TrimSpace(row.Data)
	if len(data) > 2 && data[0] == '{' {
		b = append(b, ',')
		b = append(b, data[1:]...)
		return b
	}
	return append(b, '}')
}

func appendRows(b []byte, rows []*gqlbase.Row) []byte {
	b = append(b, '[')
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRow(b, row)
	}
	return append(b, ']')
}

func appendStrings(b []byte, list []string) []byte {
	if list == nil {
		list = []string{}
	}
	enc, _ := json.Marshal(list)
	return append(b, enc...)
}

func (a *api) getRow(ctx context.Context, r *restkit.Request, in getRowIn) (restkit.Raw[rowEnvelope], error) {
	t, err := a.table(ctx, in.Table, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	id := in.ID
	if id <= 0 {
		return nil, gqlbase.BadInput("query parameter id must be a row id").WithField("id")
	}
	row, err := a.res.GetRow(r.Context(), t.ID, id)
	if err != nil {
		return nil, err
	}
	b := append([]byte(`{"row":`), appendRow(nil, row)...)
	return append(b, "}\n"...), nil
}

func (a *api) findRows(ctx context.Context, r *restkit.Request, in findIn) (restkit.Raw[findOut], error) {
	t, err := a.table(ctx, in.Table, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	page, err := restkit.CheckPage(in.Limit, in.Offset, restkit.PageLimits{Default: defaultFindLimit, Max: maxFindLimit})
	if err != nil {
		return nil, err
	}
	var where *gqlbase.Filter
	if len(in.Filter) > 0 {
		if where, err = translateFilter(in.Filter); err != nil {
			return nil, err
		}
	}
	if len(in.Group) > 0 {
		return a.findGroups(r, t, in, where, page)
	}
	p := gqlbase.ListParams{Where: where, First: &page.Limit, Offset: &page.Offset, Search: in.Search}
	dir := gqlbase.SortAsc
	if in.OrderDirection != nil {
		switch strings.ToLower(*in.OrderDirection) {
		case "asc":
		case "desc":
			dir = gqlbase.SortDesc
		default:
			return nil, gqlbase.BadInput("orderDirection must be asc or desc").WithField("orderDirection")
		}
	}
	orderBy := "id"
	if in.OrderBy != nil && *in.OrderBy != "" {
		orderBy = *in.OrderBy
	}
	if col := columnName(orderBy); col != gqlbase.ColID || dir == gqlbase.SortDesc {
		p.OrderBy = []*gqlbase.Sort{{Column: col, Direction: dir}}
	}
	var warnings []string
	if in.Select != nil {
		p.Columns = []string{}
		seen := map[string]bool{}
		for _, s := range in.Select {
			name, _, _ := strings.Cut(s, ".")
			if reservedColumns[name] || seen[name] {
				continue
			}
			if t.UserColumn(name) == nil {
				warnings = append(warnings, fmt.Sprintf("select: table %q has no column %q", t.Name, name))
				continue
			}
			seen[name] = true
			p.Columns = append(p.Columns, name)
		}
	}
	conn, err := a.res.ListRows(r.Context(), t, p)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 256+len(conn.Nodes)*256)
	b = append(b, `{"rows":`...)
	b = appendRows(b, conn.Nodes)
	b = append(b, `,"hasMore":`...)
	b = strconv.AppendBool(b, conn.PageInfo.HasNextPage)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, int64(page.Offset), 10)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(page.Limit), 10)
	if len(warnings) > 0 {
		b = append(b, `,"warnings":`...)
		b = appendStrings(b, warnings)
	}
	return append(b, "}\n"...), nil
}

var groupOps = map[string]gqlbase.AggregateFn{
	"avg": gqlbase.AggregateFnAvg, "max": gqlbase.AggregateFnMax, "min": gqlbase.AggregateFnMin,
	"sum": gqlbase.AggregateFnSum, "count": gqlbase.AggregateFnCount,
}

// camel turns a column name into camelCase for group result keys (order_total → orderTotal).
func camel(name string) string {
	if !strings.Contains(name, "_") {
		return name
	}
	var b strings.Builder
	up := false
	for i, r := range name {
		if r == '_' && i > 0 {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// findGroups answers a find with group: one row per group with <col>Key and <col><Op> fields.
func (a *api) findGroups(r *restkit.Request, t *gqlbase.Table, in findIn, where *gqlbase.Filter, page restkit.Page) (restkit.Raw[findOut], error) {
	var groupBy []string
	var aggs []*gqlbase.AggregateInput
	keyNames := map[string]string{}
	for _, field := range sortedKeys(in.Group) {
		col := columnName(field)
		var ops []string
		switch v := in.Group[field].(type) {
		case string:
			ops = []string{v}
		case []any:
			for _, x := range v {
				s, ok := x.(string)
				if !ok {
					return nil, gqlbase.BadInput("group.%s: operations are strings (key, avg, max, min, sum, count)", field).WithField("group")
				}
				ops = append(ops, s)
			}
		default:
			return nil, gqlbase.BadInput("group.%s: give an operation or a list of operations", field).WithField("group")
		}
		for _, op := range ops {
			op = strings.ToLower(op)
			if op == "key" {
				groupBy = append(groupBy, col)
				keyNames[col] = camel(field) + "Key"
				continue
			}
			fn, ok := groupOps[op]
			if !ok {
				return nil, gqlbase.BadInput("group.%s: unknown operation %q (key, avg, max, min, sum, count)", field, op).WithField("group")
			}
			c, alias := col, camel(field)+strings.ToUpper(op[:1])+op[1:]
			aggs = append(aggs, &gqlbase.AggregateInput{Fn: fn, Column: &c, Alias: &alias})
		}
	}
	if len(aggs) == 0 {
		count := "count"
		aggs = append(aggs, &gqlbase.AggregateInput{Fn: gqlbase.AggregateFnCount, Alias: &count})
	}
	groups, err := a.res.AggregateRows(r.Context(), t.ID, where, in.Search, groupBy, aggs)
	if err != nil {
		return nil, err
	}
	total := len(groups)
	start := min(page.Offset, total)
	end := min(start+page.Limit, total)
	rows := make([]map[string]json.RawMessage, 0, end-start)
	for _, g := range groups[start:end] {
		row := map[string]json.RawMessage{}
		var key, vals map[string]json.RawMessage
		if err := json.Unmarshal(g.Key, &key); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(g.Values, &vals); err != nil {
			return nil, err
		}
		for col, v := range key {
			row[keyNames[col]] = v
		}
		for k, v := range vals {
			row[k] = v
		}
		rows = append(rows, row)
	}
	return restkit.EncodeJSON(map[string]any{"rows": rows, "hasMore": end < total, "offset": page.Offset, "limit": page.Limit})
}

// cleanRow keeps the keys that name columns of t; the row's own fields (id, createdAt, ...) are
// dropped silently (id is returned apart) and other keys with a warning.
func cleanRow(t *gqlbase.Table, row map[string]any, warn map[string]bool) (map[string]any, any) {
	out := make(map[string]any, len(row))
	var id any
	for k, v := range row {
		switch {
		case k == "id":
			id = v
		case reservedColumns[k]:
		case t.UserColumn(k) != nil:
			out[k] = v
		default:
			warn[k] = true
		}
	}
	return out, id
}

func warnings(t *gqlbase.Table, warn map[string]bool) []string {
	out := []string{}
	for k := range warn {
		out = append(out, fmt.Sprintf("table %q has no column %q: the value was ignored", t.Name, k))
	}
	sort.Strings(out)
	return out
}

func checkBatch(n int) error {
	if n == 0 || n > gqlbase.MaxBatchRows {
		return gqlbase.BadInput("give 1 to %d rows (got %d)", gqlbase.MaxBatchRows, n).WithField("rows")
	}
	return nil
}

func rowsBody(rows []*gqlbase.Row, warn []string) restkit.Raw[rowsOut] {
	b := make([]byte, 0, 64+len(rows)*256)
	b = append(b, `{"rows":`...)
	b = appendRows(b, rows)
	b = append(b, `,"warnings":`...)
	b = appendStrings(b, warn)
	b = append(b, `,"errors":[]}`...)
	return append(b, '\n')
}

func (a *api) createRows(ctx context.Context, r *restkit.Request, in rowsIn) (restkit.Raw[rowsOut], error) {
	t, err := a.table(ctx, in.Table, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(len(in.Rows)); err != nil {
		return nil, err
	}
	warn := map[string]bool{}
	rows := make([]map[string]any, len(in.Rows))
	for i, row := range in.Rows {
		rows[i], _ = cleanRow(t, row, warn)
	}
	out, err := a.res.InsertRows(r.Context(), t, rows)
	if err != nil {
		return nil, err
	}
	return rowsBody(out, warnings(t, warn)), nil
}

func rowID(v any, i int) (int64, error) {
	switch x := v.(type) {
	case json.Number:
		if id, err := x.Int64(); err == nil && id > 0 {
			return id, nil
		}
	case string:
		if id, err := strconv.ParseInt(x, 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, gqlbase.BadInput("rows[%d]: id must be a row id", i).WithField("id")
}

func (a *api) updateRows(ctx context.Context, r *restkit.Request, in rowsIn) (restkit.Raw[rowsOut], error) {
	t, err := a.table(ctx, in.Table, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(len(in.Rows)); err != nil {
		return nil, err
	}
	warn := map[string]bool{}
	patches := make([]gqlbase.RowPatch, len(in.Rows))
	for i, row := range in.Rows {
		values, idv := cleanRow(t, row, warn)
		id, err := rowID(idv, i)
		if err != nil {
			return nil, err
		}
		patches[i] = gqlbase.RowPatch{ID: id, Values: values}
	}
	out, err := a.res.UpdateRowsByID(r.Context(), t, patches)
	if err != nil {
		return nil, err
	}
	return rowsBody(out, warnings(t, warn)), nil
}

func (a *api) upsertRows(ctx context.Context, r *restkit.Request, in upsertIn) (restkit.Raw[upsertOut], error) {
	t, err := a.table(ctx, in.Table, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(len(in.Rows)); err != nil {
		return nil, err
	}
	key := "id"
	if in.KeyColumn != nil && *in.KeyColumn != "" {
		key = *in.KeyColumn
	}
	warn := map[string]bool{}
	rows := make([]any, len(in.Rows))
	for i, row := range in.Rows {
		values, id := cleanRow(t, row, warn)
		if key == "id" && id != nil {
			n, err := rowID(id, i)
			if err != nil {
				return nil, err
			}
			values["id"] = n
		}
		rows[i] = values
	}
	res, err := a.res.UpsertRows(r.Context(), t.ID, rows, key)
	if err != nil {
		return nil, err
	}
	b := []byte(`{"inserted":`)
	b = appendRows(b, res.Inserted)
	b = append(b, `,"updated":`...)
	b = appendRows(b, res.Updated)
	b = append(b, `,"warnings":`...)
	b = appendStrings(b, warnings(t, warn))
	// Botpress reports the rows it could not write as errors and writes the rest.
	errs := make([]string, len(res.Skipped))
	for i, sk := range res.Skipped {
		errs[i] = sk.Message
	}
	b = append(b, `,"errors":`...)
	b = appendStrings(b, errs)
	b = append(b, '}')
	return append(b, '\n'), nil
}

func (a *api) deleteRows(ctx context.Context, r *restkit.Request, in deleteIn) (deleteOut, error) {
	t, err := a.table(ctx, in.Table, gqlbase.ScopeWrite)
	if err != nil {
		return deleteOut{}, err
	}
	all := in.DeleteAllRows != nil && *in.DeleteAllRows
	ways := 0
	for _, set := range []bool{in.IDs != nil, in.Filter != nil, all} {
		if set {
			ways++
		}
	}
	if ways != 1 {
		return deleteOut{}, gqlbase.BadInput("give exactly one of ids, filter and deleteAllRows").WithField("ids")
	}
	var where *gqlbase.Filter
	switch {
	case in.Filter != nil:
		if where, err = translateFilter(in.Filter); err != nil {
			return deleteOut{}, err
		}
	case all:
		where = &gqlbase.Filter{And: []*gqlbase.Filter{}}
	case len(in.IDs) == 0:
		return deleteOut{}, nil
	}
	res, err := a.res.DeleteRows(r.Context(), t.ID, in.IDs, where)
	if err != nil {
		return deleteOut{}, err
	}
	return deleteOut{DeletedRows: res.Count}, nil
}

func decodeString(b []byte, s *string) error { return json.Unmarshal(b, s) }
