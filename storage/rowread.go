package storage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// RowQuery describes a list of rows. Filter and sorts must be validated against the table.
type RowQuery struct {
	Filter *gqlbase.BoundFilter
	Sorts  []gqlbase.Sort
	Search string
	// Columns limits the user columns returned (nil: all).
	Columns []string
	Limit   int
	Offset  int
	// After and Before are keyset cursors from a previous page.
	After  *Cursor
	Before *Cursor
	// Backward returns the last Limit rows before Before (or of the whole list), still in
	// list order.
	Backward bool
}

// Cursor is a position in an ordered list: the sort key values and id of a row.
type Cursor struct {
	Keys []json.RawMessage `json:"k"`
	ID   int64             `json:"i"`
}

// EncodeCursor makes a cursor opaque.
func EncodeCursor(c Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// rawCursor is EncodeCursor for sort keys as Postgres built them (a JSON array), without
// decoding and encoding them again.
func rawCursor(keys []byte, id int64) string {
	b := make([]byte, 0, len(keys)+32)
	b = append(b, `{"k":`...)
	b = append(b, keys...)
	b = append(b, `,"i":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, '}')
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor made by EncodeCursor for a list with n sort keys.
func DecodeCursor(s string, n int) (*Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c Cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID <= 0 || len(c.Keys) != n {
		return nil, gqlbase.BadInput("invalid cursor: pass a cursor from a page of this same list (same orderBy)").WithField("after")
	}
	return &c, nil
}

// Page is a list of rows with their cursors.
type Page struct {
	Rows    []*gqlbase.Row
	Cursors []string
	// HasMore tells whether rows exist beyond the page in the direction of travel.
	HasMore bool
}

// sortKey is one ORDER BY key with its placement of nulls resolved.
type sortKey struct {
	expr       string
	typ        string // SQL type the cursor value is cast to
	desc       bool
	nullsFirst bool
}

func sortKeys(t *gqlbase.Table, sorts []gqlbase.Sort, alias string) ([]sortKey, error) {
	keys := make([]sortKey, 0, len(sorts))
	for _, s := range sorts {
		c := t.Column(s.Column)
		if c == nil {
			return nil, gqlbase.BadInput("cannot order by %q: table %q has no such column", s.Column, t.Name).WithField("orderBy")
		}
		k := sortKey{expr: alias + "." + plan.QuoteIdent(c.Name), typ: c.Type.PGType(), desc: s.Direction == gqlbase.SortDesc}
		if c.Type.IsArray() || c.Type == gqlbase.TypeJSON {
			// Lists and JSON order by their text form, which cursors can carry exactly.
			k.expr, k.typ = "("+k.expr+")::text", "text"
		}
		// Text sorts under plan.TextOrder (or "C" when asked): the ORDER BY, the keyset
		// comparisons and the cursor's values all use this one expression.
		k.expr = plan.SortExpr(k.expr, c.Type, s.Bytes)
		switch s.Nulls {
		case gqlbase.NullsFirst:
			k.nullsFirst = true
		case gqlbase.NullsLast:
			k.nullsFirst = false
		default:
			k.nullsFirst = k.desc // Postgres' default
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func (k sortKey) orderBy(reverse bool) string {
	if reverse {
		return plan.OrderTerm(k.expr, !k.desc, !k.nullsFirst)
	}
	return plan.OrderTerm(k.expr, k.desc, k.nullsFirst)
}

// keysetCondition is the SQL for "strictly after the cursor" in the order of keys (reverse:
// strictly before), with id as the final tiebreaker.
func keysetCondition(keys []sortKey, c *Cursor, alias string, reverse bool, a *plan.Args) string {
	var ors []string
	var eqs []string
	for i, k := range keys {
		desc, nullsFirst := k.desc, k.nullsFirst
		if reverse {
			desc, nullsFirst = !desc, !nullsFirst
		}
		isNull := string(c.Keys[i]) == "null"
		var after string
		if isNull {
			if nullsFirst {
				after = k.expr + " IS NOT NULL"
			}
		} else {
			op := ">"
			if desc {
				op = "<"
			}
			after = fmt.Sprintf("%s %s %s", k.expr, op, cursorParam(k, c.Keys[i], a))
			if !nullsFirst {
				after = "(" + after + " OR " + k.expr + " IS NULL)"
			}
		}
		if after != "" {
			ors = append(ors, "("+strings.Join(append(append([]string{}, eqs...), after), " AND ")+")")
		}
		if isNull {
			eqs = append(eqs, k.expr+" IS NULL")
		} else {
			eqs = append(eqs, fmt.Sprintf("%s = %s", k.expr, cursorParam(k, c.Keys[i], a)))
		}
	}
	idOp := ">"
	if reverse {
		idOp = "<"
	}
	ors = append(ors, "("+strings.Join(append(eqs, fmt.Sprintf("%s.id %s %s", alias, idOp, a.Add(c.ID))), " AND ")+")")
	return "(" + strings.Join(ors, " OR ") + ")"
}

// cursorParam passes a cursor key value (JSON from json_build_array) as a typed parameter.
func cursorParam(k sortKey, raw json.RawMessage, a *plan.Args) string {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		s = string(raw) // numbers and booleans: their JSON text is their SQL text
	}
	return a.Add(s) + "::" + k.typ
}

// searchCondition matches rows whose text columns contain the term (full text, or as a
// substring, case-insensitively).
func searchCondition(t *gqlbase.Table, alias, term string, a *plan.Args) string {
	var cols []string
	for _, c := range t.Columns {
		if c.Type.IsText() {
			cols = append(cols, alias+"."+plan.QuoteIdent(c.Name))
		}
	}
	if len(cols) == 0 {
		return "false"
	}
	doc := "concat_ws(' ', " + strings.Join(cols, ", ") + ")"
	return fmt.Sprintf("(to_tsvector('simple', %s) @@ websearch_to_tsquery('simple', %s) OR %s ILIKE %s)",
		doc, a.Add(term), doc, a.Add("%"+escapeLike(term)+"%"))
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// whereClause combines the filter and search of a query.
func whereClause(t *gqlbase.Table, q *RowQuery, alias string, a *plan.Args) string {
	conds := []string{}
	if q.Filter != nil {
		conds = append(conds, plan.Filter(q.Filter, alias, a))
	}
	if q.Search != "" {
		conds = append(conds, searchCondition(t, alias, q.Search, a))
	}
	if len(conds) == 0 {
		return "true"
	}
	return strings.Join(conds, " AND ")
}

// ListRowsSQL builds the statement of a list query (exposed for benchmarks that run the same
// SQL directly).
func ListRowsSQL(t *gqlbase.Table, q RowQuery) (string, []any, error) {
	keys, err := sortKeys(t, q.Sorts, "r")
	if err != nil {
		return "", nil, err
	}
	for _, name := range q.Columns {
		if t.UserColumn(name) == nil {
			return "", nil, gqlbase.BadInput("table %q has no column %q", t.Name, name).WithField("columns")
		}
	}
	a := &plan.Args{}
	conds := []string{whereClause(t, &q, "r", a)}
	reverse := q.Backward
	if q.After != nil {
		conds = append(conds, keysetCondition(keys, q.After, "r", false, a))
	}
	if q.Before != nil {
		conds = append(conds, keysetCondition(keys, q.Before, "r", true, a))
	}
	order := make([]string, 0, len(keys)+1)
	keyExprs := make([]string, 0, len(keys))
	for _, k := range keys {
		order = append(order, k.orderBy(reverse))
		keyExprs = append(keyExprs, k.expr)
	}
	idDir := "ASC"
	if reverse {
		idDir = "DESC"
	}
	order = append(order, "r.id "+idDir)
	sortKeysSQL := "'[]'::json"
	if len(keyExprs) > 0 {
		sortKeysSQL = "json_build_array(" + strings.Join(keyExprs, ", ") + ")"
	}
	// The page is chosen first and only its rows are turned into JSON: Postgres evaluates the
	// select list before a sort, so building data and sort keys in the same query level would
	// cost that work for every matching row, not just the page's.
	orderSQL := strings.Join(order, ", ")
	query := fmt.Sprintf("SELECT %s, %s AS sort_keys FROM (SELECT r.* FROM %s r WHERE %s ORDER BY %s LIMIT %s OFFSET %s) r ORDER BY %s",
		rowColumns(t, "r", q.Columns), sortKeysSQL, plan.Qualified(t.Schema, t.Name), strings.Join(conds, " AND "),
		orderSQL, a.Add(q.Limit+1), a.Add(q.Offset), orderSQL)
	return query, a.List, nil
}

// ListRows returns a page of rows; it fetches one row more than asked to tell whether there
// are more.
func (s *Store) ListRows(ctx context.Context, t *gqlbase.Table, q RowQuery) (*Page, error) {
	ctx, err := s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	query, params, err := ListRowsSQL(t, q)
	if err != nil {
		return nil, err
	}
	rows, err := s.queryPrepared(ctx, query, params...)
	if err != nil {
		return nil, fmt.Errorf("list rows: %w", err)
	}
	defer rows.Close()
	recs := make([]rowRecord, 0, q.Limit+1)
	for rows.Next() {
		var r rowRecord
		if err := rows.Scan(&r.ID, &r.Version, &r.CreatedAt, &r.UpdatedAt, &r.CreatedBy, &r.Data, &r.SortKeys); err != nil {
			return nil, fmt.Errorf("list rows: %w", err)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list rows: %w", err)
	}
	page := &Page{}
	if len(recs) > q.Limit {
		page.HasMore = true
		recs = recs[:q.Limit]
	}
	if q.Backward {
		for i, j := 0, len(recs)-1; i < j; i, j = i+1, j-1 {
			recs[i], recs[j] = recs[j], recs[i]
		}
	}
	page.Rows = make([]*gqlbase.Row, len(recs))
	page.Cursors = make([]string, len(recs))
	for i := range recs {
		page.Rows[i] = recs[i].row(t.ID)
		page.Cursors[i] = rawCursor(recs[i].SortKeys, recs[i].ID)
	}
	return page, nil
}

// CountRowsWhere counts the rows matching a query's filter and search.
func (s *Store) CountRowsWhere(ctx context.Context, t *gqlbase.Table, q RowQuery) (int64, error) {
	ctx, err := s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return 0, err
	}
	a := &plan.Args{}
	where := whereClause(t, &q, "r", a)
	var n int64
	err = s.db.GetContext(ctx, &n, fmt.Sprintf("SELECT count(*) FROM %s r WHERE %s", plan.Qualified(t.Schema, t.Name), where), a.List...)
	if err != nil {
		return 0, fmt.Errorf("count rows: %w", err)
	}
	return n, nil
}

// GetRows returns rows by id (missing ids are absent). It is the batch function behind the
// row loader.
func (s *Store) GetRows(ctx context.Context, t *gqlbase.Table, ids []int64) (map[int64]*gqlbase.Row, error) {
	ctx, err := s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	var recs []rowRecord
	q := fmt.Sprintf("SELECT %s FROM %s r WHERE r.id = ANY($1)", rowColumns(t, "r", nil), plan.Qualified(t.Schema, t.Name))
	if err := s.db.SelectContext(ctx, &recs, q, int64Array(ids)); err != nil {
		return nil, fmt.Errorf("get rows: %w", err)
	}
	out := make(map[int64]*gqlbase.Row, len(recs))
	for i := range recs {
		out[recs[i].ID] = recs[i].row(t.ID)
	}
	return out, nil
}
