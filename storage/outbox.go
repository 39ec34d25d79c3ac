package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gqlbase/gqlbase"
)

type eventRecord struct {
	ID          int64     `db:"id"`
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
// large values, see eventPayloadSQL) gets the row's data at those versions back from there.
const eventSelect = `SELECT id, workspace_id, database_id, table_id, row_id, kind, actor,
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

func (s *Store) selectEvents(ctx context.Context, query string, args ...any) ([]*gqlbase.Event, error) {
	var recs []eventRecord
	if err := s.db.SelectContext(ctx, &recs, query, args...); err != nil {
		return nil, fmt.Errorf("load events: %w", err)
	}
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

// EventsAfter returns up to limit events with ids above afterID, oldest first.
func (s *Store) EventsAfter(ctx context.Context, afterID int64, limit int) ([]*gqlbase.Event, error) {
	return s.selectEvents(ctx, eventSelect+` WHERE id > $1 ORDER BY id LIMIT $2`, afterID, limit)
}

// EventsInRange returns the committed events with ids in [from, to], oldest first.
func (s *Store) EventsInRange(ctx context.Context, from, to int64) ([]*gqlbase.Event, error) {
	return s.selectEvents(ctx, eventSelect+` WHERE id BETWEEN $1 AND $2 ORDER BY id`, from, to)
}

// TableEventsAfter returns up to limit events of one table with ids above afterID, oldest
// first (event streams resume with it).
func (s *Store) TableEventsAfter(ctx context.Context, tableID, afterID int64, limit int) ([]*gqlbase.Event, error) {
	return s.selectEvents(ctx, eventSelect+` WHERE table_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tableID, afterID, limit)
}

// LastEventID is the highest event id committed so far (0 when there is none).
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT coalesce(max(id), 0) FROM events`)
	return id, err
}

// PurgeEvents deletes outbox events older than the retention.
func (s *Store) PurgeEvents(ctx context.Context, retention time.Duration) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM events WHERE created_at < now() - $1 * interval '1 second'`, retention.Seconds())
	if err != nil {
		return 0, fmt.Errorf("purge events: %w", err)
	}
	return res.RowsAffected()
}
