package resolvers

import (
	"context"

	"github.com/gqlbase/gqlbase"
)

// DefaultDatabase is the use case dialects without a database level call (and the
// defaultDatabase mutation): the workspace's default database, its oldest one unless another
// was chosen, made when the workspace has none. Reading it needs the read scope and access to
// the database; making one needs what creating a database needs.
func (r *Resolver) DefaultDatabase(ctx context.Context, workspaceID int64) (*gqlbase.Database, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Require(workspaceID, gqlbase.ScopeRead); err != nil {
		return nil, err
	}
	db, err := r.Store.DefaultDatabase(ctx, workspaceID)
	if err == nil {
		return db, r.canUseDatabase(p, db)
	}
	if gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		return nil, err
	}
	if err := p.Require(workspaceID, gqlbase.ScopeSchema); err != nil {
		return nil, refusal(err, "the workspace has no default database yet, and making one")
	}
	if p.Databases != nil {
		return nil, gqlbase.Forbidden("the workspace has no default database yet, and a token restricted to some databases cannot create one")
	}
	ctx = audited(ctx, workspaceID, "database.create", "database", 0, map[string]any{"default": true})
	db, _, err = r.Store.EnsureDefaultDatabase(ctx, workspaceID, actor(ctx))
	if err != nil {
		return nil, err
	}
	return db, r.canUseDatabase(p, db)
}

func (r *Resolver) canUseDatabase(p *gqlbase.Principal, db *gqlbase.Database) error {
	return p.RequireDatabase(db.WorkspaceID, db.ID, gqlbase.ScopeRead)
}

// SetDefaultDatabase is the use case behind the setDefaultDatabase mutation.
func (r *Resolver) SetDefaultDatabase(ctx context.Context, databaseID int64) (*gqlbase.Database, error) {
	db, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	if err := gqlbase.PrincipalFrom(ctx).RequireWorkspace(db.WorkspaceID, gqlbase.ScopeAdmin); err != nil {
		return nil, err
	}
	ctx = audited(ctx, db.WorkspaceID, "workspace.default_database", "database", db.ID, map[string]any{"name": db.Name})
	if err := r.Store.SetDefaultDatabase(ctx, db); err != nil {
		return nil, err
	}
	return db, nil
}

// DefaultDatabaseOf answers Workspace.defaultDatabase: null before one was made, or when the
// caller may not read it.
func (r *Resolver) DefaultDatabaseOf(ctx context.Context, ws *gqlbase.Workspace) (*gqlbase.Database, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if p.Require(ws.ID, gqlbase.ScopeRead) != nil {
		return nil, nil
	}
	db, err := r.Store.DefaultDatabase(ctx, ws.ID)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if r.canUseDatabase(p, db) != nil {
		return nil, nil
	}
	return db, nil
}
