package resolvers

import (
	"context"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/gqlbase/gqlbase"
)

// DefaultTokenLifetime applies when a token is created without an expiry choice.
const DefaultTokenLifetime = 90 * 24 * time.Hour

const maxTokenLifetimeDays = 3650

// tokenFor loads a token the principal may see: the very token the request authenticated
// with (when self is true), or, with the admin scope, any token of the workspace. A principal
// restricted to some databases does not administer the workspace: it sees only the tokens it
// covers (those it could have made itself).
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
	if err := p.RequireScope(t.WorkspaceID, gqlbase.ScopeAdmin); err != nil {
		return nil, err
	}
	if p.Databases != nil {
		if err := p.Covers(t.WorkspaceID, t.Rights()); err != nil {
			return nil, refusal(err, "a token restricted to some databases reaches only tokens within its own rights, and token %d is not", id)
		}
	}
	return t, nil
}

// tokenToChange is tokenFor for updating, rotating or revoking a token: the principal must
// also cover everything the token grants, since changing it (a rotation hands out its
// secret) amounts to acting as it.
func (r *Resolver) tokenToChange(ctx context.Context, p *gqlbase.Principal, id int64, self bool) (*gqlbase.Token, error) {
	t, err := r.tokenFor(ctx, p, id, self)
	if err != nil {
		return nil, err
	}
	if self && p.Kind == gqlbase.PrincipalToken && p.TokenID == id {
		return t, nil
	}
	if err := p.Covers(t.WorkspaceID, t.Rights()); err != nil {
		return nil, refusal(err, "cannot change token %d, which grants more than the caller", id)
	}
	return t, nil
}

// refusal puts context in front of a caller-facing error, keeping its code and field.
func refusal(err error, format string, args ...any) error {
	e, ok := gqlbase.AsError(err)
	if !ok {
		return fmt.Errorf(format+": %w", append(args, err)...)
	}
	c := *e
	c.Message = fmt.Sprintf(format, args...) + ": " + e.Message
	return &c
}

// grantedScopes refuses empty scope lists and puts scopes in a stable order without
// duplicates. Whether the caller may grant them is Covers' business.
func grantedScopes(scopes []gqlbase.Scope) ([]gqlbase.Scope, error) {
	if len(scopes) == 0 {
		return nil, gqlbase.BadInput("a token needs at least one scope").WithField("scopes")
	}
	var out []gqlbase.Scope
	for _, s := range gqlbase.AllScopes {
		if slices.Contains(scopes, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// grantedDatabases turns grants into a restriction. An empty list means no restriction.
// Whether the caller may grant it is Covers' business.
func (r *Resolver) grantedDatabases(ctx context.Context, workspaceID int64, grants []*gqlbase.DatabaseGrantInput) (map[int64]gqlbase.DatabaseAccess, error) {
	if len(grants) == 0 {
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
		out[g.DatabaseID] = g.Access
	}
	return out, nil
}

// tokenExpiry resolves the expiry options into one time (nil: never). The lifetime cap
// applies to every way of giving an expiry. The default lifetime ends no later than ceiling,
// the caller's own expiry (nil: none), so a caller that did not choose gets a token it may
// make; an explicit choice beyond the ceiling is refused by Covers.
func tokenExpiry(at *time.Time, inDays *int, never *bool, applyDefault bool, ceiling *time.Time) (*time.Time, error) {
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
	longest := now.Add(maxTokenLifetimeDays * 24 * time.Hour)
	switch {
	case at != nil:
		if !at.After(now) {
			return nil, gqlbase.BadInput("expiresAt must be in the future").WithField("expiresAt")
		}
		if at.After(longest) {
			return nil, gqlbase.BadInput("a token expires at most %d days from now", maxTokenLifetimeDays).WithField("expiresAt")
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
	if ceiling != nil && ceiling.Before(t) {
		t = ceiling.UTC()
	}
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

// CreateToken is the use case behind the createToken mutation; REST dialects call it too.
func (r *Resolver) CreateToken(ctx context.Context, input gqlbase.CreateTokenInput) (*gqlbase.TokenWithSecret, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	wsID := p.WorkspaceID
	if input.WorkspaceID != nil {
		wsID = *input.WorkspaceID
	}
	// A principal restricted to some databases may make tokens restricted at least as
	// narrowly, which Covers checks below; so the admin scope here is not workspace-wide.
	if err := p.RequireScope(wsID, gqlbase.ScopeAdmin); err != nil {
		return nil, err
	}
	name, err := checkName(input.Name, "name")
	if err != nil {
		return nil, err
	}
	description, err := tokenDescription(input.Description)
	if err != nil {
		return nil, err
	}
	scopes, err := grantedScopes(input.Scopes)
	if err != nil {
		return nil, err
	}
	dbs, err := r.grantedDatabases(ctx, wsID, input.Databases)
	if err != nil {
		return nil, err
	}
	perms, err := r.tokenPermissions(ctx, wsID, input.Permissions)
	if err != nil {
		return nil, err
	}
	ips, err := tokenAllowlist(input.AllowedIPs)
	if err != nil {
		return nil, err
	}
	limit, err := tokenLimit(input.RateLimit, false)
	if err != nil {
		return nil, err
	}
	held := p.RightsIn(wsID)
	expires, err := tokenExpiry(input.ExpiresAt, input.ExpiresInDays, input.NeverExpires, true, held.ExpiresAt)
	if err != nil {
		return nil, err
	}
	// The new token acts for the caller's user (a token's creator), so with the caller's role.
	asked := gqlbase.Rights{Scopes: scopes, Databases: dbs, ExpiresAt: expires, Role: held.Role,
		Permissions: perms, AllowedIPs: ips, RateLimit: limit}
	if err := held.Covers(asked); err != nil {
		return nil, refusal(err, "cannot create this token")
	}
	secret := gqlbase.NewSecret(gqlbase.TokenPrefix)
	var createdBy *int64
	switch {
	case p.Kind == gqlbase.PrincipalUser:
		createdBy = &p.UserID
	case p.CreatorID != 0:
		createdBy = &p.CreatorID
	}
	ctx = audited(ctx, wsID, "token.create", "token", 0, map[string]any{"name": name, "scopes": scopes})
	t, err := r.Store.CreateToken(ctx, &gqlbase.Token{
		WorkspaceID: wsID, Name: name, Description: description, Prefix: gqlbase.DisplayPrefix(secret),
		Scopes: scopes, Databases: dbs, ExpiresAt: expires, Permissions: perms, AllowedIPs: ips, RateLimit: limit,
	}, gqlbase.HashSecret(secret), createdBy)
	if err != nil {
		return nil, err
	}
	return &gqlbase.TokenWithSecret{Token: t, Secret: secret}, nil
}

// UpdateToken is the use case behind the updateToken mutation; REST dialects call it too.
func (r *Resolver) UpdateToken(ctx context.Context, id int64, input gqlbase.UpdateTokenInput) (*gqlbase.Token, error) {
	defer r.ForgetPrincipals() // what the credential grants changes
	p := gqlbase.PrincipalFrom(ctx)
	t, err := r.tokenToChange(ctx, p, id, false)
	if err != nil {
		return nil, err
	}
	if input.Name != nil {
		if t.Name, err = checkName(*input.Name, "name"); err != nil {
			return nil, err
		}
	}
	if input.Description != nil {
		if t.Description, err = tokenDescription(input.Description); err != nil {
			return nil, err
		}
	}
	if input.Scopes != nil {
		if t.Scopes, err = grantedScopes(input.Scopes); err != nil {
			return nil, err
		}
	}
	if input.Databases != nil {
		if t.Databases, err = r.grantedDatabases(ctx, t.WorkspaceID, input.Databases); err != nil {
			return nil, err
		}
	}
	if err := r.updateRestrictions(ctx, t, input); err != nil {
		return nil, err
	}
	// neverExpires: false is no choice: only an expiry time or neverExpires: true changes it.
	if input.ExpiresAt != nil || (input.NeverExpires != nil && *input.NeverExpires) {
		if t.ExpiresAt, err = tokenExpiry(input.ExpiresAt, nil, input.NeverExpires, false, nil); err != nil {
			return nil, err
		}
	}
	asked := t.Rights()
	if input.Scopes != nil {
		// Scopes given now must be held now, even those the creator's role cuts off today.
		asked.Scopes = t.Scopes
	}
	if err := p.Covers(t.WorkspaceID, asked); err != nil {
		return nil, refusal(err, "cannot give token %d these rights", id)
	}
	ctx = audited(ctx, t.WorkspaceID, "token.update", "token", id, map[string]any{"name": t.Name, "scopes": t.Scopes})
	return r.Store.UpdateToken(ctx, t)
}

// RevokeToken is the use case behind the revokeToken mutation; REST dialects call it too.
func (r *Resolver) RevokeToken(ctx context.Context, id int64) (*gqlbase.Token, error) {
	defer r.ForgetPrincipals() // what the credential grants changes
	old, err := r.tokenToChange(ctx, gqlbase.PrincipalFrom(ctx), id, true)
	if err != nil {
		return nil, err
	}
	ctx = audited(ctx, old.WorkspaceID, "token.revoke", "token", id, map[string]any{"name": old.Name})
	t, err := r.Store.RevokeToken(ctx, id)
	if err != nil {
		return nil, err
	}
	r.notifyTokenRevoked(id)
	return t, nil
}

// RotateToken is the use case behind the rotateToken mutation; REST dialects call it too.
func (r *Resolver) RotateToken(ctx context.Context, id int64) (*gqlbase.TokenWithSecret, error) {
	defer r.ForgetPrincipals() // what the credential grants changes
	old, err := r.tokenToChange(ctx, gqlbase.PrincipalFrom(ctx), id, true)
	if err != nil {
		return nil, err
	}
	ctx = audited(ctx, old.WorkspaceID, "token.rotate", "token", id, map[string]any{"name": old.Name})
	secret := gqlbase.NewSecret(gqlbase.TokenPrefix)
	t, err := r.Store.RotateToken(ctx, id, gqlbase.DisplayPrefix(secret), gqlbase.HashSecret(secret))
	if err != nil {
		return nil, err
	}
	r.notifyTokenRevoked(id)
	return &gqlbase.TokenWithSecret{Token: t, Secret: secret}, nil
}

// Tokens is the use case behind the tokens query; REST dialects call it too.
func (r *Resolver) Tokens(ctx context.Context, workspaceID *int64) ([]*gqlbase.Token, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	wsID := p.WorkspaceID
	if workspaceID != nil {
		wsID = *workspaceID
	}
	if err := p.Require(wsID, gqlbase.ScopeAdmin); err != nil {
		return nil, err
	}
	return r.Store.ListTokens(ctx, wsID)
}

// GetToken is the use case behind the token query; REST dialects call it too.
func (r *Resolver) GetToken(ctx context.Context, id int64) (*gqlbase.Token, error) {
	return r.tokenFor(ctx, gqlbase.PrincipalFrom(ctx), id, true)
}

// tokenDescription checks a token's description (nil: none).
func tokenDescription(d *string) (string, error) {
	if d == nil {
		return "", nil
	}
	if utf8.RuneCountInString(*d) > maxDescriptionLen {
		return "", gqlbase.BadInput("a description may have at most %d characters", maxDescriptionLen).WithField("description")
	}
	return *d, nil
}
