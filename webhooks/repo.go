package webhooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
)

// Webhook is a subscription of a URL to events.
type Webhook struct {
	ID          int64
	WorkspaceID int64
	// DatabaseID and TableID narrow the events (0: any).
	DatabaseID int64
	TableID    int64
	URL        string
	Method     string
	Headers    map[string]string
	// Events are the event kinds delivered; empty: all.
	Events       []string
	Format       string
	Secret       string
	Active       bool
	FailureCount int
	MaxFailures  int
	MaxAttempts  int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Delivery is one attempt, as the delivery log keeps it.
type Delivery struct {
	ID              int64
	WebhookID       int64
	EventID         int64
	JobID           int64
	MessageID       string
	Attempt         int
	RequestHeaders  map[string]string
	RequestBody     string
	Status          int // 0: no answer
	ResponseHeaders map[string]string
	ResponseBody    string
	Duration        time.Duration
	Error           string
	Succeeded       bool
	CreatedAt       time.Time
}

const webhookColumns = `id, workspace_id, coalesce(database_id, 0), coalesce(table_id, 0), url,
	method, headers, events, format, secret, active, failure_count, max_failures, max_attempts,
	created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanWebhook(r rowScanner) (*Webhook, error) {
	var w Webhook
	var headers []byte
	if err := r.Scan(&w.ID, &w.WorkspaceID, &w.DatabaseID, &w.TableID, &w.URL, &w.Method,
		&headers, pq.Array(&w.Events), &w.Format, &w.Secret, &w.Active, &w.FailureCount,
		&w.MaxFailures, &w.MaxAttempts, &w.CreatedAt, &w.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(headers, &w.Headers); err != nil {
		return nil, fmt.Errorf("webhook %d headers: %w", w.ID, err)
	}
	if w.Events == nil {
		w.Events = []string{}
	}
	return &w, nil
}

func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func insertWebhook(ctx context.Context, db sqlx.QueryerContext, w *Webhook) (*Webhook, error) {
	headers, err := json.Marshal(w.Headers)
	if err != nil {
		return nil, err
	}
	row := db.QueryRowxContext(ctx, `INSERT INTO webhooks (workspace_id, database_id, table_id,
		url, method, headers, events, format, secret, max_failures, max_attempts)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING `+webhookColumns,
		w.WorkspaceID, nullID(w.DatabaseID), nullID(w.TableID), w.URL, w.Method, string(headers),
		pq.Array(w.Events), w.Format, w.Secret, w.MaxFailures, w.MaxAttempts)
	out, err := scanWebhook(row)
	if err != nil {
		return nil, fmt.Errorf("webhooks: insert: %w", err)
	}
	return out, nil
}

func getWebhook(ctx context.Context, db sqlx.QueryerContext, id int64) (*Webhook, error) {
	w, err := scanWebhook(db.QueryRowxContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gqlbase.NotFound("webhook %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("webhooks: get %d: %w", id, err)
	}
	return w, nil
}

func listWebhooks(ctx context.Context, db sqlx.QueryerContext, workspaceID int64, limit int) ([]*Webhook, error) {
	rows, err := db.QueryxContext(ctx, `SELECT `+webhookColumns+` FROM webhooks
		WHERE workspace_id = $1 ORDER BY id LIMIT $2`, workspaceID, limit)
	if err != nil {
		return nil, fmt.Errorf("webhooks: list: %w", err)
	}
	defer rows.Close()
	var out []*Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("webhooks: list: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// recordOutcome counts an attempt: a success clears the failure count, a failure adds one
// and deactivates the webhook when it reaches max_failures. It returns the webhook's state.
func recordOutcome(ctx context.Context, db sqlx.QueryerContext, id int64, ok bool) (active bool, failures int, err error) {
	q := `UPDATE webhooks SET failure_count = 0, updated_at = now() WHERE id = $1
		RETURNING active, failure_count`
	if !ok {
		q = `UPDATE webhooks SET failure_count = failure_count + 1,
			active = active AND failure_count + 1 < max_failures, updated_at = now()
			WHERE id = $1 RETURNING active, failure_count`
	}
	err = db.QueryRowxContext(ctx, q, id).Scan(&active, &failures)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, 0, fmt.Errorf("webhooks: record outcome: %w", err)
	}
	return active, failures, nil
}

func insertDelivery(ctx context.Context, db sqlx.QueryerContext, d *Delivery) error {
	reqH, _ := json.Marshal(d.RequestHeaders)
	respH, _ := json.Marshal(d.ResponseHeaders)
	var status any
	if d.Status != 0 {
		status = d.Status
	}
	err := db.QueryRowxContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, event_id, job_id,
		message_id, attempt, request_headers, request_body, status, response_headers,
		response_body, duration_ms, error, succeeded)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id, created_at`,
		d.WebhookID, nullID(d.EventID), nullID(d.JobID), d.MessageID, d.Attempt, string(reqH),
		d.RequestBody, status, string(respH), d.ResponseBody, d.Duration.Milliseconds(), d.Error,
		d.Succeeded).Scan(&d.ID, &d.CreatedAt)
	if err != nil {
		return fmt.Errorf("webhooks: log delivery: %w", err)
	}
	return nil
}

const deliveryColumns = `id, webhook_id, coalesce(event_id, 0), coalesce(job_id, 0), message_id,
	attempt, request_headers, request_body, coalesce(status, 0), response_headers, response_body,
	duration_ms, error, succeeded, created_at`

func scanDelivery(r rowScanner) (*Delivery, error) {
	var d Delivery
	var reqH, respH []byte
	var ms int64
	if err := r.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.JobID, &d.MessageID, &d.Attempt, &reqH,
		&d.RequestBody, &d.Status, &respH, &d.ResponseBody, &ms, &d.Error, &d.Succeeded,
		&d.CreatedAt); err != nil {
		return nil, err
	}
	d.Duration = time.Duration(ms) * time.Millisecond
	if err := json.Unmarshal(reqH, &d.RequestHeaders); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(respH, &d.ResponseHeaders); err != nil {
		return nil, err
	}
	return &d, nil
}

func listDeliveries(ctx context.Context, db sqlx.QueryerContext, webhookID int64, limit int) ([]*Delivery, error) {
	rows, err := db.QueryxContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2`, webhookID, limit)
	if err != nil {
		return nil, fmt.Errorf("webhooks: deliveries: %w", err)
	}
	defer rows.Close()
	var out []*Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("webhooks: deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func getDelivery(ctx context.Context, db sqlx.QueryerContext, id int64) (*Delivery, error) {
	d, err := scanDelivery(db.QueryRowxContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gqlbase.NotFound("webhook delivery %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("webhooks: delivery %d: %w", id, err)
	}
	return d, nil
}
