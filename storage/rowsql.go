package storage

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/outbox"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// rowColumns selects a row as the storage layer returns it: system columns plus the user
// columns as one JSON object in column order (built by Postgres, passed through undecoded).
func rowColumns(t *gqlbase.Table, alias string, only []string) string {
	var cols []string
	if only == nil {
		for _, c := range t.Columns {
			cols = append(cols, alias+"."+plan.QuoteIdent(c.Name))
		}
	} else {
		for _, name := range only {
			cols = append(cols, alias+"."+plan.QuoteIdent(name))
		}
	}
	data := `'{}'::json`
	if len(cols) > 0 {
		data = "(SELECT row_to_json(\"__row\") FROM (SELECT " + strings.Join(cols, ", ") + ") AS \"__row\")"
	}
	return fmt.Sprintf("%[1]s.id, %[1]s.version, %[1]s.created_at, %[1]s.updated_at, %[1]s.created_by, %[2]s AS data",
		alias, data)
}

type rowRecord struct {
	ID        int64     `db:"id"`
	Version   int       `db:"version"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
	CreatedBy *string   `db:"created_by"`
	Data      []byte    `db:"data"`
	SortKeys  []byte    `db:"sort_keys"`
}

func (r *rowRecord) row(tableID int64) *gqlbase.Row {
	return &gqlbase.Row{
		TableID: tableID, ID: r.ID, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		CreatedBy: r.CreatedBy, Data: json.RawMessage(r.Data),
	}
}

// recordsetColumns is the column definition list of jsonb_to_recordset for these columns.
func recordsetColumns(t *gqlbase.Table, names []string) string {
	defs := make([]string, len(names))
	for i, n := range names {
		defs[i] = plan.QuoteIdent(n) + " " + t.UserColumn(n).Type.PGType()
	}
	return strings.Join(defs, ", ")
}

// encodeValues encodes canonical values (CoerceValue's output) as a JSON object for
// jsonb_to_record(set): times in RFC 3339 with microseconds, everything else as JSON.
func encodeValue(v any) any {
	if tm, ok := v.(time.Time); ok {
		return tm.UTC().Format("2006-01-02T15:04:05.999999Z07:00")
	}
	return v
}

func encodeRows(rows []map[string]any) (string, error) {
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		m := make(map[string]any, len(r))
		for k, v := range r {
			m[k] = encodeValue(v)
		}
		out[i] = m
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// writeTail is the part of every row write statement after the CTE that changed rows: it
// records history and events for each changed row (from CTE src, which must return the row
// as to_jsonb in after_row and, for updates and deletes, before_row) and notifies listeners.
// Parameters: $1 table id, $2 actor, $3 workspace id, $4 database id.
//
// It is the one definition of a row write's history and outbox rows: the API's statements
// end with it, and so do the statements of the triggers that record other writers' changes
// (writeTriggerSQL), with the same parameters.
func writeTail(op string, kind gqlbase.EventKind, src string, withBefore, withAfter bool) string {
	histData, before, after := "after_row", "null::jsonb", "null::jsonb"
	if withBefore {
		before = "before_row"
	}
	if withAfter {
		after = "after_row"
	} else {
		histData = "before_row"
	}
	return fmt.Sprintf(`hist AS (
		INSERT INTO row_history (table_id, row_id, version, op, data, actor)
		SELECT $1, %[3]s.id, %[3]s.version, '%[1]s', %[3]s.%[4]s, $2 FROM %[3]s),
	ev AS (
		INSERT INTO events (workspace_id, database_id, table_id, row_id, kind, actor, payload)
		SELECT $3, $4, $1, %[3]s.id, '%[2]s', $2, %[7]s FROM %[3]s
		RETURNING id),
	notified AS (`+fmt.Sprintf(notifySQL, "ev")+`)`, op, kind, src, histData, before, after, outbox.PayloadSQL(before, after))
}

// trashSQL is the CTE that sends deleted rows (CTE src, with before_row) to the trash, with
// the parameters of writeTail.
func trashSQL(src string) string {
	return fmt.Sprintf(`trashed AS (INSERT INTO trash (table_id, row_id, data, deleted_by)
		SELECT $1, %[1]s.id, %[1]s.before_row, $2 FROM %[1]s)`, src)
}
