package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gqlbase/gqlbase"
)

// DeadLetter is a delivery whose attempts are all spent (a discarded River job).
type DeadLetter struct {
	JobID     int64
	WebhookID int64
	EventID   int64
	Attempts  int
	LastError string
	DiedAt    time.Time
}

// DeadLetters lists a webhook's dead deliveries, newest first (first: 1..100, default 20).
func (s *Service) DeadLetters(ctx context.Context, webhookID int64, first int) ([]*DeadLetter, error) {
	if first <= 0 {
		first = 20
	}
	rows, err := s.db.QueryxContext(ctx, `SELECT id, args, attempt,
		coalesce(errors[array_upper(errors, 1)] ->> 'error', ''), coalesce(finalized_at, now())
		FROM river_job WHERE kind = $1 AND state = 'discarded' AND args @> jsonb_build_object('webhook_id', $2::bigint)
		ORDER BY id DESC LIMIT $3`, KindDeliver, webhookID, min(first, maxListed))
	if err != nil {
		return nil, fmt.Errorf("webhooks: dead letters: %w", err)
	}
	defer rows.Close()
	var out []*DeadLetter
	for rows.Next() {
		var d DeadLetter
		var args []byte
		if err := rows.Scan(&d.JobID, &args, &d.Attempts, &d.LastError, &d.DiedAt); err != nil {
			return nil, fmt.Errorf("webhooks: dead letters: %w", err)
		}
		var a DeliverArgs
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, fmt.Errorf("webhooks: dead letter %d: %w", d.JobID, err)
		}
		d.WebhookID, d.EventID = a.WebhookID, a.EventID
		out = append(out, &d)
	}
	return out, rows.Err()
}

// deadLetter checks that jobID is a dead delivery of webhookID.
func (s *Service) deadLetter(ctx context.Context, webhookID, jobID int64) error {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM river_job WHERE id = $1 AND kind = $2
		AND state = 'discarded' AND args @> jsonb_build_object('webhook_id', $3::bigint)`,
		jobID, KindDeliver, webhookID); err != nil {
		return fmt.Errorf("webhooks: dead letter %d: %w", jobID, err)
	}
	if n == 0 {
		return gqlbase.NotFound("no dead letter %d of webhook %d", jobID, webhookID)
	}
	return nil
}

// RetryDeadLetter makes a dead delivery run again now, with a fresh set of attempts.
func (s *Service) RetryDeadLetter(ctx context.Context, webhookID, jobID int64) error {
	if err := s.deadLetter(ctx, webhookID, jobID); err != nil {
		return err
	}
	_, err := s.engine.Retry(ctx, jobID)
	return err
}

// DiscardDeadLetter removes a dead delivery for good.
func (s *Service) DiscardDeadLetter(ctx context.Context, webhookID, jobID int64) error {
	if err := s.deadLetter(ctx, webhookID, jobID); err != nil {
		return err
	}
	return s.engine.Delete(ctx, jobID)
}
