package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/outbox"
)

// Function triggers (migration 0023): row events enqueue function.run jobs through the
// events table's trigger; cron triggers are enqueued by EnqueueDueCronTriggers.

type functionTriggerRow struct {
	FunctionID int64          `db:"function_id"`
	TableID    *int64         `db:"table_id"`
	Events     pq.StringArray `db:"events"`
	Cron       *string        `db:"cron"`
	NextRunAt  *time.Time     `db:"next_run_at"`
	UpdatedAt  time.Time      `db:"updated_at"`
}

func (r *functionTriggerRow) trigger() *gqlbase.FunctionTrigger {
	t := &gqlbase.FunctionTrigger{FunctionID: r.FunctionID, TableID: r.TableID, Cron: r.Cron, NextRunAt: r.NextRunAt,
		UpdatedAt: r.UpdatedAt, Events: []string(r.Events)}
	if t.Events == nil {
		t.Events = []string{}
	}
	return t
}

// FunctionTrigger returns a function's trigger, or nil when it has none.
func (s *Store) FunctionTrigger(ctx context.Context, functionID int64) (*gqlbase.FunctionTrigger, error) {
	var r functionTriggerRow
	err := s.db.GetContext(ctx, &r, `SELECT function_id, table_id, events, cron, next_run_at, updated_at
		FROM function_triggers WHERE function_id = $1`, functionID)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load trigger of function %d: %w", functionID, err)
	}
	return r.trigger(), nil
}

// SetFunctionTrigger replaces a function's trigger (nextRun: the cron's first due time);
// with neither table nor cron it removes it and answers nil.
func (s *Store) SetFunctionTrigger(ctx context.Context, functionID int64, in gqlbase.FunctionTriggerInput, nextRun *time.Time) (*gqlbase.FunctionTrigger, error) {
	if in.TableID == nil && in.Cron == nil {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM function_triggers WHERE function_id = $1`, functionID); err != nil {
			return nil, fmt.Errorf("remove trigger of function %d: %w", functionID, err)
		}
		return nil, nil
	}
	events := pq.StringArray(in.Events)
	if events == nil {
		events = pq.StringArray{}
	}
	var r functionTriggerRow
	err := s.db.GetContext(ctx, &r, `INSERT INTO function_triggers (function_id, table_id, events, cron, next_run_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (function_id) DO UPDATE SET table_id = excluded.table_id, events = excluded.events,
			cron = excluded.cron, next_run_at = excluded.next_run_at, updated_at = now()
		RETURNING function_id, table_id, events, cron, next_run_at, updated_at`, functionID, in.TableID, events, in.Cron, nextRun)
	if err != nil {
		return nil, fmt.Errorf("set trigger of function %d: %w", functionID, err)
	}
	return r.trigger(), nil
}

// EnqueueDueCronTriggers enqueues a function.run job for each cron trigger due at now (at
// most limit) and moves it to its next time (next gives it), in one transaction per batch;
// processes that look at once skip each other's rows (SKIP LOCKED), so each due time runs
// once.
func (s *Store) EnqueueDueCronTriggers(ctx context.Context, now time.Time, limit int, next func(cron string, after time.Time) (time.Time, error)) (int, error) {
	n := 0
	err := s.InTx(ctx, func(tx *Tx) error {
		var due []functionTriggerRow
		err := tx.SelectContext(ctx, &due, `SELECT function_id, table_id, events, cron, next_run_at, updated_at
			FROM function_triggers WHERE next_run_at <= $1 ORDER BY next_run_at LIMIT $2 FOR UPDATE SKIP LOCKED`, now, limit)
		if err != nil {
			return err
		}
		for _, t := range due {
			at, err := next(*t.Cron, now)
			if err != nil {
				return fmt.Errorf("cron of function %d: %w", t.FunctionID, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO river_job (kind, args, queue, max_attempts, priority, state, scheduled_at)
				VALUES ('function.run', jsonb_build_object('function_id', $1::bigint, 'trigger', 'cron', 'due_at', $2::timestamptz),
					'functions', 5, 2, 'available', now())`, t.FunctionID, *t.NextRunAt); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE function_triggers SET next_run_at = $2 WHERE function_id = $1`, t.FunctionID, at); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue due cron triggers: %w", err)
	}
	return n, nil
}

// EventByID loads one committed event (nil when it was purged).
func (s *Store) EventByID(ctx context.Context, id int64) (*gqlbase.Event, error) {
	evs, err := outbox.EventsAfter(ctx, s.db, id-1, 1)
	if err != nil {
		return nil, fmt.Errorf("load event %d: %w", id, err)
	}
	if len(evs) == 0 || evs[0].ID != id {
		return nil, nil
	}
	return evs[0], nil
}
