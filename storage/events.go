package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gqlbase/gqlbase"
)

// EventsChannel is the Postgres NOTIFY channel of the outbox.
const EventsChannel = "gqlbase_events"

// notifySQL wakes listeners for the events of one statement: the payload is the id range
// "<first>-<last>"; the listener loads the visible events in that range.
const notifySQL = `SELECT pg_notify('` + EventsChannel + `', min(id)::text || '-' || max(id)::text) FROM %s HAVING count(*) > 0`

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
