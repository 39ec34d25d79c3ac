// Upserts and restores: row writes that look rows up first (see rowwrite.go).

package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// RestoreRow brings a row back from the trash under its own id.
func (s *Store) RestoreRow(ctx context.Context, t *gqlbase.Table, rowID int64, actor string) (*gqlbase.Row, error) {
	ctx, err := s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	var out []*gqlbase.Row
	err = s.inTxRetry(ctx, func(tx *Tx) error {
		// The trash row is taken out as gqlbase itself (the database's role may only add trash
		// rows); a failed restore rolls the delete back with the rest.
		var data string
		err := tx.GetContext(asRole(ctx, ""), &data, `DELETE FROM trash WHERE table_id = $1 AND row_id = $2 RETURNING data::text`, t.ID, rowID)
		if isNoRows(err) {
			return gqlbase.NotFound("row %d of table %q is not in the trash", rowID, t.Name)
		}
		if err != nil {
			return fmt.Errorf("take row out of the trash: %w", err)
		}
		tbl := plan.Qualified(t.Schema, t.Name)
		params := []any{actor, data}
		cols := []string{"id", "created_at", "updated_at", "created_by", "version"}
		exprs := []string{"p.id", "p.created_at", "now()", "p.created_by", "p.version + 1"}
		for _, c := range t.Columns {
			cols = append(cols, plan.QuoteIdent(c.Name))
			// A column added after the row was deleted takes its default, as it did for the
			// rows that were in the table then.
			missing := "NULL"
			if c.Default != nil {
				lit, err := sqlLiteral(c, c.Default)
				if err != nil {
					return err
				}
				missing = lit
			}
			params = append(params, c.Name)
			exprs = append(exprs, fmt.Sprintf("CASE WHEN tr.data ? $%d::text THEN p.%s ELSE %s END", len(params), plan.QuoteIdent(c.Name), missing))
		}
		// The insert trigger records a restore, not a creation, when gqlbase.op says so.
		q := fmt.Sprintf(`WITH tr AS (SELECT $2::jsonb AS data),
		changed AS (INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE
			SELECT %s FROM tr, jsonb_populate_record(null::%s, tr.data) AS p RETURNING *)
		SELECT %s FROM changed r WHERE %s`,
			tbl, strings.Join(cols, ", "), strings.Join(exprs, ", "), tbl, rowColumns(t, "r", nil),
			actorFilter("$1", `set_config('`+opSetting+`', 'RESTORE', true)`))
		out, err = scanRows(ctx, tx, t, q, params...)
		if gqlbase.ErrorCode(err) == gqlbase.CodeConflict || pgCode(err) == sqlstateUniqueViolation {
			return gqlbase.Conflict("row %d cannot be restored: %s", rowID, errMessage(err))
		}
		if err != nil {
			return err
		}
		return restoreLinks(ctx, tx, t, rowID)
	})
	if err != nil {
		return nil, err
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("restore row %d: %d rows restored", rowID, len(out))
	}
	s.rowsChanged(t.ID, rowID)
	return out[0], nil
}

func errMessage(err error) string {
	if e, ok := gqlbase.AsError(err); ok {
		return e.Message
	}
	return pgMessage(err)
}

// UpsertRows writes rows keyed by a column (or "id"): a row whose key matches an existing row
// updates it with the values given, any other row is inserted. Values are raw (as decoded
// from the request); they are validated here, inside the transaction that looks the keys up.
// The result lists the inserted and the updated rows in input order.
//
// The key column need not be unique. Then nothing in the table stops two transactions from
// inserting the same new key, so upserts serialise on the keys they write (transaction-level
// advisory locks, taken in one order) before they look them up, and an input row whose key
// matches several rows is skipped and reported, not guessed at.
func (s *Store) UpsertRows(ctx context.Context, t *gqlbase.Table, keyColumn string, raw []map[string]any, actor string) (inserted, updated []*gqlbase.Row, skipped []*gqlbase.UpsertSkip, err error) {
	if ctx, err = s.tenant(ctx, t.DatabaseID); err != nil {
		return nil, nil, nil, err
	}
	key := t.Column(keyColumn)
	if key == nil || (key.System && key.Name != gqlbase.ColID) {
		return nil, nil, nil, gqlbase.BadInput("table %q has no column %q to match rows on", t.Name, keyColumn).WithField("keyColumn")
	}
	if key.Type.IsArray() || key.Type == gqlbase.TypeJSON {
		return nil, nil, nil, gqlbase.BadInput("column %q holds %s values, which cannot identify rows for an upsert", keyColumn, key.Type).WithField("keyColumn")
	}
	unique := key.System || key.Unique
	var batch []batchRow // every prepared row with its input index, to name a row that breaks a constraint
	err = s.inTxRetry(ctx, func(tx *Tx) error {
		batch, inserted, updated, skipped = nil, nil, nil, []*gqlbase.UpsertSkip{}
		keys := make([]any, len(raw))
		for i, r := range raw {
			v, ok := r[keyColumn]
			if !ok || v == nil {
				keys[i] = nil
				continue
			}
			kv, err := gqlbase.CoerceValue(&gqlbase.Column{Name: key.Name, Type: key.Type, Nullable: true, Options: key.Options, MaxRating: key.MaxRating}, v)
			if err != nil {
				return rowIndexError(i, err)
			}
			keys[i] = encodeValue(kv)
		}
		if !unique {
			if err := lockKeys(ctx, tx, t, key, keys); err != nil {
				return err
			}
		}
		existing, err := lockByKey(ctx, tx, t, key, keys)
		if err != nil {
			return err
		}
		var inserts []map[string]any
		var patches []gqlbase.RowPatch
		seen := map[string]int{}
		for i, r := range raw {
			values := r
			if key.Name == gqlbase.ColID {
				values = withoutKey(r, gqlbase.ColID)
			}
			if keys[i] != nil {
				ks := fmt.Sprint(keys[i])
				if j, dup := seen[ks]; dup {
					return gqlbase.BadInput("rows %d and %d have the same %s %v", j, i, keyColumn, keys[i]).WithField(keyColumn)
				}
				seen[ks] = i
				if ids := existing[i]; len(ids) > 1 {
					skipped = append(skipped, &gqlbase.UpsertSkip{Index: i, Message: fmt.Sprintf(
						"row %d: %s %v matches %d rows (ids %s), so it does not say which to update", i, keyColumn, keys[i], len(ids), joinIDs(ids))})
					continue
				}
				if ids, ok := existing[i]; ok {
					id := ids[0]
					p, err := gqlbase.PreparePatch(t, values, i)
					if err != nil {
						return err
					}
					patches = append(patches, gqlbase.RowPatch{ID: id, Values: p})
					batch = append(batch, batchRow{index: i, id: id, values: p})
					continue
				}
			}
			p, err := gqlbase.PrepareInsert(t, values, i)
			if err != nil {
				return err
			}
			inserts = append(inserts, p)
			batch = append(batch, batchRow{index: i, values: p})
		}
		if inserted, err = insertRowsTx(ctx, tx, t, inserts, actor); err != nil {
			return err
		}
		if len(patches) > 0 {
			if updated, err = updateRowsTx(ctx, tx, t, patches, actor); err != nil {
				return err
			}
		} else {
			updated = []*gqlbase.Row{}
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, s.locateViolation(ctx, t, batch, err)
	}
	s.rowsChanged(t.ID, append(rowIDs(inserted), rowIDs(updated)...)...)
	return inserted, updated, skipped, nil
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ", ")
}

// lockKeys takes a transaction-level advisory lock per distinct key value of an upsert on a
// column that is not unique, in one order (so two upserts never wait on each other in a
// circle). A second upsert of the same key waits for the first to commit and then, looking
// the key up in a new snapshot, finds the row the first inserted.
func lockKeys(ctx context.Context, tx *Tx, t *gqlbase.Table, key *gqlbase.Column, keys []any) error {
	var items []string
	for _, k := range keys {
		if k != nil {
			items = append(items, fmt.Sprint(k))
		}
	}
	if len(items) == 0 {
		return nil
	}
	// The key's text is hashed with the table and column, so locks of other tables and
	// columns seldom collide (a collision only makes an upsert wait).
	_, err := tx.ExecContext(asRole(ctx, ""), `SELECT pg_advisory_xact_lock(h) FROM (
		SELECT DISTINCT hashtextextended($1 || ':' || k, 0) AS h FROM unnest($2::text[]) AS k ORDER BY h) s`,
		fmt.Sprintf("upsert:%d:%d", t.ID, key.ID), stringArray(items))
	if err != nil {
		return fmt.Errorf("lock upsert keys: %w", err)
	}
	return nil
}

func withoutKey(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func rowIndexError(i int, err error) error {
	if e, ok := gqlbase.AsError(err); ok {
		c := *e
		c.Message = fmt.Sprintf("row %d: %s", i, e.Message)
		return c.WithDetail("row", i)
	}
	return err
}

// lockByKey locks the rows whose key column holds one of keys and maps the index of each
// matched key to its rows' ids (several when the column is not unique). Postgres compares the
// values, so every type matches by its own equality.
func lockByKey(ctx context.Context, tx *Tx, t *gqlbase.Table, key *gqlbase.Column, keys []any) (map[int][]int64, error) {
	var items []map[string]any
	for i, k := range keys {
		if k != nil {
			items = append(items, map[string]any{"i": i, "k": k})
		}
	}
	out := map[int][]int64{}
	if len(items) == 0 {
		return out, nil
	}
	payload, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`SELECT x.i, t.id FROM jsonb_to_recordset($1::jsonb) AS x(i integer, k %s)
		JOIN %s t ON t.%s = x.k ORDER BY t.id FOR NO KEY UPDATE OF t`, key.Type.PGType(), plan.Qualified(t.Schema, t.Name), plan.QuoteIdent(key.Name))
	var rows []struct {
		I  int   `db:"i"`
		ID int64 `db:"id"`
	}
	if err := tx.SelectContext(ctx, &rows, q, string(payload)); err != nil {
		return nil, fmt.Errorf("look up keys: %w", err)
	}
	for _, r := range rows {
		out[r.I] = append(out[r.I], r.ID)
	}
	return out, nil
}
