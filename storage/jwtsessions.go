package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/gqlbase/gqlbase"
)

// SigningKey returns the key called name, creating it with generate on first use. Processes
// starting together agree on one key: the first insert wins and everyone reads it back.
func (s *Store) SigningKey(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error) {
	var key []byte
	err := s.db.GetContext(ctx, &key, `SELECT secret FROM signing_keys WHERE name = $1`, name)
	if err == nil {
		return key, nil
	}
	if !isNoRows(err) {
		return nil, fmt.Errorf("read signing key %s: %w", name, err)
	}
	fresh, err := generate()
	if err != nil {
		return nil, fmt.Errorf("generate signing key %s: %w", name, err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO signing_keys (name, secret) VALUES ($1, $2)
		ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
		return nil, fmt.Errorf("store signing key %s: %w", name, err)
	}
	if err := s.db.GetContext(ctx, &key, `SELECT secret FROM signing_keys WHERE name = $1`, name); err != nil {
		return nil, fmt.Errorf("read signing key %s: %w", name, err)
	}
	return key, nil
}

// CreateJWTSession stores a session presented as JWTs, with its first refresh token.
// placeholderHash fills the session's token_hash, which no secret hashes to: a JWT session
// cannot be presented as an opaque session token.
func (s *Store) CreateJWTSession(ctx context.Context, userID int64, placeholderHash, refreshHash []byte, expiresAt time.Time) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &id, `INSERT INTO sessions (user_id, token_hash, expires_at, jwt)
			VALUES ($1, $2, $3, true) RETURNING id`, userID, placeholderHash, expiresAt); err != nil {
			return fmt.Errorf("create jwt session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (session_id, token_hash) VALUES ($1, $2)`,
			id, refreshHash); err != nil {
			return fmt.Errorf("store refresh token: %w", err)
		}
		return nil
	})
	return id, err
}

// JWTSession returns a JWT session that still works (not revoked; the caller checks expiry).
func (s *Store) JWTSession(ctx context.Context, id int64) (*Session, error) {
	var sess Session
	err := s.db.GetContext(ctx, &sess, `SELECT id, user_id, expires_at FROM sessions
		WHERE id = $1 AND jwt AND revoked_at IS NULL`, id)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("session not found")
	}
	if err != nil {
		return nil, fmt.Errorf("jwt session: %w", err)
	}
	return &sess, nil
}

// RefreshOutcome is what presenting a refresh token did.
type RefreshOutcome int

const (
	// Refreshed: the token was current; it is rotated and newHash is the session's next one.
	Refreshed RefreshOutcome = iota + 1
	// RefreshReused: the token had been rotated already, so it was stolen or replayed; the
	// whole session (every refresh token and access token of it) is revoked now.
	RefreshReused
	// RefreshEnded: the session was revoked (logged out, or revoked by a reuse) or expired.
	RefreshEnded
)

// RotateRefreshToken exchanges a refresh token for newHash. A refresh token unknown to the
// store answers NOT_FOUND. The rows are locked, so of two presentations of one token exactly
// one rotates it and the other counts as a reuse.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash, newHash []byte) (*Session, RefreshOutcome, error) {
	var (
		sess    Session
		outcome RefreshOutcome
	)
	err := s.InTx(ctx, func(tx *Tx) error {
		var row struct {
			ID        int64      `db:"id"`
			SessionID int64      `db:"session_id"`
			RotatedAt *time.Time `db:"rotated_at"`
			UserID    int64      `db:"user_id"`
			ExpiresAt time.Time  `db:"expires_at"`
			RevokedAt *time.Time `db:"revoked_at"`
		}
		err := tx.GetContext(ctx, &row, `SELECT rt.id, rt.session_id, rt.rotated_at, s.user_id, s.expires_at, s.revoked_at
			FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id
			WHERE rt.token_hash = $1 FOR UPDATE OF rt, s`, oldHash)
		if isNoRows(err) {
			return gqlbase.NotFound("refresh token not found")
		}
		if err != nil {
			return fmt.Errorf("find refresh token: %w", err)
		}
		sess = Session{ID: row.SessionID, UserID: row.UserID, ExpiresAt: row.ExpiresAt}
		switch {
		case row.RevokedAt != nil || !row.ExpiresAt.After(time.Now()):
			outcome = RefreshEnded
			return nil
		case row.RotatedAt != nil:
			outcome = RefreshReused
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = now() WHERE id = $1`, row.SessionID)
			return err
		}
		outcome = Refreshed
		if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1`, row.ID); err != nil {
			return fmt.Errorf("rotate refresh token: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (session_id, token_hash) VALUES ($1, $2)`,
			row.SessionID, newHash); err != nil {
			return fmt.Errorf("store refresh token: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return &sess, outcome, nil
}

// SessionOfRefreshToken returns the session a refresh token (current or rotated) belongs to.
func (s *Store) SessionOfRefreshToken(ctx context.Context, hash []byte) (*Session, error) {
	var sess Session
	err := s.db.GetContext(ctx, &sess, `SELECT s.id, s.user_id, s.expires_at FROM refresh_tokens rt
		JOIN sessions s ON s.id = rt.session_id WHERE rt.token_hash = $1`, hash)
	if isNoRows(err) {
		return nil, gqlbase.NotFound("refresh token not found")
	}
	if err != nil {
		return nil, fmt.Errorf("session of refresh token: %w", err)
	}
	return &sess, nil
}

// RevokeSession ends a JWT session and every token of it, keeping the record (so its refresh
// tokens are still recognised, and refused) until it expires and is purged.
func (s *Store) RevokeSession(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE sessions SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}
