package resolvers

import (
	"context"

	"github.com/gqlbase/gqlbase"
)

// memberFor loads a membership the principal may see; others answer NOT_FOUND.
func (r *Resolver) memberFor(ctx context.Context, p *gqlbase.Principal, memberID int64) (*gqlbase.Member, error) {
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	m, err := r.Store.GetMember(ctx, memberID)
	if err != nil {
		return nil, err
	}
	own := p.Kind == gqlbase.PrincipalUser && m.UserID != nil && *m.UserID == p.UserID
	if !own && !p.MemberOf(m.WorkspaceID) {
		return nil, gqlbase.NotFound("member %d not found", memberID)
	}
	return m, nil
}

// requireOwnerToGrantOwner keeps the owner role in owners' hands: an admin may manage members
// but not make or unmake owners. A token acts with its creator's current role, so an admin's
// token cannot do it either, and an owner's token only while its creator is still an owner.
func requireOwnerToGrantOwner(p *gqlbase.Principal, workspaceID int64, role gqlbase.Role) error {
	if role != gqlbase.RoleOwner {
		return nil
	}
	return p.RequireOwner(workspaceID, "grant or take away the owner role")
}
