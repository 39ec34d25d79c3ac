package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// WriteTx is one transaction holding several row writes (the root fields of one typed
// GraphQL mutation). Every write goes through the same statements as the single-call
// writes (history, outbox events, NOTIFY); the change hooks run once the transaction commits.
type WriteTx struct {
	s       *Store
	tx      *Tx
	changed map[int64][]int64 // table id → row ids
	order   []int64
}

// InWriteTx runs fn in a transaction, committing when it returns nil; the change hooks then
// see every row written.
func (s *Store) InWriteTx(ctx context.Context, fn func(w *WriteTx) error) error {
	w := &WriteTx{s: s, changed: map[int64][]int64{}}
	err := s.InTx(ctx, func(tx *Tx) error {
		w.tx = tx
		return fn(w)
	})
	if err != nil {
		return err
	}
	for _, id := range w.order {
		s.rowsChanged(id, w.changed[id]...)
	}
	return nil
}

func (w *WriteTx) touched(tableID int64, ids []int64) {
	if _, ok := w.changed[tableID]; !ok {
		w.order = append(w.order, tableID)
	}
	w.changed[tableID] = append(w.changed[tableID], ids...)
}

// InsertRows inserts prepared rows (gqlbase.PrepareInsert), as Store.InsertRows does.
func (w *WriteTx) InsertRows(ctx context.Context, t *gqlbase.Table, rows []map[string]any, actor string) ([]*gqlbase.Row, error) {
	ctx, err := w.s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	out, err := insertRowsTx(ctx, w.tx, t, rows, actor)
	if err != nil {
		return nil, err
	}
	w.touched(t.ID, rowIDs(out))
	return out, nil
}

// UpdateRows applies prepared patches by id, as Store.UpdateRows does.
func (w *WriteTx) UpdateRows(ctx context.Context, t *gqlbase.Table, patches []gqlbase.RowPatch, actor string) ([]*gqlbase.Row, error) {
	ctx, err := w.s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	if len(patches) == 0 {
		return []*gqlbase.Row{}, nil
	}
	out, err := updateRowsTx(ctx, w.tx, t, patches, actor)
	if err != nil {
		return nil, err
	}
	w.touched(t.ID, rowIDs(out))
	return out, nil
}

// DeleteRows moves rows to the trash by id, as Store.DeleteRows does, and returns the ids
// deleted.
func (w *WriteTx) DeleteRows(ctx context.Context, t *gqlbase.Table, ids []int64, actor string) ([]int64, error) {
	ctx, err := w.s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []int64{}, nil
	}
	out, err := deleteRowsTx(ctx, w.tx, t, ids, nil, actor)
	if err != nil {
		return nil, err
	}
	w.touched(t.ID, out)
	return out, nil
}

// LockWhere locks the rows of t matching where (nil: every row) and returns their ids in
// id order.
func (w *WriteTx) LockWhere(ctx context.Context, t *gqlbase.Table, where *plan.Cond) ([]int64, error) {
	ctx, err := w.s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	query, params, err := plan.CompileLock(t, where)
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	if err := w.tx.SelectContext(ctx, &ids, query, params...); err != nil {
		return nil, planRunError(err)
	}
	return ids, nil
}

// LockByKey locks the rows whose key column (unique, or id) holds one of keys (canonical
// values; nil entries are skipped) and maps the index of each matched key to its row id.
func (w *WriteTx) LockByKey(ctx context.Context, t *gqlbase.Table, key *gqlbase.Column, keys []any) (map[int]int64, error) {
	ctx, err := w.s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	enc := make([]any, len(keys))
	for i, k := range keys {
		if k != nil {
			enc[i] = encodeValue(k)
		}
	}
	matched, err := lockByKey(ctx, w.tx, t, key, enc)
	if err != nil {
		return nil, err
	}
	// The key is unique or id, so each key matches at most one row.
	out := make(map[int]int64, len(matched))
	for i, ids := range matched {
		out[i] = ids[0]
	}
	return out, nil
}

// Increment returns, for each row id, the values of the columns of inc (a canonical value
// per numeric column) added to the row's current values, read under a row lock. A null
// stays null. The caller validates the results as a patch.
func (w *WriteTx) Increment(ctx context.Context, t *gqlbase.Table, ids []int64, inc map[string]any) (map[int64]map[string]any, error) {
	ctx, err := w.s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	out := map[int64]map[string]any{}
	if len(ids) == 0 || len(inc) == 0 {
		return out, nil
	}
	names := make([]string, 0, len(inc))
	for k := range inc {
		names = append(names, k)
	}
	sort.Strings(names)
	a := &plan.Args{}
	ids0 := a.Add(int64Array(ids))
	pairs := make([]string, 0, 2*len(names))
	for _, n := range names {
		c := t.UserColumn(n)
		if c == nil || !c.Type.IsNumeric() || c.Type == gqlbase.TypeLink {
			return nil, gqlbase.BadInput("column %q cannot be incremented (only INTEGER, NUMBER, DECIMAL and RATING columns)", n).WithField(n)
		}
		expr := "r." + plan.QuoteIdent(n) + " + " + plan.Param(c.Type, inc[n], a)
		if c.Type == gqlbase.TypeDecimal {
			expr = "(" + expr + ")::text"
		}
		pairs = append(pairs, a.Add(n)+"::text", expr)
	}
	query := fmt.Sprintf("SELECT r.id, json_build_object(%s) AS v FROM %s r WHERE r.id = ANY(%s::bigint[]) ORDER BY r.id FOR UPDATE OF r",
		strings.Join(pairs, ", "), plan.Qualified(t.Schema, t.Name), ids0)
	rows, err := w.tx.QueryContext(ctx, query, a.List...)
	if err != nil {
		if pgCode(err) == sqlstateNumericOutOfRange {
			return nil, gqlbase.BadInput("_inc: the result is out of range for the column")
		}
		return nil, fmt.Errorf("increment: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("increment: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		m := map[string]any{}
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("increment: %w", err)
		}
		out[id] = m
	}
	if err := rows.Err(); err != nil {
		if pgCode(err) == sqlstateNumericOutOfRange {
			return nil, gqlbase.BadInput("_inc: the result is out of range for the column")
		}
		return nil, fmt.Errorf("increment: %w", err)
	}
	return out, nil
}

// RunPlan runs a read inside the transaction (it sees the transaction's own writes).
func (w *WriteTx) RunPlan(ctx context.Context, p *plan.Plan) (json.RawMessage, error) {
	ctx, err := w.s.tenant(ctx, p.Rows.Table.DatabaseID)
	if err != nil {
		return nil, err
	}
	return runPlan(ctx, w.tx, p)
}
