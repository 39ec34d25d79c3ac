package resolvers

import (
	"context"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/dataloaders"
)

// loaders returns the operation's batch loaders (or fresh ones outside an operation).
func (r *Resolver) loaders(ctx context.Context) *dataloaders.Loaders {
	return dataloaders.For(ctx, r.Store, r.Cache)
}

func actor(ctx context.Context) string { return gqlbase.PrincipalFrom(ctx).Actor() }

// TableFor loads a table the principal may use with scope. A table in a workspace the
// principal does not belong to answers NOT_FOUND, like a table that does not exist.
func (r *Resolver) TableFor(ctx context.Context, id int64, scope gqlbase.Scope) (*gqlbase.Table, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	t, err := r.loaders(ctx).Table(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.MemberOf(t.WorkspaceID) {
		return nil, gqlbase.NotFound("table %d not found", id)
	}
	if err := p.RequireDatabase(t.WorkspaceID, t.DatabaseID, scope); err != nil {
		return nil, err
	}
	// Reading a table (its rows, its events, its metadata) is the read operation of a
	// fine-grained token's permissions.
	if scope == gqlbase.ScopeRead {
		if err := p.RequireRows(t, gqlbase.OpRead); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// TableByNameFor is TableFor by name within a database.
func (r *Resolver) TableByNameFor(ctx context.Context, databaseID int64, name string, scope gqlbase.Scope) (*gqlbase.Table, error) {
	if _, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead); err != nil {
		return nil, err
	}
	t, err := r.Store.TableByName(ctx, databaseID, name)
	if err != nil {
		return nil, err
	}
	return r.TableFor(ctx, t.ID, scope)
}

// DatabaseFor loads a database the principal may use with scope.
func (r *Resolver) DatabaseFor(ctx context.Context, id int64, scope gqlbase.Scope) (*gqlbase.Database, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	db, err := r.Store.GetDatabase(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.MemberOf(db.WorkspaceID) {
		return nil, gqlbase.NotFound("database %d not found", id)
	}
	if err := p.RequireDatabase(db.WorkspaceID, db.ID, scope); err != nil {
		return nil, err
	}
	return db, nil
}

// workspaceFor resolves an optional workspace argument to the principal's default.
func workspaceFor(p *gqlbase.Principal, id *int64) int64 {
	if id != nil {
		return *id
	}
	return p.WorkspaceID
}
