package gqlbase

import (
	"encoding/json"
	"strconv"
	"time"
)

// EventKind names what changed.
type EventKind string

const (
	EventRowCreated      EventKind = "row.created"
	EventRowUpdated      EventKind = "row.updated"
	EventRowDeleted      EventKind = "row.deleted"
	EventRowRestored     EventKind = "row.restored"
	EventTableCreated    EventKind = "table.created"
	EventTableUpdated    EventKind = "table.updated"
	EventTableDeleted    EventKind = "table.deleted"
	EventColumnCreated   EventKind = "column.created"
	EventColumnUpdated   EventKind = "column.updated"
	EventColumnDeleted   EventKind = "column.deleted"
	EventDatabaseCreated EventKind = "database.created"
	EventDatabaseUpdated EventKind = "database.updated"
	EventDatabaseDeleted EventKind = "database.deleted"
)

// IsRow reports whether the event is about a row.
func (k EventKind) IsRow() bool {
	switch k {
	case EventRowCreated, EventRowUpdated, EventRowDeleted, EventRowRestored:
		return true
	}
	return false
}

// IsSchema reports whether the event changes the structure of a table or database.
func (k EventKind) IsSchema() bool { return !k.IsRow() }

// Event is one committed change, as written to the outbox in the change's transaction.
type Event struct {
	ID          int64
	WorkspaceID int64
	DatabaseID  int64
	TableID     int64
	RowID       int64
	Kind        EventKind
	Actor       string
	// Before and After are the row (flat JSON: system and user columns) or, for schema events,
	// the table or column, before and after the change; null where there is none.
	Before    json.RawMessage
	After     json.RawMessage
	CreatedAt time.Time
}

// Actor names the principal in history and events: "user:12", "token:3", "readonly".
func (p *Principal) Actor() string {
	if p == nil {
		return "system"
	}
	switch p.Kind {
	case PrincipalUser:
		return "user:" + strconv.FormatInt(p.UserID, 10)
	case PrincipalToken:
		if p.FunctionID != 0 {
			return "function:" + strconv.FormatInt(p.FunctionID, 10)
		}
		return "token:" + strconv.FormatInt(p.TokenID, 10)
	case PrincipalReadonly:
		return "readonly"
	}
	return "anonymous"
}
