package resolvers

import (
	"context"
	"slices"
	"unicode/utf8"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

const maxTags = 50

// tableSpec validates a table definition with its columns.
func tableSpec(in *gqlbase.CreateTableInput) (*gqlbase.Table, error) {
	if err := checkTableName(in.Name); err != nil {
		return nil, err
	}
	spec := &gqlbase.Table{Name: in.Name, Label: in.Name, Tags: in.Tags}
	if in.Label != nil {
		if err := checkLabel(*in.Label); err != nil {
			return nil, err
		}
		spec.Label = *in.Label
	}
	if in.Description != nil {
		spec.Description = *in.Description
	}
	if err := checkTableText(in.Description, in.Tags); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, ci := range in.Columns {
		c, err := ColumnFromInput(ci)
		if err != nil {
			if e, ok := gqlbase.AsError(err); ok {
				return nil, e.WithDetail("column", i)
			}
			return nil, err
		}
		if seen[c.Name] {
			return nil, gqlbase.BadInput("column %q is defined twice", c.Name).WithField("columns")
		}
		seen[c.Name] = true
		spec.Columns = append(spec.Columns, c)
	}
	return spec, nil
}

func checkTableText(description *string, tags []string) error {
	if description != nil && utf8.RuneCountInString(*description) > maxDescriptionLen {
		return gqlbase.BadInput("a description may have at most %d characters", maxDescriptionLen).WithField("description")
	}
	if len(tags) > maxTags {
		return gqlbase.BadInput("at most %d tags", maxTags).WithField("tags")
	}
	for _, tag := range tags {
		if tag == "" || utf8.RuneCountInString(tag) > 100 {
			return gqlbase.BadInput("a tag must have 1 to 100 characters").WithField("tags")
		}
	}
	return nil
}

// columnFor loads a column and its table, checking the schema scope.
func (r *Resolver) columnFor(ctx context.Context, columnID int64) (*gqlbase.Table, *gqlbase.Column, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return nil, nil, err
	}
	tableID, err := r.Store.ColumnTable(ctx, columnID)
	if err != nil {
		return nil, nil, err
	}
	t, err := r.TableFor(ctx, tableID, gqlbase.ScopeSchema)
	if err != nil {
		if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
			return nil, nil, gqlbase.NotFound("column %d not found", columnID)
		}
		return nil, nil, err
	}
	if err := r.CheckSchemaUnlocked(ctx, t.DatabaseID); err != nil {
		return nil, nil, err
	}
	for _, c := range t.Columns {
		if c.ID == columnID {
			return t, c, nil
		}
	}
	return nil, nil, gqlbase.NotFound("column %d not found", columnID)
}

// CreateTable is the use case behind the createTable mutation; REST dialects call it too.
func (r *Resolver) CreateTable(ctx context.Context, input gqlbase.CreateTableInput) (*gqlbase.Table, error) {
	db, err := r.DatabaseFor(ctx, input.DatabaseID, gqlbase.ScopeSchema)
	if err != nil {
		return nil, err
	}
	if err := schemaUnlocked(db); err != nil {
		return nil, err
	}
	spec, err := tableSpec(&input)
	if err != nil {
		return nil, err
	}
	ctx = audited(ctx, db.WorkspaceID, "table.create", "table", 0, map[string]any{"name": spec.Name, "databaseId": db.ID})
	return r.Store.CreateTable(ctx, db, spec, actor(ctx))
}

// UpdateTable is the use case behind the updateTable mutation; REST dialects call it too.
func (r *Resolver) UpdateTable(ctx context.Context, id int64, input gqlbase.UpdateTableInput) (*gqlbase.Table, error) {
	t, err := r.TableFor(ctx, id, gqlbase.ScopeSchema)
	if err != nil {
		return nil, err
	}
	// A rename changes the structure; labels, descriptions, tags and freezing do not.
	if input.Name != nil && *input.Name != t.Name {
		if err := r.CheckSchemaUnlocked(ctx, t.DatabaseID); err != nil {
			return nil, err
		}
	}
	patch := storage.TablePatch{Name: input.Name, Label: input.Label, Description: input.Description, Tags: input.Tags, Frozen: input.Frozen}
	if input.Name != nil {
		if err := checkTableName(*input.Name); err != nil {
			return nil, err
		}
	}
	if input.Label != nil {
		if err := checkLabel(*input.Label); err != nil {
			return nil, err
		}
	}
	if err := checkTableText(input.Description, input.Tags); err != nil {
		return nil, err
	}
	ctx = audited(ctx, t.WorkspaceID, "table.update", "table", id, map[string]any{"name": t.Name})
	return r.Store.UpdateTable(ctx, id, patch, actor(ctx))
}

// DeleteTable is the use case behind the deleteTable mutation; REST dialects call it too.
func (r *Resolver) DeleteTable(ctx context.Context, id int64, force *bool) (bool, error) {
	t, err := r.schemaTableFor(ctx, id)
	if err != nil {
		return false, err
	}
	ctx = audited(ctx, t.WorkspaceID, "table.delete", "table", id, map[string]any{"name": t.Name})
	if err := r.Store.DeleteTable(ctx, id, force != nil && *force, actor(ctx)); err != nil {
		return false, err
	}
	return true, nil
}

// DuplicateTable is the use case behind the duplicateTable mutation; REST dialects call it too.
func (r *Resolver) DuplicateTable(ctx context.Context, id int64, name string, withRows *bool) (*gqlbase.Table, error) {
	t, err := r.schemaTableFor(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkTableName(name); err != nil {
		return nil, err
	}
	ctx = audited(ctx, t.WorkspaceID, "table.duplicate", "table", id, map[string]any{"from": t.Name, "to": name})
	return r.Store.DuplicateTable(ctx, id, name, withRows != nil && *withRows, actor(ctx))
}

// AddColumn is the use case behind the addColumn mutation; REST dialects call it too.
func (r *Resolver) AddColumn(ctx context.Context, table int64, input gqlbase.ColumnInput) (*gqlbase.Column, error) {
	t, err := r.schemaTableFor(ctx, table)
	if err != nil {
		return nil, err
	}
	c, err := ColumnFromInput(&input)
	if err != nil {
		return nil, err
	}
	ctx = audited(ctx, t.WorkspaceID, "column.create", "column", 0, map[string]any{"name": c.Name, "type": c.Type, "tableId": table})
	return r.Store.AddColumn(ctx, table, c, actor(ctx))
}

// UpdateColumn is the use case behind the updateColumn mutation; REST dialects call it too.
func (r *Resolver) UpdateColumn(ctx context.Context, id int64, input gqlbase.UpdateColumnInput) (*gqlbase.Column, error) {
	t, c, err := r.columnFor(ctx, id)
	if err != nil {
		return nil, err
	}
	patch := storage.ColumnPatch{Label: input.Label, Description: input.Description, Nullable: input.Nullable,
		Unique: input.Unique, Indexed: input.Indexed, Position: input.Position}
	if input.Label != nil {
		if err := checkLabel(*input.Label); err != nil {
			return nil, err
		}
	}
	if err := checkTableText(input.Description, nil); err != nil {
		return nil, err
	}
	if input.ClearDefault != nil && *input.ClearDefault {
		if input.Default != nil {
			return nil, gqlbase.BadInput("give either default or clearDefault, not both").WithField("default")
		}
		patch.SetDefault = true
	} else if input.Default != nil {
		if patch.Default, err = checkDefault(c, input.Default); err != nil {
			return nil, err
		}
		patch.SetDefault = true
	}
	if input.Options != nil {
		if patch.Options, err = selectOptions(c.Type, input.Options); err != nil {
			return nil, err
		}
		if patch.Options == nil {
			patch.Options = []gqlbase.SelectOption{}
		}
	}
	if input.MaxRating != nil {
		n, err := ratingScale(c.Type, input.MaxRating)
		if err != nil {
			return nil, err
		}
		patch.MaxRating = &n
	}
	ctx = audited(ctx, t.WorkspaceID, "column.update", "column", id, map[string]any{"name": c.Name, "tableId": t.ID})
	return r.Store.UpdateColumn(ctx, id, patch, actor(ctx))
}

// RenameColumn is the use case behind the renameColumn mutation; REST dialects call it too.
func (r *Resolver) RenameColumn(ctx context.Context, id int64, name string) (*gqlbase.Column, error) {
	t, c, err := r.columnFor(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := gqlbase.CheckColumnName(name); err != nil {
		return nil, err
	}
	ctx = audited(ctx, t.WorkspaceID, "column.rename", "column", id, map[string]any{"from": c.Name, "to": name, "tableId": t.ID})
	return r.Store.RenameColumn(ctx, id, name, actor(ctx))
}

// ChangeColumnType is the use case behind the changeColumnType mutation; REST dialects call it too.
func (r *Resolver) ChangeColumnType(ctx context.Context, id int64, input gqlbase.ChangeColumnTypeInput) (*gqlbase.Column, error) {
	t, c, err := r.columnFor(ctx, id)
	if err != nil {
		return nil, err
	}
	ctx = audited(ctx, t.WorkspaceID, "column.type", "column", id, map[string]any{"from": c.Type, "to": input.Type, "tableId": t.ID})
	if !validColumnType(input.Type) {
		return nil, gqlbase.BadInput("unknown column type %q", input.Type).WithField("type")
	}
	opts, err := optionsFromInput(input.Type, input.Options)
	if err != nil {
		return nil, err
	}
	rating, err := ratingScale(input.Type, input.MaxRating)
	if err != nil {
		return nil, err
	}
	if input.LinkTable != nil && input.Type != gqlbase.TypeLink {
		return nil, gqlbase.BadInput("linkTable applies only to LINK columns").WithField("linkTable")
	}
	return r.Store.ChangeColumnType(ctx, id, storage.TypeChange{Type: input.Type, Options: opts, LinkTableID: input.LinkTable, MaxRating: rating}, actor(ctx))
}

// DeleteColumn is the use case behind the deleteColumn mutation; REST dialects call it too.
func (r *Resolver) DeleteColumn(ctx context.Context, id int64) (bool, error) {
	t, c, err := r.columnFor(ctx, id)
	if err != nil {
		return false, err
	}
	ctx = audited(ctx, t.WorkspaceID, "column.delete", "column", id, map[string]any{"name": c.Name, "tableId": t.ID})
	if err := r.Store.DeleteColumn(ctx, id, actor(ctx)); err != nil {
		return false, err
	}
	return true, nil
}

// GetTable is the use case behind the table query; REST dialects call it too.
func (r *Resolver) GetTable(ctx context.Context, id *int64, databaseID *int64, name *string) (*gqlbase.Table, error) {
	switch {
	case id != nil && databaseID == nil && name == nil:
		return r.TableFor(ctx, *id, gqlbase.ScopeRead)
	case id == nil && databaseID != nil && name != nil:
		return r.TableByNameFor(ctx, *databaseID, *name, gqlbase.ScopeRead)
	}
	return nil, gqlbase.BadInput("give either id, or databaseId and name")
}

// ListTables is the use case behind the tables query; REST dialects call it too.
func (r *Resolver) ListTables(ctx context.Context, databaseID int64, tag *string) ([]*gqlbase.Table, error) {
	if _, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead); err != nil {
		return nil, err
	}
	all, err := r.Store.ListTables(ctx, databaseID)
	if err != nil {
		return nil, err
	}
	out := all
	if tag != nil {
		out = []*gqlbase.Table{}
		for _, t := range all {
			if slices.Contains(t.Tags, *tag) {
				out = append(out, t)
			}
		}
	}
	r.loaders(ctx).GroupTables(out) // their row counts come with one query
	return out, nil
}

// schemaTableFor loads a table for a change of its structure: the schema scope, and a
// database whose schema is not locked.
func (r *Resolver) schemaTableFor(ctx context.Context, id int64) (*gqlbase.Table, error) {
	t, err := r.TableFor(ctx, id, gqlbase.ScopeSchema)
	if err != nil {
		return nil, err
	}
	if err := r.CheckSchemaUnlocked(ctx, t.DatabaseID); err != nil {
		return nil, err
	}
	return t, nil
}

// CheckSchemaUnlocked refuses structure changes of a database whose schema is locked.
func (r *Resolver) CheckSchemaUnlocked(ctx context.Context, databaseID int64) error {
	db, err := r.Store.GetDatabase(ctx, databaseID)
	if err != nil {
		return err
	}
	return schemaUnlocked(db)
}

func schemaUnlocked(db *gqlbase.Database) error {
	if db.SchemaLocked {
		return gqlbase.Forbidden("the schema of database %q is locked: unlock it first (setSchemaLocked)", db.Name)
	}
	return nil
}

// Tables lists a database's tables for a principal that may read it.
func (r *Resolver) Tables(ctx context.Context, databaseID int64) ([]*gqlbase.Table, error) {
	return r.Query().Tables(ctx, databaseID, nil)
}
