package resolvers

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gqlbase/gqlbase"
)

// CreateWorkspace is the use case behind the createWorkspace mutation; REST dialects call it too.
func (r *Resolver) CreateWorkspace(ctx context.Context, input gqlbase.CreateWorkspaceInput) (*gqlbase.Workspace, error) {
	defer r.ForgetPrincipals() // what the credential grants changes
	p, err := principalOrError(gqlbase.PrincipalFrom(ctx))
	if err != nil {
		return nil, err
	}
	if p.Kind != gqlbase.PrincipalUser {
		return nil, gqlbase.Forbidden("workspaces are created by users; an API token belongs to one workspace")
	}
	name, err := checkName(input.Name, "name")
	if err != nil {
		return nil, err
	}
	user, _, err := r.Store.UserByID(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	ws, err := r.Store.CreateWorkspace(ctx, name, user)
	if err != nil {
		return nil, err
	}
	p.Roles[ws.ID] = gqlbase.RoleOwner
	return ws, nil
}

// RenameWorkspace is the use case behind the renameWorkspace mutation; REST dialects call it too.
func (r *Resolver) RenameWorkspace(ctx context.Context, id int64, name string) (*gqlbase.Workspace, error) {
	if err := gqlbase.PrincipalFrom(ctx).Require(id, gqlbase.ScopeAdmin); err != nil {
		return nil, err
	}
	name, err := checkName(name, "name")
	if err != nil {
		return nil, err
	}
	return r.Store.RenameWorkspace(ctx, id, name)
}

// DeleteWorkspace is the use case behind the deleteWorkspace mutation; REST dialects call it too.
func (r *Resolver) DeleteWorkspace(ctx context.Context, id int64) (bool, error) {
	defer r.ForgetPrincipals() // what the credential grants changes
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.RequireOwner(id, "delete a workspace"); err != nil {
		return false, err
	}
	if err := r.Store.DeleteWorkspace(ctx, id); err != nil {
		return false, err
	}
	return true, nil
}

// UpdateMemberRole is the use case behind the updateMemberRole mutation; REST dialects call it too.
func (r *Resolver) UpdateMemberRole(ctx context.Context, memberID int64, role gqlbase.Role) (*gqlbase.Member, error) {
	defer r.ForgetPrincipals() // what the credential grants changes
	p := gqlbase.PrincipalFrom(ctx)
	m, err := r.memberFor(ctx, p, memberID)
	if err != nil {
		return nil, err
	}
	if err := p.Require(m.WorkspaceID, gqlbase.ScopeAdmin); err != nil {
		return nil, err
	}
	if m.Role == gqlbase.RoleOwner || role == gqlbase.RoleOwner {
		if err := requireOwnerToGrantOwner(p, m.WorkspaceID, gqlbase.RoleOwner); err != nil {
			return nil, err
		}
	}
	ctx = audited(ctx, m.WorkspaceID, "member.role", "member", memberID, map[string]any{"email": m.Email, "from": m.Role, "to": role})
	return r.Store.SetMemberRole(ctx, memberID, role)
}

// RemoveMember is the use case behind the removeMember mutation; REST dialects call it too.
func (r *Resolver) RemoveMember(ctx context.Context, memberID int64) (bool, error) {
	defer r.ForgetPrincipals() // what the credential grants changes
	p := gqlbase.PrincipalFrom(ctx)
	m, err := r.memberFor(ctx, p, memberID)
	if err != nil {
		return false, err
	}
	leaving := p.Kind == gqlbase.PrincipalUser && m.UserID != nil && *m.UserID == p.UserID
	if !leaving {
		if err := p.Require(m.WorkspaceID, gqlbase.ScopeAdmin); err != nil {
			return false, err
		}
		if m.Role == gqlbase.RoleOwner {
			if err := requireOwnerToGrantOwner(p, m.WorkspaceID, gqlbase.RoleOwner); err != nil {
				return false, err
			}
		}
	}
	ctx = audited(ctx, m.WorkspaceID, "member.remove", "member", memberID, map[string]any{"email": m.Email, "role": m.Role})
	if err := r.Store.RemoveMember(ctx, memberID); err != nil {
		return false, err
	}
	return true, nil
}

// Workspaces is the use case behind the workspaces query; REST dialects call it too.
func (r *Resolver) Workspaces(ctx context.Context) ([]*gqlbase.Workspace, error) {
	p, err := principalOrError(gqlbase.PrincipalFrom(ctx))
	if err != nil {
		return nil, err
	}
	ids := []int64{p.WorkspaceID}
	if p.Kind == gqlbase.PrincipalUser {
		ids = slices.Sorted(maps.Keys(p.Roles))
	}
	return r.Store.ListWorkspaces(ctx, ids)
}

// GetWorkspace is the use case behind the workspace query; REST dialects call it too.
func (r *Resolver) GetWorkspace(ctx context.Context, id int64) (*gqlbase.Workspace, error) {
	if err := gqlbase.PrincipalFrom(ctx).Require(id, gqlbase.ScopeRead); err != nil {
		return nil, err
	}
	return r.Store.GetWorkspace(ctx, id)
}

// WorkspaceRef resolves a dialect's reference to a workspace (an Airsequel team, a Botpress
// workspace id): empty means the principal's default workspace; a number is an id; anything
// else names one of the principal's workspaces. The principal must belong to it.
func (r *Resolver) WorkspaceRef(ctx context.Context, ref string) (int64, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return 0, err
	}
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return p.WorkspaceID, nil
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if !p.MemberOf(id) {
			return 0, gqlbase.NotFound("workspace %d not found", id)
		}
		return id, nil
	}
	ids := []int64{p.WorkspaceID}
	if p.Kind == gqlbase.PrincipalUser {
		ids = ids[:0]
		for id := range p.Roles {
			ids = append(ids, id)
		}
		slices.Sort(ids)
	}
	wss, err := r.Store.ListWorkspaces(ctx, ids)
	if err != nil {
		return 0, err
	}
	for _, ws := range wss {
		if ws.Name == ref {
			return ws.ID, nil
		}
	}
	return 0, gqlbase.NotFound("workspace %q not found", ref)
}
