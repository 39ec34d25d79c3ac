package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// RowHistory returns the snapshots of a row, newest first.
func (s *Store) RowHistory(ctx context.Context, tableID, rowID int64, limit, offset int) ([]*gqlbase.HistoryEntry, error) {
	var out []*gqlbase.HistoryEntry
	err := s.db.SelectContext(ctx, &out, `SELECT id, row_id, version, op, data, actor, at FROM row_history
		WHERE table_id = $1 AND row_id = $2 ORDER BY id DESC LIMIT $3 OFFSET $4`, tableID, rowID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("row history: %w", err)
	}
	return out, nil
}

// TrashedRows lists a table's trash, most recently deleted first.
func (s *Store) TrashedRows(ctx context.Context, tableID int64, limit, offset int) ([]*gqlbase.TrashedRow, error) {
	var out []*gqlbase.TrashedRow
	err := s.db.SelectContext(ctx, &out, `SELECT row_id, data, deleted_by, deleted_at FROM trash
		WHERE table_id = $1 ORDER BY deleted_at DESC, row_id DESC LIMIT $2 OFFSET $3`, tableID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("trashed rows: %w", err)
	}
	return out, nil
}

// PurgeTrash deletes trash entries older than the retention, and returns how many went.
func (s *Store) PurgeTrash(ctx context.Context, retention time.Duration) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM trash WHERE deleted_at < now() - $1 * interval '1 second'`, retention.Seconds())
	if err != nil {
		return 0, fmt.Errorf("purge trash: %w", err)
	}
	if err := s.purgeLinkTrash(ctx, retention); err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// gqlbase.Aggregate computes aggregates over the rows matching the query's filter, per group of the
// groupBy columns (ordered by them).
func (s *Store) Aggregate(ctx context.Context, t *gqlbase.Table, q RowQuery, groupBy []string, aggs []gqlbase.Aggregate) ([]*gqlbase.AggregateGroup, error) {
	if len(groupBy) > 10 {
		return nil, gqlbase.BadInput("group by at most 10 columns").WithField("groupBy")
	}
	if len(aggs) == 0 || len(aggs) > 40 {
		return nil, gqlbase.BadInput("ask for 1 to 40 aggregates").WithField("aggregates")
	}
	ctx, err := s.tenant(ctx, t.DatabaseID)
	if err != nil {
		return nil, err
	}
	a := &plan.Args{}
	where := whereClause(t, &q, "r", a)
	var keyParts, groupExprs []string
	for _, g := range groupBy {
		expr, err := groupExpr(t, g)
		if err != nil {
			return nil, err
		}
		// Keys and aliases are parameters: no caller text is ever written into the SQL.
		keyParts = append(keyParts, a.Add(g)+"::text", expr)
		groupExprs = append(groupExprs, expr)
	}
	var valParts []string
	seen := map[string]bool{}
	for _, ag := range aggs {
		expr, err := aggregateExpr(t, ag)
		if err != nil {
			return nil, err
		}
		if seen[ag.Alias] {
			return nil, gqlbase.BadInput("aggregate alias %q is used twice", ag.Alias).WithField("aggregates")
		}
		seen[ag.Alias] = true
		valParts = append(valParts, a.Add(ag.Alias)+"::text", expr)
	}
	key := "'{}'::json"
	if len(keyParts) > 0 {
		key = "json_build_object(" + joinComma(keyParts) + ")"
	}
	q2 := fmt.Sprintf("SELECT %s AS key, json_build_object(%s) AS vals FROM %s r WHERE %s",
		key, joinComma(valParts), plan.Qualified(t.Schema, t.Name), where)
	if len(groupExprs) > 0 {
		q2 += " GROUP BY " + joinComma(groupExprs) + " ORDER BY " + joinComma(groupExprs)
	}
	var out []*gqlbase.AggregateGroup
	if err := s.db.SelectContext(ctx, &out, q2, a.List...); err != nil {
		return nil, fmt.Errorf("aggregate: %w", err)
	}
	return out, nil
}

func joinComma(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}
