package gqlbase

import (
	"encoding/json"
	"time"
)

// Records the store reads and writes besides tables and rows: row history, the trash,
// aggregates, row patches and environment variables. The db tags name their columns.

// HistoryEntry is one snapshot of a row: what it looked like after a change (for a delete,
// what was deleted).
type HistoryEntry struct {
	ID      int64           `db:"id"`
	RowID   int64           `db:"row_id"`
	Version int             `db:"version"`
	Op      string          `db:"op"`
	Data    json.RawMessage `db:"data"`
	Actor   *string         `db:"actor"`
	At      time.Time       `db:"at"`
}

// TrashedRow is a deleted row waiting in the trash.
type TrashedRow struct {
	RowID     int64           `db:"row_id"`
	Data      json.RawMessage `db:"data"`
	DeletedBy *string         `db:"deleted_by"`
	DeletedAt time.Time       `db:"deleted_at"`
}

// AggregateFn is an aggregate function.
type AggregateFn string

const (
	AggregateFnCount         AggregateFn = "COUNT"
	AggregateFnCountDistinct AggregateFn = "COUNT_DISTINCT"
	AggregateFnSum           AggregateFn = "SUM"
	AggregateFnAvg           AggregateFn = "AVG"
	AggregateFnMin           AggregateFn = "MIN"
	AggregateFnMax           AggregateFn = "MAX"
	AggregateFnMedian        AggregateFn = "MEDIAN"
	AggregateFnStddev        AggregateFn = "STDDEV"
	AggregateFnVariance      AggregateFn = "VARIANCE"
	AggregateFnEmpty         AggregateFn = "EMPTY_COUNT"
	AggregateFnNotEmpty      AggregateFn = "NOT_EMPTY_COUNT"
	AggregateFnUnique        AggregateFn = "UNIQUE_COUNT"
	AggregateFnChecked       AggregateFn = "CHECKED_COUNT"
	AggregateFnNotChecked    AggregateFn = "NOT_CHECKED_COUNT"
	AggregateFnEmptyPct      AggregateFn = "EMPTY_PERCENT"
	AggregateFnNotEmptyPct   AggregateFn = "NOT_EMPTY_PERCENT"
	AggregateFnUniquePct     AggregateFn = "UNIQUE_PERCENT"
	AggregateFnCheckedPct    AggregateFn = "CHECKED_PERCENT"
	AggregateFnNotCheckedPct AggregateFn = "NOT_CHECKED_PERCENT"
)

// AggregateFns lists the aggregate functions.
var AggregateFns = []AggregateFn{AggregateFnCount, AggregateFnCountDistinct, AggregateFnSum, AggregateFnAvg,
	AggregateFnMin, AggregateFnMax, AggregateFnMedian, AggregateFnStddev, AggregateFnVariance, AggregateFnEmpty,
	AggregateFnNotEmpty, AggregateFnUnique, AggregateFnChecked, AggregateFnNotChecked, AggregateFnEmptyPct,
	AggregateFnNotEmptyPct, AggregateFnUniquePct, AggregateFnCheckedPct, AggregateFnNotCheckedPct}

// Aggregate is one aggregate to compute, named Alias in the result.
type Aggregate struct {
	Fn     AggregateFn
	Column string // empty for COUNT of rows
	Alias  string
}

// AggregateGroup is one group's key (the group-by columns' values) and aggregate values.
type AggregateGroup struct {
	Key    json.RawMessage `db:"key"`
	Values json.RawMessage `db:"vals"`
}

// RowPatch is an update of one row.
type RowPatch struct {
	ID     int64
	Values map[string]any // canonical (PreparePatch)
	// ExpectedVersion, when set, must be the row's current version.
	ExpectedVersion *int
}

// EnvVar is an environment variable of a workspace (DatabaseID nil) or of a database.
type EnvVar struct {
	ID          int64     `db:"id"`
	WorkspaceID int64     `db:"workspace_id"`
	DatabaseID  *int64    `db:"database_id"`
	Name        string    `db:"name"`
	Value       string    `db:"value"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

// SQLResult is what a raw SQL request did.
type SQLResult struct {
	// Columns and Rows are those of the last statement that returned rows; each row is a JSON
	// object with the columns in order.
	Columns []string
	Rows    []json.RawMessage
	// Truncated tells that rows beyond MaxRows were left out.
	Truncated bool
	// AffectedTables are the tables the statements wrote to or changed the structure of.
	AffectedTables []string
	// NumChanges counts the rows inserted, updated and deleted.
	NumChanges int64
	// Errors holds the database's error when a statement failed; nothing was changed then.
	Errors []string
	// ChangedTableIDs are the tables whose metadata or rows changed (for caches).
	ChangedTableIDs []int64
}
