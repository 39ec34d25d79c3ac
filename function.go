package gqlbase

import (
	"encoding/json"
	"time"
)

// Function is a database's server function at its current version.
type Function struct {
	ID             int64
	WorkspaceID    int64
	DatabaseID     int64
	Name           string
	Description    string
	CurrentVersion int
	LatestVersion  int
	// Code is the current version's code.
	Code string
	// Scopes are what the function may do, cut down at each run to its creator's role.
	Scopes    []Scope
	TimeoutMs int
	// CreatedBy is the user who made it; HasCreator with a nil CreatedBy means that user was
	// deleted (the function no longer runs).
	CreatedBy  *int64
	HasCreator bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// FunctionVersion is one saved code of a function.
type FunctionVersion struct {
	FunctionID int64     `db:"function_id"`
	Version    int       `db:"version"`
	Code       string    `db:"code"`
	CreatedAt  time.Time `db:"created_at"`
}

// FunctionInvocation is one entry of a function's invocation log.
type FunctionInvocation struct {
	ID         int64
	FunctionID int64
	Version    int
	// Trigger says what ran it: "api", "http" (a dialect's route), "row", "cron".
	Trigger    string
	Input      json.RawMessage
	Output     json.RawMessage
	Logs       []string
	Error      *string
	DurationMs float64
	CreatedAt  time.Time
}

// FunctionRun is the answer of running a function.
type FunctionRun struct {
	InvocationID int64
	Output       json.RawMessage
	Logs         []string
	Error        *string
	DurationMs   float64
}

// CreateFunctionInput makes a function.
type CreateFunctionInput struct {
	DatabaseID  int64   `json:"databaseId"`
	Name        string  `json:"name"`
	Code        string  `json:"code"`
	Description *string `json:"description,omitempty"`
	Scopes      []Scope `json:"scopes,omitempty"`
	TimeoutMs   *int    `json:"timeoutMs,omitempty"`
}

// UpdateFunctionInput changes a function; nil fields stay, new code is a new version.
type UpdateFunctionInput struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	Code        *string `json:"code,omitempty"`
	TimeoutMs   *int    `json:"timeoutMs,omitempty"`
}

// FunctionConnection is one page of a database's functions.
type FunctionConnection struct {
	Functions   []*Function
	EndCursor   *string
	HasNextPage bool
}

// FunctionInvocationConnection is one page of an invocation log, newest first.
type FunctionInvocationConnection struct {
	Invocations []*FunctionInvocation
	EndCursor   *string
	HasNextPage bool
}

// FunctionTrigger runs a function on a table's row events and/or on a cron schedule.
type FunctionTrigger struct {
	FunctionID int64
	TableID    *int64
	// Events are the row event kinds that run it (empty: every row event).
	Events    []string
	Cron      *string
	NextRunAt *time.Time
	UpdatedAt time.Time
}

// FunctionTriggerInput sets a function's trigger; neither table nor cron removes it.
type FunctionTriggerInput struct {
	TableID *int64   `json:"tableId,omitempty"`
	Events  []string `json:"events,omitempty"`
	Cron    *string  `json:"cron,omitempty"`
}
