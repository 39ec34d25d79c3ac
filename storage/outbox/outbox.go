// Package outbox is gqlbase's event outbox: the events table, which every change writes in
// its own transaction, read back as gqlbase.Events, and the listener that follows it across
// processes (LISTEN/NOTIFY plus polling, with Postgres's snapshots telling which events are
// new). Writers live in storage and insert events inside their transactions with the SQL
// pieces this package gives them (NotifySQL, PayloadSQL); this package never imports storage.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/gqlbase/gqlbase"
)

// Channel is the Postgres NOTIFY channel of the outbox.
const Channel = "gqlbase_events"

// NotifySQL wakes listeners for the events of one statement (%s: a CTE returning the
// inserted ids): the payload is the id range "<first>-<last>". Listeners take a notification
// as a reason to read the outbox, whatever its payload says.
const NotifySQL = `SELECT pg_notify('` + Channel + `', min(id)::text || '-' || max(id)::text) FROM %s HAVING count(*) > 0`

// MaxPayload bounds the row data an outbox event carries. A write of rows with larger values
// stores a reference to the row's history instead (the versions before and after), so a large
// value is kept once, in the history, and not again in every event; the events are read back
// whole (eventSelect).
const MaxPayload = 16 << 10

// PayloadSQL is the payload of a row event, given the SQL of the row before and after the
// change as jsonb: {before, after}, or {ref: {before, after}} with the row's versions when
// the data is larger than MaxPayload.
func PayloadSQL(before, after string) string {
	return fmt.Sprintf(`CASE WHEN coalesce(pg_column_size(%[1]s), 0) + coalesce(pg_column_size(%[2]s), 0) > %[3]d
		THEN jsonb_build_object('ref', jsonb_build_object('before', (%[1]s)->'version', 'after', (%[2]s)->'version'))
		ELSE jsonb_build_object('before', %[1]s, 'after', %[2]s) END`, before, after, MaxPayload)
}

type eventRecord struct {
	ID          int64     `db:"id"`
	XID         string    `db:"xid"`
	WorkspaceID int64     `db:"workspace_id"`
	DatabaseID  *int64    `db:"database_id"`
	TableID     *int64    `db:"table_id"`
	RowID       *int64    `db:"row_id"`
	Kind        string    `db:"kind"`
	Actor       *string   `db:"actor"`
	Payload     []byte    `db:"payload"`
	CreatedAt   time.Time `db:"created_at"`
}

// eventSelect reads events whole: a payload that refers to the row's history (a write of
// large values, see PayloadSQL) gets the row's data at those versions back from there.
const eventSelect = `SELECT id, xid::text AS xid, workspace_id, database_id, table_id, row_id, kind, actor,
	CASE WHEN payload ? 'ref' THEN jsonb_build_object(
		'before', (SELECT h.data FROM row_history h WHERE h.table_id = events.table_id AND h.row_id = events.row_id
			AND h.version = (payload->'ref'->>'before')::int ORDER BY h.id DESC LIMIT 1),
		'after', (SELECT h.data FROM row_history h WHERE h.table_id = events.table_id AND h.row_id = events.row_id
			AND h.version = (payload->'ref'->>'after')::int ORDER BY h.id DESC LIMIT 1))
	ELSE payload END AS payload, created_at FROM events`

func (r *eventRecord) event() (*gqlbase.Event, error) {
	e := &gqlbase.Event{ID: r.ID, WorkspaceID: r.WorkspaceID, Kind: gqlbase.EventKind(r.Kind), CreatedAt: r.CreatedAt}
	if r.DatabaseID != nil {
		e.DatabaseID = *r.DatabaseID
	}
	if r.TableID != nil {
		e.TableID = *r.TableID
	}
	if r.RowID != nil {
		e.RowID = *r.RowID
	}
	if r.Actor != nil {
		e.Actor = *r.Actor
	}
	var p struct {
		Before json.RawMessage `json:"before"`
		After  json.RawMessage `json:"after"`
	}
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		return nil, fmt.Errorf("event %d payload: %w", r.ID, err)
	}
	if string(p.Before) != "null" {
		e.Before = p.Before
	}
	if string(p.After) != "null" {
		e.After = p.After
	}
	return e, nil
}

func selectRecords(ctx context.Context, db sqlx.QueryerContext, query string, args ...any) ([]eventRecord, error) {
	var recs []eventRecord
	if err := sqlx.SelectContext(ctx, db, &recs, query, args...); err != nil {
		return nil, fmt.Errorf("load events: %w", err)
	}
	return recs, nil
}

func events(recs []eventRecord) ([]*gqlbase.Event, error) {
	out := make([]*gqlbase.Event, 0, len(recs))
	for i := range recs {
		e, err := recs[i].event()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func selectEvents(ctx context.Context, db sqlx.QueryerContext, query string, args ...any) ([]*gqlbase.Event, error) {
	recs, err := selectRecords(ctx, db, query, args...)
	if err != nil {
		return nil, err
	}
	return events(recs)
}

// EventsAfter returns up to limit committed events with ids above afterID, in id order. An
// id says when an event was written, not when it committed: a transaction that commits late
// adds events below ids already read. The listener does not read by id for that reason.
func EventsAfter(ctx context.Context, db sqlx.QueryerContext, afterID int64, limit int) ([]*gqlbase.Event, error) {
	return selectEvents(ctx, db, eventSelect+` WHERE id > $1 ORDER BY id LIMIT $2`, afterID, limit)
}

// TableEventsAfter returns up to limit committed events of one table with ids above afterID,
// in id order (event streams resume with it).
func TableEventsAfter(ctx context.Context, db sqlx.QueryerContext, tableID, afterID int64, limit int) ([]*gqlbase.Event, error) {
	return selectEvents(ctx, db, eventSelect+` WHERE table_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tableID, afterID, limit)
}

// LastEventID is the highest event id committed so far (0 when there is none).
func LastEventID(ctx context.Context, db sqlx.QueryerContext) (int64, error) {
	var id int64
	if err := sqlx.GetContext(ctx, db, &id, `SELECT coalesce(max(id), 0) FROM events`); err != nil {
		return 0, fmt.Errorf("last event id: %w", err)
	}
	return id, nil
}

// Purge deletes events older than the retention (by created_at, the start of the transaction
// that wrote them). Listeners wait for no id, so a purge holds none of them back or up. Only
// an event of a transaction that stayed open for longer than the retention could be purged
// between its commit and the next poll of a listener (within seconds).
func Purge(ctx context.Context, db sqlx.ExecerContext, retention time.Duration) (int64, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM events WHERE created_at < now() - $1 * interval '1 second'`, retention.Seconds())
	if err != nil {
		return 0, fmt.Errorf("purge events: %w", err)
	}
	return res.RowsAffected()
}

// DatabaseSchemaEventsAfter returns up to limit committed schema events (databases, tables,
// columns) of one database with ids above afterID, in id order (tableEvents resumes with it;
// the partial index events_schema serves it).
func DatabaseSchemaEventsAfter(ctx context.Context, db sqlx.QueryerContext, databaseID, afterID int64, limit int) ([]*gqlbase.Event, error) {
	return selectEvents(ctx, db, eventSelect+` WHERE database_id = $1 AND kind NOT LIKE 'row.%' AND id > $2 ORDER BY id LIMIT $3`,
		databaseID, afterID, limit)
}
