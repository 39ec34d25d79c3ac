package resolvers

import (
	"context"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// CreateDatabase is the use case behind the createDatabase mutation; REST dialects call it too.
func (r *Resolver) CreateDatabase(ctx context.Context, input gqlbase.CreateDatabaseInput) (*gqlbase.Database, error) {
	wsID, name, err := mayCreateDatabase(ctx, input)
	if err != nil {
		return nil, err
	}
	ctx = audited(ctx, wsID, "database.create", "database", 0, map[string]any{"name": name})
	return r.Store.CreateDatabase(ctx, wsID, name, actor(ctx))
}

// mayCreateDatabase checks that the principal may create a database in the input's workspace
// (the schema scope there, and not a token restricted to some databases) and checks its name.
func mayCreateDatabase(ctx context.Context, input gqlbase.CreateDatabaseInput) (int64, string, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return 0, "", err
	}
	wsID := workspaceFor(p, input.WorkspaceID)
	if err := p.Require(wsID, gqlbase.ScopeSchema); err != nil {
		return 0, "", err
	}
	if p.Databases != nil {
		return 0, "", gqlbase.Forbidden("a token restricted to some databases cannot create databases")
	}
	name, err := checkName(input.Name, "name")
	return wsID, name, err
}

// RenameDatabase is the use case behind the renameDatabase mutation; REST dialects call it too.
func (r *Resolver) RenameDatabase(ctx context.Context, id int64, name string) (*gqlbase.Database, error) {
	db, err := r.DatabaseFor(ctx, id, gqlbase.ScopeSchema)
	if err != nil {
		return nil, err
	}
	name, err = checkName(name, "name")
	if err != nil {
		return nil, err
	}
	ctx = audited(ctx, db.WorkspaceID, "database.rename", "database", id, map[string]any{"from": db.Name, "to": name})
	return r.Store.RenameDatabase(ctx, id, name, actor(ctx))
}

// DeleteDatabase is the use case behind the deleteDatabase mutation; REST dialects call it too.
func (r *Resolver) DeleteDatabase(ctx context.Context, id int64, force *bool) (bool, error) {
	db, err := r.DatabaseFor(ctx, id, gqlbase.ScopeSchema)
	if err != nil {
		return false, err
	}
	ctx = audited(ctx, db.WorkspaceID, "database.delete", "database", id, map[string]any{"name": db.Name})
	if err := r.Store.DeleteDatabase(ctx, id, force != nil && *force, actor(ctx)); err != nil {
		return false, err
	}
	return true, nil
}

// RegenerateReadonlyID is the use case behind the regenerateReadonlyID mutation; REST dialects call it too.
func (r *Resolver) RegenerateReadonlyID(ctx context.Context, id int64) (*gqlbase.Database, error) {
	if _, err := r.DatabaseFor(ctx, id, readonlyIDScope); err != nil {
		return nil, err
	}
	return r.Store.RegenerateReadonlyID(ctx, id, actor(ctx))
}

// Databases is the use case behind the databases query; REST dialects call it too.
func (r *Resolver) Databases(ctx context.Context, workspaceID *int64) ([]*gqlbase.Database, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	wsID := workspaceFor(p, workspaceID)
	if err := p.Require(wsID, gqlbase.ScopeRead); err != nil {
		return nil, err
	}
	all, err := r.Store.ListDatabases(ctx, wsID)
	if err != nil {
		return nil, err
	}
	out := make([]*gqlbase.Database, 0, len(all))
	for _, db := range all {
		if p.CanReadDatabase(wsID, db.ID) {
			out = append(out, db)
		}
	}
	return out, nil
}

// GetDatabase is the use case behind the database query; REST dialects call it too.
func (r *Resolver) GetDatabase(ctx context.Context, id int64) (*gqlbase.Database, error) {
	return r.DatabaseFor(ctx, id, gqlbase.ScopeRead)
}

// DatabaseWorkspace returns the workspace a database belongs to.
func (r *Resolver) DatabaseWorkspace(ctx context.Context, db *gqlbase.Database) (*gqlbase.Workspace, error) {
	return r.Store.GetWorkspace(ctx, db.WorkspaceID)
}

// SetSchemaLocked locks or unlocks a database's structure (schema scope); while locked, no
// API and no raw SQL changes its tables or columns.
func (r *Resolver) SetSchemaLocked(ctx context.Context, id int64, locked bool) (*gqlbase.Database, error) {
	if _, err := r.DatabaseFor(ctx, id, gqlbase.ScopeSchema); err != nil {
		return nil, err
	}
	return r.Store.SetSchemaLocked(ctx, id, locked, actor(ctx))
}

// CreateDatabaseFromSQL creates a database with a dialect's settings and runs query in it, all
// in one transaction: when the query is refused or fails, no database was created and the
// error says why. It needs what creating a database needs (the schema scope on the
// workspace), which covers every statement the query may hold, and takes a raw SQL turn of
// the workspace like any raw SQL request.
func (r *Resolver) CreateDatabaseFromSQL(ctx context.Context, input gqlbase.CreateDatabaseInput, dialect string, settings map[string]any, query string) (*gqlbase.Database, error) {
	wsID, name, err := mayCreateDatabase(ctx, input)
	if err != nil {
		return nil, err
	}
	if err := checkSettings(settings); err != nil {
		return nil, err
	}
	release, err := r.sqlTurns.acquire(ctx, wsID, r.SQL.perWorkspace(), r.SQL.wait())
	if err != nil {
		return nil, err
	}
	defer release()
	db, res, err := r.Store.CreateDatabaseFromSQL(ctx, storage.NewDatabase{
		WorkspaceID: wsID, Name: name, Dialect: dialect, Settings: settings, SQL: query,
	}, storage.SQLOptions{Deadline: r.SQL.deadline(), MaxBytes: r.SQL.maxResultBytes(), Actor: actor(ctx)})
	if err != nil {
		return nil, err
	}
	if db == nil {
		return nil, gqlbase.BadInput("the query failed, so the database was not created: %s", strings.Join(res.Errors, "; ")).WithField("query")
	}
	return db, nil
}

// DatabaseByNameFor loads a database of a workspace by name, for a principal with scope on it.
func (r *Resolver) DatabaseByNameFor(ctx context.Context, workspaceID int64, name string, scope gqlbase.Scope) (*gqlbase.Database, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Require(workspaceID, gqlbase.ScopeRead); err != nil {
		return nil, err
	}
	db, err := r.Store.DatabaseByName(ctx, workspaceID, name)
	if err != nil {
		return nil, err
	}
	if err := p.RequireDatabase(db.WorkspaceID, db.ID, scope); err != nil {
		return nil, err
	}
	return db, nil
}

// DatabaseByNameOrCreate is DatabaseByNameFor that creates the database (with the schema
// scope) when it does not exist yet and create is set. Two first uses at once create it once.
func (r *Resolver) DatabaseByNameOrCreate(ctx context.Context, workspaceID int64, name string, scope gqlbase.Scope, create bool) (*gqlbase.Database, bool, error) {
	db, err := r.DatabaseByNameFor(ctx, workspaceID, name, scope)
	if err == nil || !create || gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		return db, false, err
	}
	if _, err := r.Store.DatabaseByName(ctx, workspaceID, name); err == nil {
		// It exists after all: a concurrent first use made it since (or the caller may not
		// see it, which the lookup answers with NOT_FOUND as before).
		db, err := r.DatabaseByNameFor(ctx, workspaceID, name, scope)
		return db, false, err
	}
	db, err = r.Mutation().CreateDatabase(ctx, gqlbase.CreateDatabaseInput{Name: name, WorkspaceID: &workspaceID})
	if gqlbase.ErrorCode(err) == gqlbase.CodeConflict {
		db, err = r.DatabaseByNameFor(ctx, workspaceID, name, scope)
		return db, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return db, true, nil
}

// DeleteDatabaseWithTables deletes a database with everything in it, and its role, in one
// transaction.
func (r *Resolver) DeleteDatabaseWithTables(ctx context.Context, databaseID int64) error {
	force := true
	_, err := r.DeleteDatabase(ctx, databaseID, &force)
	return err
}
