package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/outbox"
)

// notifySQL wakes listeners for the events of one statement (outbox.NotifySQL).
const notifySQL = outbox.NotifySQL

// TableEventsAfter returns up to limit committed events of one table with ids above afterID,
// oldest first (event streams resume with it).
func (s *Store) TableEventsAfter(ctx context.Context, tableID, afterID int64, limit int) ([]*gqlbase.Event, error) {
	return outbox.TableEventsAfter(ctx, s.db, tableID, afterID, limit)
}

// DatabaseSchemaEventsAfter returns up to limit committed schema events of one database with
// ids above afterID, oldest first (tableEvents resumes with it).
func (s *Store) DatabaseSchemaEventsAfter(ctx context.Context, databaseID, afterID int64, limit int) ([]*gqlbase.Event, error) {
	return outbox.DatabaseSchemaEventsAfter(ctx, s.db, databaseID, afterID, limit)
}

// PurgeEvents deletes outbox events older than the retention.
func (s *Store) PurgeEvents(ctx context.Context, retention time.Duration) (int64, error) {
	return outbox.Purge(ctx, s.db, retention)
}

// schemaEvent is a change of a database, table or column.
type schemaEvent struct {
	workspaceID, databaseID, tableID int64
	kind                             gqlbase.EventKind
	actor                            string
	before, after                    any
}

// writeSchemaEvent records a schema change in the outbox and notifies listeners on commit.
func writeSchemaEvent(ctx context.Context, tx *Tx, e schemaEvent) error {
	payload, err := json.Marshal(map[string]any{"before": e.before, "after": e.after})
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	var tableID any
	if e.tableID != 0 {
		tableID = e.tableID
	}
	_, err = tx.ExecContext(ctx, `WITH e AS (
		INSERT INTO events (workspace_id, database_id, table_id, kind, actor, payload)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id)
		`+fmt.Sprintf(notifySQL, "e"), e.workspaceID, e.databaseID, tableID, string(e.kind), e.actor, string(payload))
	if err != nil {
		return fmt.Errorf("write %s event: %w", e.kind, err)
	}
	return nil
}
