package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/lib/pq"
)

type tokenRow struct {
	ID          int64          `db:"id"`
	WorkspaceID int64          `db:"workspace_id"`
	Name        string         `db:"name"`
	Description string         `db:"description"`
	Prefix      string         `db:"token_prefix"`
	Scopes      pq.StringArray `db:"scopes"`
	Databases   []byte         `db:"databases"`
	ExpiresAt   *time.Time     `db:"expires_at"`
	CreatedBy   *int64         `db:"created_by"`
	CreatorRole *string        `db:"creator_role"`
	RevokedAt   *time.Time     `db:"revoked_at"`
	LastUsedAt  *time.Time     `db:"last_used_at"`
	CreatedAt   time.Time      `db:"created_at"`
	UpdatedAt   time.Time      `db:"updated_at"`
}

// tokenColumns reads a token with its creator's current role, which bounds what the token
// grants (a scalar subquery, so it works in RETURNING too).
const tokenColumns = `id, workspace_id, name, description, token_prefix, scopes, databases, expires_at, created_by,
	(SELECT m.role FROM memberships m WHERE m.workspace_id = api_tokens.workspace_id
		AND m.user_id = api_tokens.created_by AND m.status = 'ACTIVE') AS creator_role,
	revoked_at, last_used_at, created_at, updated_at`

func (r *tokenRow) token() (*gqlbase.Token, error) {
	t := &gqlbase.Token{
		ID: r.ID, WorkspaceID: r.WorkspaceID, Name: r.Name, Description: r.Description, Prefix: r.Prefix,
		ExpiresAt: r.ExpiresAt, CreatedBy: r.CreatedBy, RevokedAt: r.RevokedAt, LastUsedAt: r.LastUsedAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.CreatorRole != nil {
		t.CreatorRole = gqlbase.Role(*r.CreatorRole)
	}
	for _, s := range r.Scopes {
		t.Scopes = append(t.Scopes, gqlbase.Scope(s))
	}
	if len(r.Databases) > 0 && string(r.Databases) != "null" {
		var raw map[string]gqlbase.DatabaseAccess
		if err := json.Unmarshal(r.Databases, &raw); err != nil {
			return nil, fmt.Errorf("token %d databases: %w", r.ID, err)
		}
		t.Databases = make(map[int64]gqlbase.DatabaseAccess, len(raw))
		for k, v := range raw {
			id, err := strconv.ParseInt(k, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("token %d databases: %w", r.ID, err)
			}
			t.Databases[id] = v
		}
	}
	return t, nil
}

func encodeDatabases(dbs map[int64]gqlbase.DatabaseAccess) (any, error) {
	if dbs == nil {
		return nil, nil
	}
	raw := make(map[string]gqlbase.DatabaseAccess, len(dbs))
	for k, v := range dbs {
		raw[strconv.FormatInt(k, 10)] = v
	}
	b, err := json.Marshal(raw)
	return string(b), err
}

func scopeStrings(scopes []gqlbase.Scope) pq.StringArray {
	out := make(pq.StringArray, len(scopes))
	for i, s := range scopes {
		out[i] = string(s)
	}
	return out
}

// CreateToken stores a token under the hash of its secret.
func (s *Store) CreateToken(ctx context.Context, t *gqlbase.Token, hash []byte, createdBy *int64) (*gqlbase.Token, error) {
	dbs, err := encodeDatabases(t.Databases)
	if err != nil {
		return nil, err
	}
	var row tokenRow
	err = s.db.GetContext(ctx, &row, `INSERT INTO api_tokens
		(workspace_id, name, token_prefix, token_hash, scopes, databases, expires_at, created_by, description)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+tokenColumns,
		t.WorkspaceID, t.Name, t.Prefix, hash, scopeStrings(t.Scopes), dbs, t.ExpiresAt, createdBy, t.Description)
	if pgCode(err) == sqlstateUniqueViolation {
		return nil, gqlbase.Conflict("a token with this secret already exists")
	}
	if err != nil {
		return nil, fmt.Errorf("create token: %w", err)
	}
	return row.token()
}

// TokenByHash finds a token by the hash of its secret.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*gqlbase.Token, error) {
	return s.oneToken(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1`, hash)
}

// GetToken returns a token by id.
func (s *Store) GetToken(ctx context.Context, id int64) (*gqlbase.Token, error) {
	return s.oneToken(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1`, id)
}

func (s *Store) oneToken(ctx context.Context, query string, arg any) (*gqlbase.Token, error) {
	var row tokenRow
	err := s.db.GetContext(ctx, &row, query, arg)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("token not found")
	}
	if err != nil {
		return nil, fmt.Errorf("get token: %w", err)
	}
	return row.token()
}

// ListTokens returns a workspace's tokens, oldest first.
func (s *Store) ListTokens(ctx context.Context, workspaceID int64) ([]*gqlbase.Token, error) {
	var rows []tokenRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+tokenColumns+` FROM api_tokens
		WHERE workspace_id = $1 ORDER BY id`, workspaceID); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out := make([]*gqlbase.Token, 0, len(rows))
	for i := range rows {
		t, err := rows[i].token()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// UpdateToken writes a token's name, scopes, database restriction and expiry.
func (s *Store) UpdateToken(ctx context.Context, t *gqlbase.Token) (*gqlbase.Token, error) {
	dbs, err := encodeDatabases(t.Databases)
	if err != nil {
		return nil, err
	}
	return s.oneTokenExec(ctx, `UPDATE api_tokens SET name = $2, scopes = $3, databases = $4, expires_at = $5,
		description = $6, updated_at = now() WHERE id = $1 RETURNING `+tokenColumns, t.ID, t.Name, scopeStrings(t.Scopes), dbs, t.ExpiresAt,
		t.Description)
}

// RevokeToken marks a token revoked; it stops working at once.
func (s *Store) RevokeToken(ctx context.Context, id int64) (*gqlbase.Token, error) {
	return s.oneTokenExec(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()), updated_at = now()
		WHERE id = $1 RETURNING `+tokenColumns, id)
}

// RotateToken replaces a token's secret; the old secret stops working at once.
func (s *Store) RotateToken(ctx context.Context, id int64, prefix string, hash []byte) (*gqlbase.Token, error) {
	return s.oneTokenExec(ctx, `UPDATE api_tokens SET token_prefix = $2, token_hash = $3, updated_at = now()
		WHERE id = $1 AND revoked_at IS NULL RETURNING `+tokenColumns, id, prefix, hash)
}

func (s *Store) oneTokenExec(ctx context.Context, query string, args ...any) (*gqlbase.Token, error) {
	var row tokenRow
	err := s.db.GetContext(ctx, &row, query, args...)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("token not found or revoked")
	}
	if err != nil {
		return nil, fmt.Errorf("update token: %w", err)
	}
	return row.token()
}

// TouchToken records that a token was used.
func (s *Store) TouchToken(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, id)
	return err
}

// EnsureTokenHash makes sure a token with this hash exists in the workspace (the bootstrap
// token given by environment), holding every scope.
func (s *Store) EnsureTokenHash(ctx context.Context, workspaceID int64, name, prefix string, hash []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO api_tokens (workspace_id, name, token_prefix, token_hash, scopes)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_hash) DO NOTHING`,
		workspaceID, name, prefix, hash, scopeStrings(gqlbase.AllScopes))
	return err
}

// Credential identifies a presented credential: a token or a session, by id and the hash of
// its secret.
type Credential struct {
	TokenID   int64
	SessionID int64
	Hash      []byte
}

// InvalidCredentials returns those of creds that no longer work: revoked, expired, rotated
// (the hash changed), logged out or deleted, or tokens whose creator left the workspace.
func (s *Store) InvalidCredentials(ctx context.Context, creds []Credential) ([]Credential, error) {
	var tokenIDs, sessionIDs []int64
	for _, c := range creds {
		if c.TokenID != 0 {
			tokenIDs = append(tokenIDs, c.TokenID)
		} else if c.SessionID != 0 {
			sessionIDs = append(sessionIDs, c.SessionID)
		}
	}
	valid := map[string]bool{}
	type row struct {
		ID   int64  `db:"id"`
		Hash []byte `db:"token_hash"`
	}
	if len(tokenIDs) > 0 {
		var rows []row
		if err := s.db.SelectContext(ctx, &rows, `SELECT id, token_hash FROM api_tokens WHERE id = ANY($1)
			AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
			AND (created_by IS NULL OR EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = api_tokens.workspace_id
				AND m.user_id = api_tokens.created_by AND m.status = 'ACTIVE'))`, int64Array(tokenIDs)); err != nil {
			return nil, fmt.Errorf("check tokens: %w", err)
		}
		for _, r := range rows {
			valid["t"+string(r.Hash)] = true
		}
	}
	if len(sessionIDs) > 0 {
		var rows []row
		if err := s.db.SelectContext(ctx, &rows, `SELECT id, token_hash FROM sessions WHERE id = ANY($1)
			AND expires_at > now()`, int64Array(sessionIDs)); err != nil {
			return nil, fmt.Errorf("check sessions: %w", err)
		}
		for _, r := range rows {
			valid["s"+string(r.Hash)] = true
		}
	}
	var out []Credential
	for _, c := range creds {
		kind := "t"
		if c.TokenID == 0 {
			kind = "s"
		}
		if !valid[kind+string(c.Hash)] {
			out = append(out, c)
		}
	}
	return out, nil
}
