package storage

import (
	"context"
	"fmt"
)

// TableDatabases maps table ids to the ids of their databases (missing tables are absent).
func (s *Store) TableDatabases(ctx context.Context, tableIDs []int64) (map[int64]int64, error) {
	var rows []struct {
		ID         int64 `db:"id"`
		DatabaseID int64 `db:"database_id"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, database_id FROM tables_meta WHERE id = ANY($1)`, int64Array(tableIDs)); err != nil {
		return nil, fmt.Errorf("table databases: %w", err)
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.DatabaseID
	}
	return out, nil
}
