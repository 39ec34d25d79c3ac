package storage

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
)

// CreateWorkspace creates a workspace; when owner is not nil the user becomes its owner.
func (s *Store) CreateWorkspace(ctx context.Context, name string, owner *gqlbase.User) (*gqlbase.Workspace, error) {
	var ws gqlbase.Workspace
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &ws, `INSERT INTO workspaces (name) VALUES ($1)
			RETURNING id, name, created_at, updated_at`, name); err != nil {
			return fmt.Errorf("insert workspace: %w", err)
		}
		if owner != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (workspace_id, user_id, email, role, status)
				VALUES ($1, $2, $3, 'owner', 'ACTIVE')`, ws.ID, owner.ID, owner.Email); err != nil {
				return fmt.Errorf("insert owner membership: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ws, nil
}

// CountWorkspaces tells an empty store (first start) from a used one.
func (s *Store) CountWorkspaces(ctx context.Context) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM workspaces`)
	return n, err
}

// WithLock runs fn while this process holds the cluster-wide advisory lock called name: work
// that servers starting together on one database must do once (the first-start bootstrap)
// runs under it. fn uses the store as usual; the lock lives on a connection of its own.
func (s *Store) WithLock(ctx context.Context, name string, fn func() error) error {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1, hashtext($2))`, migrationLockKey, name); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	defer func() {
		unlockCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(unlockCtx, `SELECT pg_advisory_unlock($1, hashtext($2))`, migrationLockKey, name); err != nil {
			// Never hand a connection that may still hold the lock back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return fn()
}

// GetWorkspace returns one workspace.
func (s *Store) GetWorkspace(ctx context.Context, id int64) (*gqlbase.Workspace, error) {
	var ws gqlbase.Workspace
	err := s.db.GetContext(ctx, &ws, `SELECT id, name, created_at, updated_at FROM workspaces WHERE id = $1`, id)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("workspace %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get workspace: %w", err)
	}
	return &ws, nil
}

// ListWorkspaces returns the workspaces with the given ids, oldest first.
func (s *Store) ListWorkspaces(ctx context.Context, ids []int64) ([]*gqlbase.Workspace, error) {
	var out []*gqlbase.Workspace
	err := s.db.SelectContext(ctx, &out, `SELECT id, name, created_at, updated_at FROM workspaces
		WHERE id = ANY($1) ORDER BY id`, int64Array(ids))
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	return out, nil
}

// RenameWorkspace changes a workspace's name.
func (s *Store) RenameWorkspace(ctx context.Context, id int64, name string) (*gqlbase.Workspace, error) {
	var ws gqlbase.Workspace
	err := s.db.GetContext(ctx, &ws, `UPDATE workspaces SET name = $2, updated_at = now() WHERE id = $1
		RETURNING id, name, created_at, updated_at`, id, name)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("workspace %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("rename workspace: %w", err)
	}
	return &ws, nil
}

// DeleteWorkspace removes a workspace with everything in it.
func (s *Store) DeleteWorkspace(ctx context.Context, id int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		for _, hook := range workspaceDeleteHooks {
			if err := hook(ctx, tx, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM workspaces WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete workspace: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return gqlbase.NotFound("workspace %d not found", id)
		}
		return nil
	})
}

// workspaceDeleteHooks drop what lives outside the metadata tables (database schemas) before
// a workspace row is deleted; the files that own those things register them.
var workspaceDeleteHooks []func(ctx context.Context, tx *Tx, workspaceID int64) error

// --- users ---

// CreateUser inserts a user. Invitations sent to its email stay unattached: only their secret
// joins a workspace (see AcceptInvitation).
func (s *Store) CreateUser(ctx context.Context, email, name, passwordHash string) (*gqlbase.User, error) {
	var u gqlbase.User
	err := s.InTx(ctx, func(tx *Tx) error {
		err := tx.GetContext(ctx, &u, `INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
			RETURNING id, email, name, created_at, updated_at`, strings.ToLower(email), name, passwordHash)
		if pgCode(err) == sqlstateUniqueViolation {
			return gqlbase.Conflict("a user with this email already exists").WithField("email")
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// UserByEmail returns a user and its password hash.
func (s *Store) UserByEmail(ctx context.Context, email string) (*gqlbase.User, string, error) {
	var row struct {
		gqlbase.User
		PasswordHash string `db:"password_hash"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT id, email, name, created_at, updated_at, password_hash
		FROM users WHERE email = $1`, strings.ToLower(email))
	if isNoRows(err) {
		return nil, "", gqlbase.NotFound("user not found")
	}
	if err != nil {
		return nil, "", fmt.Errorf("user by email: %w", err)
	}
	return &row.User, row.PasswordHash, nil
}

// UserByID returns a user and its password hash.
func (s *Store) UserByID(ctx context.Context, id int64) (*gqlbase.User, string, error) {
	var row struct {
		gqlbase.User
		PasswordHash string `db:"password_hash"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT id, email, name, created_at, updated_at, password_hash
		FROM users WHERE id = $1`, id)
	if isNoRows(err) {
		return nil, "", gqlbase.NotFound("user %d not found", id)
	}
	if err != nil {
		return nil, "", fmt.Errorf("user by id: %w", err)
	}
	return &row.User, row.PasswordHash, nil
}

// SetPassword stores a new password hash and ends every other session of the user.
func (s *Store) SetPassword(ctx context.Context, userID int64, passwordHash string, keepSessionID int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`,
			userID, passwordHash); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keepSessionID)
		return err
	})
}

// --- sessions ---

// CreateSession stores a session by the hash of its secret.
func (s *Store) CreateSession(ctx context.Context, userID int64, hash []byte, expiresAt time.Time) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, $2, $3)
		RETURNING id`, userID, hash, expiresAt)
	if err != nil {
		return 0, fmt.Errorf("create session: %w", err)
	}
	return id, nil
}

// Session is a stored log-in.
type Session struct {
	ID        int64     `db:"id"`
	UserID    int64     `db:"user_id"`
	ExpiresAt time.Time `db:"expires_at"`
}

// SessionByHash finds a session by the hash of its secret.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (*Session, error) {
	var sess Session
	err := s.db.GetContext(ctx, &sess, `SELECT id, user_id, expires_at FROM sessions
		WHERE token_hash = $1 AND NOT jwt AND revoked_at IS NULL`, hash)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("session not found")
	}
	if err != nil {
		return nil, fmt.Errorf("session by hash: %w", err)
	}
	return &sess, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	return err
}

// PurgeExpiredSessions deletes sessions past their expiry.
func (s *Store) PurgeExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < now()`)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// --- memberships ---

// ActiveRoles maps each workspace the user is an active member of to the user's role.
func (s *Store) ActiveRoles(ctx context.Context, userID int64) (map[int64]gqlbase.Role, int64, error) {
	var rows []struct {
		WorkspaceID int64        `db:"workspace_id"`
		Role        gqlbase.Role `db:"role"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT workspace_id, role FROM memberships
		WHERE user_id = $1 AND status = 'ACTIVE' ORDER BY workspace_id`, userID)
	if err != nil {
		return nil, 0, fmt.Errorf("active roles: %w", err)
	}
	roles := make(map[int64]gqlbase.Role, len(rows))
	var first int64
	for i, r := range rows {
		roles[r.WorkspaceID] = r.Role
		if i == 0 {
			first = r.WorkspaceID
		}
	}
	return roles, first, nil
}

const memberColumns = `id, workspace_id, user_id, email, role, status, created_at`

// ListMembers returns a workspace's memberships, oldest first.
func (s *Store) ListMembers(ctx context.Context, workspaceID int64) ([]*gqlbase.Member, error) {
	var out []*gqlbase.Member
	err := s.db.SelectContext(ctx, &out, `SELECT `+memberColumns+` FROM memberships WHERE workspace_id = $1 ORDER BY id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return out, nil
}

// MembershipsOfUser returns a user's memberships (active and pending), oldest first.
func (s *Store) MembershipsOfUser(ctx context.Context, userID int64) ([]*gqlbase.Member, error) {
	var out []*gqlbase.Member
	err := s.db.SelectContext(ctx, &out, `SELECT `+memberColumns+` FROM memberships WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("memberships of user: %w", err)
	}
	return out, nil
}

// GetMember returns one membership.
func (s *Store) GetMember(ctx context.Context, id int64) (*gqlbase.Member, error) {
	var m gqlbase.Member
	err := s.db.GetContext(ctx, &m, `SELECT `+memberColumns+` FROM memberships WHERE id = $1`, id)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("member %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get member: %w", err)
	}
	return &m, nil
}

// SetMemberRole changes a member's role; the last owner cannot be demoted.
func (s *Store) SetMemberRole(ctx context.Context, memberID int64, role gqlbase.Role) (*gqlbase.Member, error) {
	var m gqlbase.Member
	err := s.InTx(ctx, func(tx *Tx) error {
		cur, err := lockMember(ctx, tx, memberID)
		if err != nil {
			return err
		}
		if cur.Role == gqlbase.RoleOwner && role != gqlbase.RoleOwner {
			if err := ensureAnotherOwner(ctx, tx, cur); err != nil {
				return err
			}
		}
		return tx.GetContext(ctx, &m, `UPDATE memberships SET role = $2 WHERE id = $1 RETURNING `+memberColumns, memberID, role)
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// RemoveMember deletes a membership; the last owner cannot be removed.
func (s *Store) RemoveMember(ctx context.Context, memberID int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		cur, err := lockMember(ctx, tx, memberID)
		if err != nil {
			return err
		}
		if cur.Role == gqlbase.RoleOwner {
			if err := ensureAnotherOwner(ctx, tx, cur); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM memberships WHERE id = $1`, memberID)
		return err
	})
}

// lockMember locks a membership for a role change or removal. It locks its workspace first:
// changes to one workspace's members then happen one at a time, so two owners stepping down
// at once cannot each see the other still in place and leave the workspace without an owner.
func lockMember(ctx context.Context, tx *Tx, memberID int64) (*gqlbase.Member, error) {
	var workspaceID int64
	err := tx.GetContext(ctx, &workspaceID, `SELECT workspace_id FROM memberships WHERE id = $1`, memberID)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("member %d not found", memberID)
	}
	if err != nil {
		return nil, fmt.Errorf("lock member: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`, workspaceID); err != nil {
		return nil, fmt.Errorf("lock workspace: %w", err)
	}
	var m gqlbase.Member
	err = tx.GetContext(ctx, &m, `SELECT `+memberColumns+` FROM memberships WHERE id = $1 FOR UPDATE`, memberID)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("member %d not found", memberID)
	}
	if err != nil {
		return nil, fmt.Errorf("lock member: %w", err)
	}
	return &m, nil
}

func ensureAnotherOwner(ctx context.Context, tx *Tx, m *gqlbase.Member) error {
	var owners int
	if err := tx.GetContext(ctx, &owners, `SELECT count(*) FROM memberships
		WHERE workspace_id = $1 AND role = 'owner' AND status = 'ACTIVE' AND id <> $2`, m.WorkspaceID, m.ID); err != nil {
		return err
	}
	if owners == 0 {
		return gqlbase.Conflict("a workspace needs at least one owner: make another member owner first")
	}
	return nil
}
