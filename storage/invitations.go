package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/gqlbase/gqlbase"
)

// Invite creates a pending membership for an email, stored with the hash of the invitation's
// secret. It belongs to nobody until AcceptInvitation: not even to a user who has the address,
// since addresses are not verified.
func (s *Store) Invite(ctx context.Context, workspaceID int64, email string, role gqlbase.Role, secretHash []byte) (*gqlbase.Member, error) {
	var m gqlbase.Member
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.GetContext(ctx, &m, `INSERT INTO memberships (workspace_id, email, role, status, invitation_hash)
			VALUES ($1, $2, $3, 'PENDING', $4) RETURNING `+memberColumns, workspaceID, strings.ToLower(email), role, secretHash); err != nil {
			return err
		}
		noteAuditResource(ctx, m.ID)
		return nil
	})
	if pgCode(err) == sqlstateUniqueViolation {
		return nil, gqlbase.Conflict("%s is already a member or invited", email).WithField("email")
	}
	if err != nil {
		return nil, fmt.Errorf("invite: %w", err)
	}
	return &m, nil
}

// AcceptInvitation turns the pending membership whose secret hashes to secretHash into an
// active membership of the user who presented the secret, under that user's address (an
// active membership's email is its user's, as the owner's is). A user who is already a
// member of the workspace is refused.
func (s *Store) AcceptInvitation(ctx context.Context, secretHash []byte, userID int64) (*gqlbase.Member, error) {
	unknown := gqlbase.NotFound("no pending invitation with this secret (it may have been used or withdrawn)")
	var m gqlbase.Member
	err := s.InTx(ctx, func(tx *Tx) error {
		var workspaceID int64
		err := tx.GetContext(ctx, &workspaceID, `SELECT workspace_id FROM memberships
			WHERE invitation_hash = $1 AND status = 'PENDING'`, secretHash)
		if isNoRows(err) {
			return unknown
		}
		if err != nil {
			return fmt.Errorf("find invitation: %w", err)
		}
		// The workspace first, as lockMember does: membership changes of one workspace happen
		// one at a time, so two invitations accepted at once cannot both add the same user.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`, workspaceID); err != nil {
			return fmt.Errorf("lock workspace: %w", err)
		}
		var member bool
		if err := tx.GetContext(ctx, &member, `SELECT EXISTS (SELECT 1 FROM memberships
			WHERE workspace_id = $1 AND user_id = $2)`, workspaceID, userID); err != nil {
			return fmt.Errorf("check membership: %w", err)
		}
		if member {
			return gqlbase.Conflict("you are already a member of this workspace")
		}
		err = tx.GetContext(ctx, &m, `UPDATE memberships SET user_id = $2, status = 'ACTIVE', invitation_hash = NULL,
			email = (SELECT email FROM users WHERE id = $2)
			WHERE invitation_hash = $1 AND status = 'PENDING' RETURNING `+memberColumns, secretHash, userID)
		if isNoRows(err) {
			return unknown // accepted or withdrawn since it was found
		}
		if pgCode(err) == sqlstateUniqueViolation {
			return gqlbase.Conflict("another invitation to your address is pending in this workspace: accept that one")
		}
		if err != nil {
			return fmt.Errorf("accept invitation: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}
