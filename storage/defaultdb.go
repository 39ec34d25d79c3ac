package storage

import (
	"context"
	"fmt"

	"github.com/gqlbase/gqlbase"
)

// The default database of a workspace: the one dialects without a database level use. It is
// the workspace's oldest database unless another was chosen, and it is made (named "default")
// when the workspace has none. Deleting it hands the role to the oldest remaining database in
// the same transaction (DeleteDatabase); with none left, the next EnsureDefaultDatabase makes
// one.

// DefaultDatabase returns the default database of a workspace, or NOT_FOUND when it has none.
func (s *Store) DefaultDatabase(ctx context.Context, workspaceID int64) (*gqlbase.Database, error) {
	return s.oneDatabase(ctx, `SELECT `+databaseColumns+` FROM databases
		WHERE id = (SELECT default_database_id FROM workspaces WHERE id = $1)`, workspaceID)
}

// EnsureDefaultDatabase returns the default database of a workspace, adopting its oldest
// database or creating one when it has none; created says whether it made one. The
// workspace row is locked, so callers racing on a workspace without one get the same one.
func (s *Store) EnsureDefaultDatabase(ctx context.Context, workspaceID int64, actor string) (*gqlbase.Database, bool, error) {
	var (
		db      *gqlbase.Database
		created bool
	)
	err := s.inTxRetry(ctx, func(tx *Tx) error {
		created = false
		var current *int64
		err := tx.GetContext(ctx, &current, `SELECT default_database_id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`, workspaceID)
		if isNoRows(err) {
			return gqlbase.NotFound("workspace %d not found", workspaceID)
		}
		if err != nil {
			return fmt.Errorf("lock workspace: %w", err)
		}
		if current == nil {
			err = tx.GetContext(ctx, &current, `SELECT min(id) FROM databases WHERE workspace_id = $1`, workspaceID)
			if err != nil {
				return fmt.Errorf("oldest database: %w", err)
			}
		}
		if current == nil {
			name, err := freeDatabaseName(ctx, tx, workspaceID)
			if err != nil {
				return err
			}
			made, _, err := createDatabaseTx(ctx, tx, workspaceID, name, actor)
			if err != nil {
				return err
			}
			current, created = &made.ID, true
		}
		if _, err := tx.ExecContext(ctx, `UPDATE workspaces SET default_database_id = $2 WHERE id = $1`, workspaceID, *current); err != nil {
			return fmt.Errorf("set default database: %w", err)
		}
		var d gqlbase.Database
		if err := tx.GetContext(ctx, &d, `SELECT `+databaseColumns+` FROM databases WHERE id = $1`, *current); err != nil {
			return fmt.Errorf("read default database: %w", err)
		}
		db = &d
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return db, created, nil
}

// freeDatabaseName is "default", or "default-2", "default-3", ... when taken.
func freeDatabaseName(ctx context.Context, tx *Tx, workspaceID int64) (string, error) {
	var name string
	err := tx.GetContext(ctx, &name, `SELECT n FROM (SELECT 'default' AS n, 1 AS i
		UNION ALL SELECT 'default-' || g, g FROM generate_series(2, 1000) g) c
		WHERE NOT EXISTS (SELECT 1 FROM databases WHERE workspace_id = $1 AND name = c.n) ORDER BY i LIMIT 1`, workspaceID)
	if isNoRows(err) {
		return "", gqlbase.Conflict("no free name for a default database: rename some of the databases named default-N")
	}
	if err != nil {
		return "", fmt.Errorf("name default database: %w", err)
	}
	return name, nil
}

// SetDefaultDatabase makes a database its workspace's default.
func (s *Store) SetDefaultDatabase(ctx context.Context, db *gqlbase.Database) error {
	return s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE workspaces SET default_database_id = $2 WHERE id = $1
			AND EXISTS (SELECT 1 FROM databases WHERE id = $2 AND workspace_id = $1)`, db.WorkspaceID, db.ID)
		if err != nil {
			return fmt.Errorf("set default database: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return gqlbase.NotFound("database %d not found", db.ID)
		}
		return nil
	})
}

// reassignDefaultDatabase gives a workspace whose default database was just deleted its
// oldest remaining database as the default (none when it has none).
func reassignDefaultDatabase(ctx context.Context, tx *Tx, workspaceID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE workspaces SET default_database_id =
		(SELECT min(id) FROM databases WHERE workspace_id = $1) WHERE id = $1 AND default_database_id IS NULL`, workspaceID)
	if err != nil {
		return fmt.Errorf("reassign default database: %w", err)
	}
	return nil
}
