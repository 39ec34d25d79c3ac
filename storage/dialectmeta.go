package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
)

// What the REST dialects keep beside the core metadata: environment variables, dialect
// settings of databases and tables (opaque JSON objects owned by one dialect each) and token
// descriptions. Callers authorize; these functions only read and write.

const envVarColumns = `id, workspace_id, database_id, name, value, created_at, updated_at`

// ListEnvVars returns the variables of a workspace (databaseID nil) or of a database, by name.
func (s *Store) ListEnvVars(ctx context.Context, workspaceID int64, databaseID *int64) ([]*gqlbase.EnvVar, error) {
	out := []*gqlbase.EnvVar{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+envVarColumns+` FROM env_vars
		WHERE workspace_id = $1 AND coalesce(database_id, 0) = coalesce($2::bigint, 0) ORDER BY name`, workspaceID, databaseID)
	if err != nil {
		return nil, fmt.Errorf("list env vars: %w", err)
	}
	return out, nil
}

// CreateEnvVar adds a variable; a name that exists answers CONFLICT.
func (s *Store) CreateEnvVar(ctx context.Context, workspaceID int64, databaseID *int64, name, value string) (*gqlbase.EnvVar, error) {
	var v gqlbase.EnvVar
	err := s.db.GetContext(ctx, &v, `INSERT INTO env_vars (workspace_id, database_id, name, value)
		VALUES ($1, $2, $3, $4) RETURNING `+envVarColumns, workspaceID, databaseID, name, value)
	if pgCode(err) == sqlstateUniqueViolation {
		return nil, gqlbase.Conflict("an environment variable named %q already exists", name).WithField("name")
	}
	if err != nil {
		return nil, fmt.Errorf("create env var: %w", err)
	}
	return &v, nil
}

// UpdateEnvVar renames a variable and/or changes its value; nil fields stay.
func (s *Store) UpdateEnvVar(ctx context.Context, workspaceID int64, databaseID *int64, name string, newName, value *string) (*gqlbase.EnvVar, error) {
	var v gqlbase.EnvVar
	err := s.db.GetContext(ctx, &v, `UPDATE env_vars SET name = coalesce($4, name), value = coalesce($5, value), updated_at = now()
		WHERE workspace_id = $1 AND coalesce(database_id, 0) = coalesce($2::bigint, 0) AND name = $3 RETURNING `+envVarColumns,
		workspaceID, databaseID, name, newName, value)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("environment variable %q not found", name)
	}
	if pgCode(err) == sqlstateUniqueViolation {
		return nil, gqlbase.Conflict("an environment variable named %q already exists", *newName).WithField("name")
	}
	if err != nil {
		return nil, fmt.Errorf("update env var: %w", err)
	}
	return &v, nil
}

// SetEnvVars creates or replaces variables (for settings documents that list them).
func (s *Store) SetEnvVars(ctx context.Context, workspaceID int64, databaseID *int64, vars map[string]string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		for name, value := range vars {
			_, err := tx.ExecContext(ctx, `INSERT INTO env_vars (workspace_id, database_id, name, value) VALUES ($1, $2, $3, $4)
				ON CONFLICT (workspace_id, coalesce(database_id, 0), name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
				workspaceID, databaseID, name, value)
			if err != nil {
				return fmt.Errorf("set env var: %w", err)
			}
		}
		return nil
	})
}

// DeleteEnvVar removes a variable.
func (s *Store) DeleteEnvVar(ctx context.Context, workspaceID int64, databaseID *int64, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM env_vars WHERE workspace_id = $1 AND coalesce(database_id, 0) = coalesce($2::bigint, 0) AND name = $3`,
		workspaceID, databaseID, name)
	if err != nil {
		return fmt.Errorf("delete env var: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return gqlbase.NotFound("environment variable %q not found", name)
	}
	return nil
}

// DatabaseSettings returns the settings a dialect keeps for a database ({} when none).
func (s *Store) DatabaseSettings(ctx context.Context, databaseID int64, dialect string) (map[string]any, error) {
	return s.settings(ctx, `SELECT settings FROM database_settings WHERE database_id = $1 AND dialect = $2`, databaseID, dialect)
}

// MergeDatabaseSettings merges patch into a database's settings of a dialect (top-level keys;
// a null value removes the key) and returns the result. A non-nil schemaLocked changes the
// database's schema lock in the same transaction, so a dialect's settings request that does
// both is all or nothing.
func (s *Store) MergeDatabaseSettings(ctx context.Context, databaseID int64, dialect string, patch map[string]any, schemaLocked *bool, actor string) (map[string]any, error) {
	var out map[string]any
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		if schemaLocked != nil {
			if _, err := setSchemaLockedTx(ctx, tx, databaseID, *schemaLocked, actor); err != nil {
				return err
			}
		}
		var err error
		out, err = mergeDatabaseSettingsTx(ctx, tx, databaseID, dialect, patch)
		return err
	})
	return out, err
}

func mergeDatabaseSettingsTx(ctx context.Context, tx *Tx, databaseID int64, dialect string, patch map[string]any) (map[string]any, error) {
	b, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("encode settings: %w", err)
	}
	var raw []byte
	err = tx.GetContext(ctx, &raw, `INSERT INTO database_settings (database_id, dialect, settings) VALUES ($1, $2, jsonb_strip_nulls($3::jsonb))
		ON CONFLICT (database_id, dialect) DO UPDATE SET settings = jsonb_strip_nulls(database_settings.settings || $3::jsonb), updated_at = now()
		RETURNING settings`, databaseID, dialect, string(b))
	if pgCode(err) == sqlstateForeignKeyViolation {
		return nil, gqlbase.NotFound("database %d not found", databaseID)
	}
	if err != nil {
		return nil, fmt.Errorf("write settings: %w", err)
	}
	return decodeSettings(raw)
}

// TableSettings returns the settings a dialect keeps for a table ({} when none).
func (s *Store) TableSettings(ctx context.Context, tableID int64, dialect string) (map[string]any, error) {
	return s.settings(ctx, `SELECT settings FROM table_settings WHERE table_id = $1 AND dialect = $2`, tableID, dialect)
}

// TableSettingsOf returns the settings of a dialect for several tables (absent: none).
func (s *Store) TableSettingsOf(ctx context.Context, tableIDs []int64, dialect string) (map[int64]map[string]any, error) {
	var rows []struct {
		TableID  int64  `db:"table_id"`
		Settings []byte `db:"settings"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT table_id, settings FROM table_settings WHERE table_id = ANY($1) AND dialect = $2`,
		pq.Array(tableIDs), dialect)
	if err != nil {
		return nil, fmt.Errorf("table settings: %w", err)
	}
	out := make(map[int64]map[string]any, len(rows))
	for _, r := range rows {
		m, err := decodeSettings(r.Settings)
		if err != nil {
			return nil, err
		}
		out[r.TableID] = m
	}
	return out, nil
}

// MergeTableSettings merges patch into a table's settings of a dialect, like
// MergeDatabaseSettings.
func (s *Store) MergeTableSettings(ctx context.Context, tableID int64, dialect string, patch map[string]any) (map[string]any, error) {
	return s.mergeSettings(ctx, `INSERT INTO table_settings (table_id, dialect, settings) VALUES ($1, $2, jsonb_strip_nulls($3::jsonb))
		ON CONFLICT (table_id, dialect) DO UPDATE SET settings = jsonb_strip_nulls(table_settings.settings || $3::jsonb), updated_at = now()
		RETURNING settings`, tableID, dialect, patch)
}

func (s *Store) settings(ctx context.Context, query string, id int64, dialect string) (map[string]any, error) {
	var raw []byte
	err := s.db.GetContext(ctx, &raw, query, id, dialect)
	if isNoRows(err) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	return decodeSettings(raw)
}

func (s *Store) mergeSettings(ctx context.Context, query string, id int64, dialect string, patch map[string]any) (map[string]any, error) {
	b, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("encode settings: %w", err)
	}
	var raw []byte
	err = s.InTx(ctx, func(tx *Tx) error { return tx.GetContext(ctx, &raw, query, id, dialect, string(b)) })
	if pgCode(err) == sqlstateForeignKeyViolation {
		return nil, gqlbase.NotFound("%d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("write settings: %w", err)
	}
	return decodeSettings(raw)
}

func decodeSettings(raw []byte) (map[string]any, error) {
	m := map[string]any{}
	if len(raw) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode settings: %w", err)
	}
	return m, nil
}
