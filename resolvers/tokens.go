package resolvers

import (
	"context"
	"slices"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/graph"
)

// DefaultTokenLifetime applies when a token is created without an expiry choice.
const DefaultTokenLifetime = 90 * 24 * time.Hour

const maxTokenLifetimeDays = 3650

// tokenFor loads a token the principal may manage: with the admin scope on its workspace, or
// (when self is true) the very token the request authenticated with.
func (r *Resolver) tokenFor(ctx context.Context, p *gqlbase.Principal, id int64, self bool) (*gqlbase.Token, error) {
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	t, err := r.Store.GetToken(ctx, id)
	if err != nil {
		return nil, err
	}
	if self && p.Kind == gqlbase.PrincipalToken && p.TokenID == id {
		return t, nil
	}
	if !p.MemberOf(t.WorkspaceID) {
		return nil, gqlbase.NotFound("token %d not found", id)
	}
	if err := p.Require(t.WorkspaceID, gqlbase.ScopeAdmin); err != nil {
		return nil, err
	}
	return t, nil
}

// checkGrantedScopes refuses empty scope lists and any scope the granting principal lacks.
func (r *Resolver) checkGrantedScopes(p *gqlbase.Principal, workspaceID int64, scopes []gqlbase.Scope) ([]gqlbase.Scope, error) {
	if len(scopes) == 0 {
		return nil, gqlbase.BadInput("a token needs at least one scope").WithField("scopes")
	}
	held := p.ScopesIn(workspaceID)
	var out []gqlbase.Scope
	for _, s := range gqlbase.AllScopes { // stable order, no duplicates
		if !slices.Contains(scopes, s) {
			continue
		}
		if !slices.Contains(held, s) {
			return nil, gqlbase.Forbidden("cannot grant the %q scope, which the caller does not hold", s).WithField("scopes")
		}
		out = append(out, s)
	}
	return out, nil
}

// checkGrantedDatabases turns grants into a restriction. An empty list means no restriction.
// A restricted caller can only hand on what it has.
func (r *Resolver) checkGrantedDatabases(ctx context.Context, p *gqlbase.Principal, workspaceID int64, grants []*graph.DatabaseGrantInput) (map[int64]gqlbase.DatabaseAccess, error) {
	if len(grants) == 0 {
		if p.Databases != nil {
			return nil, gqlbase.Forbidden("a token restricted to some databases cannot create an unrestricted one").WithField("databases")
		}
		return nil, nil
	}
	out := make(map[int64]gqlbase.DatabaseAccess, len(grants))
	for _, g := range grants {
		if _, dup := out[g.DatabaseID]; dup {
			return nil, gqlbase.BadInput("database %d is listed twice", g.DatabaseID).WithField("databases")
		}
		if err := r.checkDatabaseInWorkspace(ctx, workspaceID, g.DatabaseID); err != nil {
			return nil, err
		}
		if p.Databases != nil {
			held, ok := p.Databases[g.DatabaseID]
			if !ok || (g.Access == gqlbase.AccessWrite && held != gqlbase.AccessWrite) {
				return nil, gqlbase.Forbidden("cannot grant %s access to database %d beyond the caller's own", g.Access, g.DatabaseID).WithField("databases")
			}
		}
		out[g.DatabaseID] = g.Access
	}
	return out, nil
}

// tokenExpiry resolves the expiry options into one time (nil: never).
func tokenExpiry(at *time.Time, inDays *int, never *bool, applyDefault bool) (*time.Time, error) {
	choices := 0
	for _, set := range []bool{at != nil, inDays != nil, never != nil && *never} {
		if set {
			choices++
		}
	}
	if choices > 1 {
		return nil, gqlbase.BadInput("give only one of expiresAt, expiresInDays and neverExpires").WithField("expiresAt")
	}
	now := time.Now()
	switch {
	case at != nil:
		if !at.After(now) {
			return nil, gqlbase.BadInput("expiresAt must be in the future").WithField("expiresAt")
		}
		t := at.UTC()
		return &t, nil
	case inDays != nil:
		if *inDays < 1 || *inDays > maxTokenLifetimeDays {
			return nil, gqlbase.BadInput("expiresInDays must be between 1 and %d", maxTokenLifetimeDays).WithField("expiresInDays")
		}
		t := now.Add(time.Duration(*inDays) * 24 * time.Hour).UTC()
		return &t, nil
	case never != nil && *never:
		return nil, nil
	}
	if !applyDefault {
		return nil, nil
	}
	t := now.Add(DefaultTokenLifetime).UTC()
	return &t, nil
}

// notifyTokenRevoked tells the parts that hold on to credentials (open subscriptions) that a
// token no longer works.
func (r *Resolver) notifyTokenRevoked(id int64) {
	if r.OnTokenRevoked != nil {
		r.OnTokenRevoked(id)
	}
}

// checkDatabaseInWorkspace refuses grants on databases of other workspaces.
func (r *Resolver) checkDatabaseInWorkspace(ctx context.Context, workspaceID, databaseID int64) error {
	db, err := r.Store.GetDatabase(ctx, databaseID)
	if err != nil || db.WorkspaceID != workspaceID {
		return gqlbase.NotFound("database %d not found in workspace %d", databaseID, workspaceID).WithField("databases")
	}
	return nil
}
