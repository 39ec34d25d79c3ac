package gqlbase

import "time"

// AuditEntry is one line of a workspace's audit log: who did what to which resource.
type AuditEntry struct {
	ID           int64          `json:"id"`
	WorkspaceID  int64          `json:"-"`
	At           time.Time      `json:"at"`
	Actor        string         `json:"actor"`
	Action       string         `json:"action"`
	ResourceType string         `json:"resourceType"`
	ResourceID   *int64         `json:"resourceId,omitempty"`
	Details      map[string]any `json:"details"`
}

// AuditConnection is one page of the audit log, newest first.
type AuditConnection struct {
	Entries     []*AuditEntry `json:"entries"`
	EndCursor   *string       `json:"endCursor,omitempty"`
	HasNextPage bool          `json:"hasNextPage"`
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	WorkspaceID  int64
	Action       string
	ResourceType string
	ResourceID   *int64
	// Before is the id entries must be older than (0: from the newest).
	Before int64
	Limit  int
}

// Audit is what an operation records in the audit log; storage writes it in the transaction
// of the change (storage.WithAudit).
type Audit struct {
	WorkspaceID  int64
	Actor        string
	Action       string
	ResourceType string
	// ResourceID is the resource's id when known before the change; a creation fills in the
	// id of what it created.
	ResourceID int64
	Details    map[string]any
}
