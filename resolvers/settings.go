package resolvers

import (
	"context"
	"unicode/utf8"

	"github.com/gqlbase/gqlbase"
)

// The settings a REST dialect keeps for databases and tables, beside the core's own properties.

// TableSettings returns the settings a dialect keeps for tables the principal may read.
func (r *Resolver) TableSettings(ctx context.Context, tables []*gqlbase.Table, dialect string) (map[int64]map[string]any, error) {
	p := gqlbase.PrincipalFrom(ctx)
	ids := make([]int64, 0, len(tables))
	for _, t := range tables {
		if !p.CanReadDatabase(t.WorkspaceID, t.DatabaseID) {
			return nil, gqlbase.NotFound("table %d not found", t.ID)
		}
		ids = append(ids, t.ID)
	}
	if len(ids) == 0 {
		return map[int64]map[string]any{}, nil
	}
	return r.Store.TableSettingsOf(ctx, ids, dialect)
}

// MergeTableSettings changes the settings a dialect keeps for a table (schema scope).
func (r *Resolver) MergeTableSettings(ctx context.Context, tableID int64, dialect string, patch map[string]any) (map[string]any, error) {
	t, err := r.TableFor(ctx, tableID, gqlbase.ScopeSchema)
	if err != nil {
		return nil, err
	}
	ctx = audited(ctx, t.WorkspaceID, "settings.update", "table", tableID, map[string]any{"dialect": dialect, "keys": settingKeys(patch)})
	return r.Store.MergeTableSettings(ctx, tableID, dialect, patch)
}

// DatabaseSettings returns the settings a dialect keeps for a database the principal may read.
func (r *Resolver) DatabaseSettings(ctx context.Context, databaseID int64, dialect string) (map[string]any, error) {
	if _, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead); err != nil {
		return nil, err
	}
	return r.Store.DatabaseSettings(ctx, databaseID, dialect)
}

// MergeDatabaseSettings changes the settings a dialect keeps for a database (schema scope).
// A non-nil schemaLocked locks or unlocks the database's schema in the same transaction.
func (r *Resolver) MergeDatabaseSettings(ctx context.Context, databaseID int64, dialect string, patch map[string]any, schemaLocked *bool) (map[string]any, error) {
	db, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeSchema)
	if err != nil {
		return nil, err
	}
	if err := checkSettings(patch); err != nil {
		return nil, err
	}
	ctx = audited(ctx, db.WorkspaceID, "settings.update", "database", databaseID, map[string]any{"dialect": dialect, "keys": settingKeys(patch)})
	return r.Store.MergeDatabaseSettings(ctx, databaseID, dialect, patch, schemaLocked, actor(ctx))
}

// checkSettings bounds the text values of a dialect's settings.
func checkSettings(patch map[string]any) error {
	for k, v := range patch {
		if s, ok := v.(string); ok && utf8.RuneCountInString(s) > maxDescriptionLen {
			return gqlbase.BadInput("%s must have at most %d characters", k, maxDescriptionLen).WithField(k)
		}
	}
	return nil
}
