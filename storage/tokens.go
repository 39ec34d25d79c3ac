package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
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
	Permissions []byte         `db:"permissions"`
	AllowedIPs  pq.StringArray `db:"allowed_ips"`
	RateLimit   *int           `db:"rate_limit"`
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
const tokenColumns = `id, workspace_id, name, description, token_prefix, scopes, databases,
	permissions, allowed_ips, rate_limit, expires_at, created_by,
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
	if err := r.restrictions(t); err != nil {
		return nil, err
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

// restrictions decodes a fine-grained token's permissions, allowlist and rate limit.
func (r *tokenRow) restrictions(t *gqlbase.Token) error {
	if len(r.Permissions) > 0 && string(r.Permissions) != "null" {
		var raw map[string]any
		if err := json.Unmarshal(r.Permissions, &raw); err != nil {
			return fmt.Errorf("token %d permissions: %w", r.ID, err)
		}
		perms, err := gqlbase.ParseTokenPermissions(raw)
		if err != nil {
			return fmt.Errorf("token %d permissions: %w", r.ID, err)
		}
		t.Permissions = perms
	}
	if r.AllowedIPs != nil {
		t.AllowedIPs = make([]netip.Prefix, 0, len(r.AllowedIPs))
		for _, c := range r.AllowedIPs {
			n, err := netip.ParsePrefix(c)
			if err != nil {
				return fmt.Errorf("token %d allowed_ips: %w", r.ID, err)
			}
			t.AllowedIPs = append(t.AllowedIPs, n)
		}
	}
	if r.RateLimit != nil {
		t.RateLimit = *r.RateLimit
	}
	return nil
}

// encodeRestrictions gives the SQL parameters of a token's permissions, allowlist and limit.
func encodeRestrictions(t *gqlbase.Token) (perms, ips, limit any, err error) {
	if t.Permissions != nil {
		b, err := json.Marshal(t.Permissions.JSON())
		if err != nil {
			return nil, nil, nil, err
		}
		perms = string(b)
	}
	if t.AllowedIPs != nil {
		list := make(pq.StringArray, len(t.AllowedIPs))
		for i, n := range t.AllowedIPs {
			list[i] = n.Masked().String()
		}
		ips = list
	}
	if t.RateLimit > 0 {
		limit = t.RateLimit
	}
	return perms, ips, limit, nil
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
	perms, ips, limit, err := encodeRestrictions(t)
	if err != nil {
		return nil, err
	}
	var row tokenRow
	err = s.InTx(ctx, func(tx *Tx) error {
		err := tx.GetContext(ctx, &row, `INSERT INTO api_tokens
		(workspace_id, name, token_prefix, token_hash, scopes, databases, expires_at, created_by, description,
		 permissions, allowed_ips, rate_limit)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::cidr[], $12) RETURNING `+tokenColumns,
			t.WorkspaceID, t.Name, t.Prefix, hash, scopeStrings(t.Scopes), dbs, t.ExpiresAt, createdBy, t.Description,
			perms, ips, limit)
		if pgCode(err) == sqlstateUniqueViolation {
			return gqlbase.Conflict("a token with this secret already exists")
		}
		if err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		noteAuditResource(ctx, row.ID)
		return nil
	})
	if err != nil {
		return nil, err
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
	perms, ips, limit, err := encodeRestrictions(t)
	if err != nil {
		return nil, err
	}
	return s.oneTokenExec(ctx, `UPDATE api_tokens SET name = $2, scopes = $3, databases = $4, expires_at = $5,
		description = $6, permissions = $7, allowed_ips = $8::cidr[], rate_limit = $9, updated_at = now()
		WHERE id = $1 RETURNING `+tokenColumns, t.ID, t.Name, scopeStrings(t.Scopes), dbs, t.ExpiresAt,
		t.Description, perms, ips, limit)
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
	err := s.InTx(ctx, func(tx *Tx) error { return tx.GetContext(ctx, &row, query, args...) })
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
	validJWT := map[int64]bool{}
	if len(sessionIDs) > 0 {
		var rows []struct {
			row
			JWT bool `db:"jwt"`
		}
		if err := s.db.SelectContext(ctx, &rows, `SELECT id, token_hash, jwt FROM sessions WHERE id = ANY($1)
			AND expires_at > now() AND revoked_at IS NULL`, int64Array(sessionIDs)); err != nil {
			return nil, fmt.Errorf("check sessions: %w", err)
		}
		for _, r := range rows {
			// A JWT session is presented as access tokens, not its stored hash: the token was
			// verified when presented, and its own expiry is watched apart.
			if r.JWT {
				validJWT[r.ID] = true
				continue
			}
			valid["s"+string(r.Hash)] = true
		}
	}
	var out []Credential
	for _, c := range creds {
		kind := "t"
		if c.TokenID == 0 {
			kind = "s"
		}
		if !valid[kind+string(c.Hash)] && (c.TokenID != 0 || !validJWT[c.SessionID]) {
			out = append(out, c)
		}
	}
	return out, nil
}
