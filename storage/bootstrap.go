package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/gqlbase/gqlbase"
)

// BootstrapRecord is what the first start of a store recorded: the owner workspace it made.
type BootstrapRecord struct {
	WorkspaceID int64     `db:"workspace_id"`
	CreatedAt   time.Time `db:"created_at"`
}

// BootstrapRecord returns the store's bootstrap record, or nil when it was never bootstrapped.
func (s *Store) BootstrapRecord(ctx context.Context) (*BootstrapRecord, error) {
	var rec BootstrapRecord
	err := s.db.GetContext(ctx, &rec, `SELECT workspace_id, created_at FROM bootstrap`)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read bootstrap record: %w", err)
	}
	return &rec, nil
}

// BootstrapToken is the admin token a bootstrap registers.
type BootstrapToken struct {
	Name   string
	Prefix string
	Hash   []byte
	// FromEnv says the secret came from the environment: its hash is remembered, so that it
	// is never registered again once rotated or revoked.
	FromEnv bool
}

// Bootstrap makes the owner workspace of a store never bootstrapped and its admin token
// (every scope, no expiry), and records the workspace, all in one transaction. A store
// already bootstrapped is refused with CONFLICT.
func (s *Store) Bootstrap(ctx context.Context, workspaceName string, tok BootstrapToken) (*gqlbase.Workspace, error) {
	var ws gqlbase.Workspace
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &ws, `INSERT INTO workspaces (name) VALUES ($1)
			RETURNING id, name, created_at, updated_at`, workspaceName); err != nil {
			return fmt.Errorf("insert owner workspace: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO bootstrap (workspace_id) VALUES ($1)`, ws.ID)
		if pgCode(err) == sqlstateUniqueViolation {
			return gqlbase.Conflict("the store was bootstrapped already")
		}
		if err != nil {
			return fmt.Errorf("record bootstrap: %w", err)
		}
		return insertAdminToken(ctx, tx, ws.ID, tok)
	})
	if err != nil {
		return nil, err
	}
	return &ws, nil
}

// RegisterEnvToken stores an admin token given by environment in the workspace and remembers
// its hash.
func (s *Store) RegisterEnvToken(ctx context.Context, workspaceID int64, name, prefix string, hash []byte) error {
	return s.InTx(ctx, func(tx *Tx) error {
		return insertAdminToken(ctx, tx, workspaceID, BootstrapToken{Name: name, Prefix: prefix, Hash: hash, FromEnv: true})
	})
}

func insertAdminToken(ctx context.Context, tx *Tx, workspaceID int64, tok BootstrapToken) error {
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO api_tokens (workspace_id, name, token_prefix, token_hash, scopes)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, workspaceID, tok.Name, tok.Prefix, tok.Hash, scopeStrings(gqlbase.AllScopes))
	if pgCode(err) == sqlstateUniqueViolation {
		return gqlbase.Conflict("a token with this secret already exists")
	}
	if err != nil {
		return fmt.Errorf("insert admin token: %w", err)
	}
	if !tok.FromEnv {
		return nil
	}
	return rememberEnvToken(ctx, tx, tok.Hash, id)
}

// RememberEnvToken records that the secret of an existing token was given by environment
// (an operator put a token's current secret there), so that it too is refused once rotated.
func (s *Store) RememberEnvToken(ctx context.Context, hash []byte, tokenID int64) error {
	return s.InTx(ctx, func(tx *Tx) error { return rememberEnvToken(ctx, tx, hash, tokenID) })
}

func rememberEnvToken(ctx context.Context, tx *Tx, hash []byte, tokenID int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO bootstrap_env_tokens (token_hash, token_id) VALUES ($1, $2)
		ON CONFLICT (token_hash) DO NOTHING`, hash, tokenID); err != nil {
		return fmt.Errorf("remember admin token from environment: %w", err)
	}
	return nil
}

// EnvTokenRegistered reports whether a secret with this hash was ever given by environment,
// and the id of the token it was registered as (which may since have been rotated or deleted).
func (s *Store) EnvTokenRegistered(ctx context.Context, hash []byte) (tokenID int64, ok bool, err error) {
	err = s.db.GetContext(ctx, &tokenID, `SELECT token_id FROM bootstrap_env_tokens WHERE token_hash = $1`, hash)
	if isNoRows(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("look up admin token from environment: %w", err)
	}
	return tokenID, true, nil
}
