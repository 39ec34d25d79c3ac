package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// Every row write is one statement, so a batch costs one round trip and commits (or fails)
// whole. Its history snapshots, outbox events and NOTIFY are written by the table's statement
// triggers (writerules.go), as for every other writer; the statement tells them its actor.

// InsertRows inserts prepared rows (every user column present, values canonical, see
// gqlbase.PrepareInsert) and returns them in input order.
func (s *Store) InsertRows(ctx context.Context, t *gqlbase.Table, rows []map[string]any, actor string) ([]*gqlbase.Row, error) {
	ctx, err := s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	var out []*gqlbase.Row
	err = s.inTxRetry(ctx, func(tx *Tx) error {
		var err error
		out, err = insertRowsTx(ctx, tx, t, rows, actor)
		return err
	})
	if err != nil {
		batch := make([]batchRow, len(rows))
		for i, r := range rows {
			batch[i] = batchRow{index: i, values: r}
		}
		return nil, s.locateViolation(ctx, t, batch, err)
	}
	s.rowsChanged(t.ID, rowIDs(out)...)
	return out, nil
}

func insertRowsTx(ctx context.Context, tx *Tx, t *gqlbase.Table, rows []map[string]any, actor string) ([]*gqlbase.Row, error) {
	if len(rows) == 0 {
		return []*gqlbase.Row{}, nil
	}
	payload, err := encodeRows(rows)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	var src string
	if len(names) == 0 {
		src = fmt.Sprintf(`INSERT INTO %s (created_by) SELECT $1 FROM jsonb_array_elements($2::jsonb)`, plan.Qualified(t.Schema, t.Name))
	} else {
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = plan.QuoteIdent(n)
		}
		src = fmt.Sprintf(`INSERT INTO %s (%s, created_by) SELECT %s, $1 FROM jsonb_to_recordset($2::jsonb) AS x(%s)`,
			plan.Qualified(t.Schema, t.Name), strings.Join(quoted, ", "), "x."+strings.Join(quoted, ", x."), recordsetColumns(t, names))
	}
	q := fmt.Sprintf(`WITH changed AS (%s RETURNING *)
	SELECT %s FROM changed r WHERE %s ORDER BY r.id`, src, rowColumns(t, "r", nil), actorFilter("$1", ""))
	return scanRows(ctx, tx, t, q, actor, payload)
}

func scanRows(ctx context.Context, q queryer, t *gqlbase.Table, query string, args ...any) ([]*gqlbase.Row, error) {
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, rowWriteError(err, t)
	}
	defer rows.Close()
	out := []*gqlbase.Row{}
	for rows.Next() {
		var rec rowRecord
		if err := rows.Scan(&rec.ID, &rec.Version, &rec.CreatedAt, &rec.UpdatedAt, &rec.CreatedBy, &rec.Data); err != nil {
			return nil, fmt.Errorf("scan row: %w", err)
		}
		out = append(out, rec.row(t.ID))
	}
	if err := rows.Err(); err != nil {
		return nil, rowWriteError(err, t)
	}
	return out, nil
}

// rowWriteError turns constraint violations into caller-facing errors naming the column. The
// Postgres error stays the cause (for logs, and for locateViolation).
func rowWriteError(err error, t *gqlbase.Table) error {
	col := constraintColumn(err, t)
	var e *gqlbase.Error
	switch pgCode(err) {
	case sqlstateUniqueViolation:
		if col != "" {
			e = gqlbase.Conflict("column %q: the value is already used by another row (the column is unique)", col).WithField(col)
		} else {
			e = gqlbase.Conflict("a unique value is already used by another row")
		}
	case sqlstateForeignKeyViolation:
		if col != "" {
			e = gqlbase.BadInput("column %q: the linked row does not exist", col).WithField(col)
		} else {
			e = gqlbase.BadInput("a linked row does not exist")
		}
	case sqlstateNotNullViolation:
		if col != "" {
			e = gqlbase.BadInput("column %q is required", col).WithField(col)
		} else {
			e = gqlbase.BadInput("a required column has no value")
		}
	case sqlstateCheckViolation:
		if col != "" {
			e = gqlbase.BadInput("column %q: the value is out of range", col).WithField(col)
		} else {
			e = gqlbase.BadInput("a value is out of range")
		}
	default:
		return fmt.Errorf("write rows: %w", err)
	}
	e.Err = err
	return e
}

// batchRow is one row of a write batch, for locateViolation: its index in the caller's input,
// the id it updates (0 for an insert) and its canonical values.
type batchRow struct {
	index  int
	id     int64
	values map[string]any
}

// locateViolation names the row of a batch that broke a unique or LINK constraint: Postgres
// reports the column but not which input row, so after the failed transaction the batch's
// values of that column are checked (with the column type's own equality) against the table
// and against each other. err is returned with "row N: " added when the row is found (and the
// batch has more than one row), unchanged otherwise.
func (s *Store) locateViolation(ctx context.Context, t *gqlbase.Table, rows []batchRow, err error) error {
	e, ok := gqlbase.AsError(err)
	code := pgCode(err)
	if !ok || e.Field == "" || len(rows) < 2 || (code != sqlstateUniqueViolation && code != sqlstateForeignKeyViolation) {
		return err
	}
	c := t.UserColumn(e.Field)
	if c == nil {
		return err
	}
	items := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		v, given := r.values[c.Name]
		if !given || v == nil {
			continue
		}
		item := map[string]any{"i": r.index, "v": encodeValue(v)}
		if r.id != 0 {
			item["id"] = r.id
		}
		items = append(items, item)
	}
	payload, jerr := json.Marshal(items)
	if jerr != nil || len(items) == 0 {
		return err
	}
	col := plan.QuoteIdent(c.Name)
	x := fmt.Sprintf(`jsonb_to_recordset($1::jsonb) AS x(i integer, id bigint, v %s)`, c.Type.PGType())
	var q string
	if code == sqlstateUniqueViolation {
		q = fmt.Sprintf(`WITH x AS (SELECT * FROM %[1]s)
		SELECT x.i FROM x WHERE EXISTS (SELECT 1 FROM %[2]s t WHERE t.%[3]s = x.v AND t.id IS DISTINCT FROM x.id)
			OR EXISTS (SELECT 1 FROM x y WHERE y.v = x.v AND y.i < x.i)
		ORDER BY x.i LIMIT 1`, x, plan.Qualified(t.Schema, t.Name), col)
	} else {
		if c.LinkTableID == nil {
			return err
		}
		target := t
		if *c.LinkTableID != t.ID {
			m, lerr := s.LoadTables(asRole(ctx, ""), []int64{*c.LinkTableID})
			if lerr != nil || m[*c.LinkTableID] == nil {
				return err
			}
			target = m[*c.LinkTableID]
		}
		q = fmt.Sprintf(`SELECT x.i FROM %s WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE t.id = x.v) ORDER BY x.i LIMIT 1`,
			x, plan.Qualified(target.Schema, target.Name))
	}
	var index int
	if qerr := s.db.GetContext(ctx, &index, q, string(payload)); qerr != nil {
		return err // not found (a concurrent change): the message without the row stays right
	}
	return rowIndexError(index, err)
}

// constraintColumn finds the column a constraint violation is about, from the constraint
// name (uq_/fk_/ck_<column id>) or the reported column.
func constraintColumn(err error, t *gqlbase.Table) string {
	pqErr := asPQ(err)
	if pqErr == nil {
		return ""
	}
	if pqErr.Column != "" {
		return pqErr.Column
	}
	for _, c := range t.Columns {
		switch pqErr.Constraint {
		case uniqueName(c), fkName(c), checkName(c):
			return c.Name
		}
	}
	return ""
}

func rowIDs(rows []*gqlbase.Row) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids
}

// UpdateRows applies patches by id. A missing row answers NOT_FOUND and a stale version
// CONFLICT; either way nothing is written. Rows come back in patch order.
func (s *Store) UpdateRows(ctx context.Context, t *gqlbase.Table, patches []gqlbase.RowPatch, actor string) ([]*gqlbase.Row, error) {
	ctx, err := s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	var out []*gqlbase.Row
	err = s.inTxRetry(ctx, func(tx *Tx) error {
		var err error
		out, err = updateRowsTx(ctx, tx, t, patches, actor)
		return err
	})
	if err != nil {
		batch := make([]batchRow, len(patches))
		for i, p := range patches {
			batch[i] = batchRow{index: i, id: p.ID, values: p.Values}
		}
		return nil, s.locateViolation(ctx, t, batch, err)
	}
	s.rowsChanged(t.ID, rowIDs(out)...)
	return out, nil
}

func updateRowsTx(ctx context.Context, tx *Tx, t *gqlbase.Table, patches []gqlbase.RowPatch, actor string) ([]*gqlbase.Row, error) {
	ids := make([]int64, len(patches))
	for i, p := range patches {
		ids[i] = p.ID
	}
	versions, err := lockRows(ctx, tx, t, ids)
	if err != nil {
		return nil, err
	}
	for i, p := range patches {
		v, ok := versions[p.ID]
		if !ok {
			return nil, gqlbase.NotFound("row %d not found in table %q", p.ID, t.Name).WithDetail("row", i)
		}
		if p.ExpectedVersion != nil && *p.ExpectedVersion != v {
			return nil, gqlbase.Conflict("row %d has version %d, not %d: it changed since it was read", p.ID, v, *p.ExpectedVersion).
				WithField("expectedVersion").WithDetail("currentVersion", v)
		}
	}
	// Patches that set the same columns share one statement.
	groups := map[string][]gqlbase.RowPatch{}
	var order []string
	for _, p := range patches {
		key := patchKey(p.Values)
		if _, seen := groups[key]; !seen {
			order = append(order, key)
		}
		groups[key] = append(groups[key], p)
	}
	byID := map[int64]*gqlbase.Row{}
	for _, key := range order {
		rows, err := updateGroup(ctx, tx, t, groups[key], actor)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			byID[r.ID] = r
		}
	}
	out := make([]*gqlbase.Row, 0, len(patches))
	for _, p := range patches {
		out = append(out, byID[p.ID])
	}
	return out, nil
}

func patchKey(values map[string]any) string {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, "\x00")
}

// lockRows locks rows by id and returns their versions. FOR NO KEY UPDATE (ids never change)
// lets rows of other tables keep linking to them meanwhile.
func lockRows(ctx context.Context, tx *Tx, t *gqlbase.Table, ids []int64) (map[int64]int, error) {
	var rows []struct {
		ID      int64 `db:"id"`
		Version int   `db:"version"`
	}
	err := tx.SelectContext(ctx, &rows, fmt.Sprintf(`SELECT id, version FROM %s WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`,
		plan.Qualified(t.Schema, t.Name)), int64Array(ids))
	if err != nil {
		return nil, fmt.Errorf("lock rows: %w", err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Version
	}
	return out, nil
}

// updateGroup updates rows that all set the same columns, each with its own values.
func updateGroup(ctx context.Context, tx *Tx, t *gqlbase.Table, patches []gqlbase.RowPatch, actor string) ([]*gqlbase.Row, error) {
	var names []string
	for k := range patches[0].Values {
		names = append(names, k)
	}
	sort.Strings(names)
	items := make([]map[string]any, len(patches))
	for i, p := range patches {
		m := make(map[string]any, len(p.Values)+1)
		for k, v := range p.Values {
			m[k] = v
		}
		m["__id"] = p.ID
		items[i] = m
	}
	payload, err := encodeRows(items)
	if err != nil {
		return nil, err
	}
	sets := []string{"version = t.version + 1", "updated_at = now()"}
	for _, n := range names {
		sets = append(sets, fmt.Sprintf("%s = x.%s", plan.QuoteIdent(n), plan.QuoteIdent(n)))
	}
	cols := `"__id" bigint`
	if len(names) > 0 {
		cols += ", " + recordsetColumns(t, names)
	}
	tbl := plan.Qualified(t.Schema, t.Name)
	q := fmt.Sprintf(`WITH x AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(%s)),
	changed AS (UPDATE %s t SET %s FROM x WHERE t.id = x."__id" RETURNING t.*)
	SELECT %s FROM changed r WHERE %s ORDER BY r.id`,
		cols, tbl, strings.Join(sets, ", "), rowColumns(t, "r", nil), actorFilter("$1", ""))
	return scanRows(ctx, tx, t, q, actor, payload)
}

// UpdateWhere sets the same values on every row matching a filter (nil: every row).
func (s *Store) UpdateWhere(ctx context.Context, t *gqlbase.Table, where *gqlbase.BoundFilter, values map[string]any, actor string) ([]*gqlbase.Row, error) {
	ctx, err := s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	var out []*gqlbase.Row
	err = s.inTxRetry(ctx, func(tx *Tx) error {
		var err error
		out, err = updateWhereTx(ctx, tx, t, where, values, actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.rowsChanged(t.ID, rowIDs(out)...)
	return out, nil
}

func updateWhereTx(ctx context.Context, tx *Tx, t *gqlbase.Table, where *gqlbase.BoundFilter, values map[string]any, actor string) ([]*gqlbase.Row, error) {
	a := &plan.Args{List: make([]any, 2)}
	cond := "true"
	if where != nil {
		cond = plan.Filter(where, "o", a)
	}
	var names []string
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	payload, err := json.Marshal(encodeMap(values))
	if err != nil {
		return nil, err
	}
	a.List[0], a.List[1] = actor, string(payload)
	sets := []string{"version = t.version + 1", "updated_at = now()"}
	xcols := `"__none" text`
	if len(names) > 0 {
		xcols = recordsetColumns(t, names)
	}
	for _, n := range names {
		sets = append(sets, fmt.Sprintf("%s = x.%s", plan.QuoteIdent(n), plan.QuoteIdent(n)))
	}
	tbl := plan.Qualified(t.Schema, t.Name)
	// Rows are locked in id order first, so concurrent updates of overlapping rows queue up
	// instead of deadlocking.
	q := fmt.Sprintf(`WITH x AS (SELECT * FROM jsonb_to_record($2::jsonb) AS x(%s)),
	old AS (SELECT o.id FROM %s o WHERE %s ORDER BY o.id FOR NO KEY UPDATE),
	changed AS (UPDATE %s t SET %s FROM x, old WHERE old.id = t.id RETURNING t.*)
	SELECT %s FROM changed r WHERE %s ORDER BY r.id`,
		xcols, tbl, cond, tbl, strings.Join(sets, ", "), rowColumns(t, "r", nil), actorFilter("$1", ""))
	return scanRows(ctx, tx, t, q, a.List...)
}

func encodeMap(values map[string]any) map[string]any {
	m := make(map[string]any, len(values))
	for k, v := range values {
		m[k] = encodeValue(v)
	}
	return m
}

// DeleteRows moves rows matching ids (when not nil) and a filter (when not nil) to the trash,
// and returns their ids.
func (s *Store) DeleteRows(ctx context.Context, t *gqlbase.Table, ids []int64, where *gqlbase.BoundFilter, actor string) ([]int64, error) {
	ctx, err := s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	var out []int64
	err = s.inTxRetry(ctx, func(tx *Tx) error {
		var err error
		out, err = deleteRowsTx(ctx, tx, t, ids, where, actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.rowsChanged(t.ID, out...)
	return out, nil
}

func deleteRowsTx(ctx context.Context, tx *Tx, t *gqlbase.Table, ids []int64, where *gqlbase.BoundFilter, actor string) ([]int64, error) {
	a := &plan.Args{List: []any{actor}}
	conds := []string{}
	if ids != nil {
		conds = append(conds, "d.id = ANY("+a.Add(int64Array(ids))+")")
	}
	if where != nil {
		conds = append(conds, plan.Filter(where, "d", a))
	}
	if len(conds) == 0 {
		conds = append(conds, "true")
	}
	tbl := plan.Qualified(t.Schema, t.Name)
	// Rows are locked in id order first, so concurrent deletes of overlapping rows queue up
	// instead of deadlocking.
	q := fmt.Sprintf(`WITH locked AS (SELECT d.id FROM %[1]s d WHERE %[2]s ORDER BY d.id FOR UPDATE),
	changed AS (DELETE FROM %[1]s d USING locked WHERE d.id = locked.id RETURNING d.id)
	SELECT r.id FROM changed r WHERE %[3]s ORDER BY r.id`, tbl, strings.Join(conds, " AND "), actorFilter("$1", ""))
	rows, err := tx.QueryContext(ctx, q, a.List...)
	if err != nil {
		return nil, rowWriteError(err, t)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan deleted id: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
