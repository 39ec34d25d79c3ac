package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/gqlbase/gqlbase"
)

// The audit log: a use case puts its entry in the context of its storage call (WithAudit),
// and the first transaction that commits with that context writes it just before COMMIT, so
// the entry exists exactly when the change does. A creation names the resource it made
// (noteAuditResource) inside the transaction.

type pendingAudit struct {
	mu      sync.Mutex
	a       gqlbase.Audit
	written bool
}

type auditKey struct{}

// WithAudit returns a context whose next committed storage transaction records a.
func WithAudit(ctx context.Context, a gqlbase.Audit) context.Context {
	if a.Details == nil {
		a.Details = map[string]any{}
	}
	return context.WithValue(ctx, auditKey{}, &pendingAudit{a: a})
}

func auditFrom(ctx context.Context) *pendingAudit {
	p, _ := ctx.Value(auditKey{}).(*pendingAudit)
	return p
}

// noteAuditResource names the resource a transaction created, for the pending entry.
func noteAuditResource(ctx context.Context, id int64) {
	if p := auditFrom(ctx); p != nil {
		p.mu.Lock()
		if p.a.ResourceID == 0 {
			p.a.ResourceID = id
		}
		p.mu.Unlock()
	}
}

// writeAudit inserts the pending entry of ctx in tx (nothing when there is none, or when an
// earlier transaction of the same operation wrote it). It returns what to call after COMMIT.
func writeAudit(ctx context.Context, tx *Tx) (committed func(), err error) {
	p := auditFrom(ctx)
	if p == nil {
		return func() {}, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.written {
		return func() {}, nil
	}
	if err := insertAudit(ctx, tx, p.a); err != nil {
		return nil, err
	}
	return func() { p.mu.Lock(); p.written = true; p.mu.Unlock() }, nil
}

func insertAudit(ctx context.Context, q queryer, a gqlbase.Audit) error {
	details, err := json.Marshal(a.Details)
	if err != nil {
		return fmt.Errorf("audit details: %w", err)
	}
	var rid any
	if a.ResourceID != 0 {
		rid = a.ResourceID
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO audit_log (workspace_id, actor, action, resource_type, resource_id, details)
		VALUES ($1, $2, $3, $4, $5, $6)`, a.WorkspaceID, a.Actor, a.Action, a.ResourceType, rid, string(details)); err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	return nil
}

// RecordAudit writes the pending entry of ctx on its own, for what changes nothing stored
// (an export).
func (s *Store) RecordAudit(ctx context.Context) error {
	return s.InTx(ctx, func(*Tx) error { return nil })
}

// ListAudit returns a page of a workspace's audit log, newest first, and whether more follow.
func (s *Store) ListAudit(ctx context.Context, f gqlbase.AuditFilter) ([]*gqlbase.AuditEntry, bool, error) {
	var rows []struct {
		ID           int64     `db:"id"`
		WorkspaceID  int64     `db:"workspace_id"`
		At           time.Time `db:"at"`
		Actor        string    `db:"actor"`
		Action       string    `db:"action"`
		ResourceType string    `db:"resource_type"`
		ResourceID   *int64    `db:"resource_id"`
		Details      []byte    `db:"details"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT id, workspace_id, at, actor, action, resource_type, resource_id, details
		FROM audit_log WHERE workspace_id = $1
		AND ($2 = '' OR action = $2) AND ($3 = '' OR resource_type = $3)
		AND ($4::bigint IS NULL OR resource_id = $4) AND ($5 = 0 OR id < $5)
		ORDER BY id DESC LIMIT $6`, f.WorkspaceID, f.Action, f.ResourceType, f.ResourceID, f.Before, f.Limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("list audit log: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	out := make([]*gqlbase.AuditEntry, len(rows))
	for i, r := range rows {
		e := &gqlbase.AuditEntry{ID: r.ID, WorkspaceID: r.WorkspaceID, At: r.At, Actor: r.Actor, Action: r.Action,
			ResourceType: r.ResourceType, ResourceID: r.ResourceID}
		if err := json.Unmarshal(r.Details, &e.Details); err != nil {
			return nil, false, fmt.Errorf("audit entry %d details: %w", r.ID, err)
		}
		out[i] = e
	}
	return out, more, nil
}

// PurgeAudit deletes audit entries older than retention, in batches, and returns how many.
func (s *Store) PurgeAudit(ctx context.Context, retention time.Duration) (int64, error) {
	var total int64
	for {
		res, err := s.db.ExecContext(ctx, `DELETE FROM audit_log WHERE id IN (
			SELECT id FROM audit_log WHERE at < now() - make_interval(secs => $1) LIMIT 10000)`, retention.Seconds())
		if err != nil {
			return total, fmt.Errorf("purge audit log: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < 10000 {
			return total, nil
		}
	}
}
