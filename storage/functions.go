package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
)

// Server functions, their versions, invocation log and fetch allowlist. Callers authorize.

// maxInvocationsKept bounds a function's invocation log: older entries are trimmed on insert.
const maxInvocationsKept = 1000

type functionRow struct {
	ID             int64          `db:"id"`
	WorkspaceID    int64          `db:"workspace_id"`
	DatabaseID     int64          `db:"database_id"`
	Name           string         `db:"name"`
	Description    string         `db:"description"`
	CurrentVersion int            `db:"current_version"`
	LatestVersion  int            `db:"latest_version"`
	Code           string         `db:"code"`
	Scopes         pq.StringArray `db:"scopes"`
	TimeoutMs      int            `db:"timeout_ms"`
	CreatedBy      *int64         `db:"created_by"`
	HasCreator     bool           `db:"has_creator"`
	CreatedAt      time.Time      `db:"created_at"`
	UpdatedAt      time.Time      `db:"updated_at"`
}

func (r *functionRow) function() *gqlbase.Function {
	f := &gqlbase.Function{ID: r.ID, WorkspaceID: r.WorkspaceID, DatabaseID: r.DatabaseID, Name: r.Name,
		Description: r.Description, CurrentVersion: r.CurrentVersion, LatestVersion: r.LatestVersion, Code: r.Code,
		TimeoutMs: r.TimeoutMs, CreatedBy: r.CreatedBy, HasCreator: r.HasCreator, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, s := range r.Scopes {
		f.Scopes = append(f.Scopes, gqlbase.Scope(s))
	}
	return f
}

const functionSelect = `SELECT f.id, f.workspace_id, f.database_id, f.name, f.description, f.current_version,
	f.latest_version, v.code, f.scopes, f.timeout_ms, f.created_by, f.has_creator, f.created_at, f.updated_at
	FROM functions f JOIN function_versions v ON v.function_id = f.id AND v.version = f.current_version`

func functionConflict(err error, name string) error {
	if pgCode(err) == sqlstateUniqueViolation {
		return gqlbase.Conflict("the database already has a function named %q", name).WithField("name")
	}
	return err
}

// CreateFunction saves a function with its first version.
func (s *Store) CreateFunction(ctx context.Context, f *gqlbase.Function) (*gqlbase.Function, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		err := tx.GetContext(ctx, &id, `INSERT INTO functions (workspace_id, database_id, name, description, scopes,
			timeout_ms, created_by, has_creator) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			f.WorkspaceID, f.DatabaseID, f.Name, f.Description, scopeStrings(f.Scopes), f.TimeoutMs, f.CreatedBy, f.HasCreator)
		if err != nil {
			return functionConflict(err, f.Name)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO function_versions (function_id, version, code) VALUES ($1, 1, $2)`, id, f.Code)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create function: %w", err)
	}
	return s.FunctionByID(ctx, id)
}

// FunctionByID loads a function at its current version (NOT_FOUND when there is none).
func (s *Store) FunctionByID(ctx context.Context, id int64) (*gqlbase.Function, error) {
	var r functionRow
	err := s.db.GetContext(ctx, &r, functionSelect+` WHERE f.id = $1`, id)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("function %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load function %d: %w", id, err)
	}
	return r.function(), nil
}

// FunctionByName loads a database's function by name.
func (s *Store) FunctionByName(ctx context.Context, databaseID int64, name string) (*gqlbase.Function, error) {
	var r functionRow
	err := s.db.GetContext(ctx, &r, functionSelect+` WHERE f.database_id = $1 AND f.name = $2`, databaseID, name)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("no function named %q", name)
	}
	if err != nil {
		return nil, fmt.Errorf("load function %q: %w", name, err)
	}
	return r.function(), nil
}

// ListFunctions pages a database's functions by name, after the name given.
func (s *Store) ListFunctions(ctx context.Context, databaseID int64, after string, limit int) ([]*gqlbase.Function, bool, error) {
	var rows []functionRow
	err := s.db.SelectContext(ctx, &rows, functionSelect+` WHERE f.database_id = $1 AND f.name > $2
		ORDER BY f.name COLLATE "C" LIMIT $3`, databaseID, after, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("list functions: %w", err)
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	out := make([]*gqlbase.Function, len(rows))
	for i := range rows {
		out[i] = rows[i].function()
	}
	return out, more, nil
}

// UpdateFunction changes a function; new code (non-nil) is saved as the next version and
// becomes current, in one transaction.
func (s *Store) UpdateFunction(ctx context.Context, id int64, in gqlbase.UpdateFunctionInput) (*gqlbase.Function, error) {
	err := s.InTx(ctx, func(tx *Tx) error {
		var version int
		err := tx.GetContext(ctx, &version, `UPDATE functions SET name = coalesce($2, name),
			description = coalesce($3, description), timeout_ms = coalesce($4, timeout_ms),
			latest_version = latest_version + CASE WHEN $5::text IS NULL THEN 0 ELSE 1 END,
			current_version = CASE WHEN $5::text IS NULL THEN current_version ELSE latest_version + 1 END,
			updated_at = now() WHERE id = $1 RETURNING latest_version`, id, in.Name, in.Description, in.TimeoutMs, in.Code)
		if isNoRows(err) {
			return gqlbase.NotFound("function %d not found", id)
		}
		if err != nil {
			name := ""
			if in.Name != nil {
				name = *in.Name
			}
			return functionConflict(err, name)
		}
		if in.Code == nil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO function_versions (function_id, version, code) VALUES ($1, $2, $3)`, id, version, *in.Code)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update function %d: %w", id, err)
	}
	return s.FunctionByID(ctx, id)
}

// RepublishFunction makes a saved version current.
func (s *Store) RepublishFunction(ctx context.Context, id int64, version int) (*gqlbase.Function, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE functions SET current_version = $2, updated_at = now()
		WHERE id = $1 AND EXISTS (SELECT 1 FROM function_versions WHERE function_id = $1 AND version = $2)`, id, version)
	if err != nil {
		return nil, fmt.Errorf("republish function %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, gqlbase.NotFound("function %d has no version %d", id, version).WithField("version")
	}
	return s.FunctionByID(ctx, id)
}

// DeleteFunction removes a function with its versions and log.
func (s *Store) DeleteFunction(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM functions WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete function %d: %w", id, err)
	}
	return nil
}

// FunctionVersions lists a function's saved versions, newest first.
func (s *Store) FunctionVersions(ctx context.Context, id int64) ([]*gqlbase.FunctionVersion, error) {
	out := []*gqlbase.FunctionVersion{}
	err := s.db.SelectContext(ctx, &out, `SELECT function_id, version, code, created_at FROM function_versions
		WHERE function_id = $1 ORDER BY version DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("list versions of function %d: %w", id, err)
	}
	return out, nil
}

type invocationRow struct {
	ID         int64          `db:"id"`
	FunctionID int64          `db:"function_id"`
	Version    int            `db:"version"`
	Trigger    string         `db:"trigger"`
	Input      []byte         `db:"input"`
	Output     []byte         `db:"output"`
	Logs       pq.StringArray `db:"logs"`
	Error      *string        `db:"error"`
	DurationMs float64        `db:"duration_ms"`
	CreatedAt  time.Time      `db:"created_at"`
}

// RecordInvocation appends to a function's invocation log and trims it to the newest
// maxInvocationsKept, in one statement.
func (s *Store) RecordInvocation(ctx context.Context, inv *gqlbase.FunctionInvocation) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `WITH ins AS (
			INSERT INTO function_invocations (function_id, version, trigger, input, output, logs, error, duration_ms)
			VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8) RETURNING id),
		trim AS (DELETE FROM function_invocations WHERE function_id = $1 AND id <= (
			SELECT id FROM function_invocations WHERE function_id = $1 ORDER BY id DESC OFFSET $9 - 1 LIMIT 1))
		SELECT id FROM ins`,
		inv.FunctionID, inv.Version, inv.Trigger, nullJSON(inv.Input), nullJSON(inv.Output), pq.StringArray(inv.Logs),
		inv.Error, inv.DurationMs, maxInvocationsKept)
	if err != nil {
		return 0, fmt.Errorf("record invocation of function %d: %w", inv.FunctionID, err)
	}
	return id, nil
}

func nullJSON(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	return string(raw)
}

// ListInvocations pages a function's invocation log, newest first, before the id given (0:
// from the newest).
func (s *Store) ListInvocations(ctx context.Context, functionID, before int64, limit int) ([]*gqlbase.FunctionInvocation, bool, error) {
	var rows []invocationRow
	err := s.db.SelectContext(ctx, &rows, `SELECT id, function_id, version, trigger, input, output, logs, error,
		duration_ms, created_at FROM function_invocations WHERE function_id = $1 AND ($2 = 0 OR id < $2)
		ORDER BY id DESC LIMIT $3`, functionID, before, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("list invocations of function %d: %w", functionID, err)
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	out := make([]*gqlbase.FunctionInvocation, len(rows))
	for i, r := range rows {
		out[i] = &gqlbase.FunctionInvocation{ID: r.ID, FunctionID: r.FunctionID, Version: r.Version, Trigger: r.Trigger,
			Input: r.Input, Output: r.Output, Logs: []string(r.Logs), Error: r.Error, DurationMs: r.DurationMs, CreatedAt: r.CreatedAt}
		if out[i].Logs == nil {
			out[i].Logs = []string{}
		}
	}
	return out, more, nil
}

// FunctionFetchHosts returns the hosts a workspace's functions may fetch from.
func (s *Store) FunctionFetchHosts(ctx context.Context, workspaceID int64) ([]string, error) {
	var hosts pq.StringArray
	err := s.db.GetContext(ctx, &hosts, `SELECT hosts FROM function_fetch_hosts WHERE workspace_id = $1`, workspaceID)
	if isNoRows(err) {
		return []string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load fetch hosts: %w", err)
	}
	return []string(hosts), nil
}

// SetFunctionFetchHosts replaces a workspace's fetch allowlist.
func (s *Store) SetFunctionFetchHosts(ctx context.Context, workspaceID int64, hosts []string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO function_fetch_hosts (workspace_id, hosts) VALUES ($1, $2)
		ON CONFLICT (workspace_id) DO UPDATE SET hosts = excluded.hosts`, workspaceID, pq.StringArray(hosts))
	if err != nil {
		return fmt.Errorf("set fetch hosts: %w", err)
	}
	return nil
}
