package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/gqlbase/gqlbase"
)

// MaxColumnSettings is the most bytes of JSON one column's settings for one dialect hold.
const MaxColumnSettings = 64 << 10

var dialectPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// ColumnSettings returns the JSON document a dialect keeps for a column ({} when none), kept
// apart from the core metadata and deleted with the column.
func (s *Store) ColumnSettings(ctx context.Context, columnID int64, dialect string) (json.RawMessage, error) {
	var out []string
	if err := s.db.SelectContext(ctx, &out, `SELECT settings::text FROM column_settings WHERE column_id = $1 AND dialect = $2`,
		columnID, dialect); err != nil {
		return nil, fmt.Errorf("read column settings: %w", err)
	}
	if len(out) == 0 {
		return json.RawMessage(`{}`), nil
	}
	return json.RawMessage(out[0]), nil
}

// SetColumnSettings replaces a dialect's settings of a column; an empty document removes them.
func (s *Store) SetColumnSettings(ctx context.Context, columnID int64, dialect string, settings map[string]any) (json.RawMessage, error) {
	if !dialectPattern.MatchString(dialect) {
		return nil, gqlbase.BadInput("dialect must match %s", dialectPattern).WithField("dialect")
	}
	b, err := json.Marshal(settings)
	if err != nil {
		return nil, gqlbase.BadInput("settings: %v", err).WithField("settings")
	}
	if len(b) > MaxColumnSettings {
		return nil, gqlbase.BadInput("settings: %d bytes; at most %d", len(b), MaxColumnSettings).WithField("settings")
	}
	out := `{}`
	err = s.InTx(ctx, func(tx *Tx) error {
		if len(settings) == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM column_settings WHERE column_id = $1 AND dialect = $2`, columnID, dialect); err != nil {
				return fmt.Errorf("clear column settings: %w", err)
			}
			return nil
		}
		err := tx.GetContext(ctx, &out, `INSERT INTO column_settings (column_id, dialect, settings) VALUES ($1, $2, $3::jsonb)
			ON CONFLICT (column_id, dialect) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()
			RETURNING settings::text`, columnID, dialect, string(b))
		if pgCode(err) == sqlstateForeignKeyViolation {
			return gqlbase.NotFound("column %d not found", columnID)
		}
		if err != nil {
			return fmt.Errorf("write column settings: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return json.RawMessage(out), nil
}
