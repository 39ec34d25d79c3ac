package resolvers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/gqlbase/gqlbase"
)

// maxLinksPage is the most linked rows one rowLinks page holds.
const maxLinksPage = 1000

// CreateLinkColumn is the use case behind the createLinkColumn mutation: both tables change
// (the target gains the reverse field), so the principal needs the schema scope on both.
func (r *Resolver) CreateLinkColumn(ctx context.Context, in gqlbase.CreateLinkColumnInput) (*gqlbase.LinkColumn, error) {
	t, err := r.schemaTableFor(ctx, in.Table)
	if err != nil {
		return nil, err
	}
	if _, err := r.schemaTableFor(ctx, in.TargetTable); err != nil {
		if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
			return nil, gqlbase.NotFound("target table %d not found", in.TargetTable).WithField("targetTable")
		}
		return nil, err
	}
	if err := gqlbase.CheckColumnName(in.Name); err != nil {
		return nil, err
	}
	if in.ReverseName != "" {
		if err := gqlbase.CheckColumnName(in.ReverseName); err != nil {
			if e, ok := gqlbase.AsError(err); ok {
				return nil, e.WithField("reverseName")
			}
			return nil, err
		}
	}
	ctx = audited(ctx, t.WorkspaceID, "link_column.create", "table", t.ID, map[string]any{
		"name": in.Name, "targetTableId": in.TargetTable, "reverseName": in.ReverseName})
	return r.Store.CreateLinkColumn(ctx, in, actor(ctx))
}

// linkColumnFor loads a link column whose tables the principal may use with scope (NOT_FOUND
// when it may not see them, as for a link column that does not exist).
func (r *Resolver) linkColumnFor(ctx context.Context, id int64, scope gqlbase.Scope) (*gqlbase.LinkColumn, *gqlbase.Table, *gqlbase.Table, error) {
	if err := gqlbase.PrincipalFrom(ctx).Authenticated(); err != nil {
		return nil, nil, nil, err
	}
	l, err := r.Store.GetLinkColumn(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	src, err := r.TableFor(ctx, l.TableID, scope)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		return nil, nil, nil, gqlbase.NotFound("link column %d not found", id)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	dst, err := r.TableFor(ctx, l.TargetTableID, scope)
	if err != nil {
		return nil, nil, nil, err
	}
	return l, src, dst, nil
}

// DeleteLinkColumn is the use case behind the deleteLinkColumn mutation.
func (r *Resolver) DeleteLinkColumn(ctx context.Context, id int64) (bool, error) {
	l, src, _, err := r.linkColumnFor(ctx, id, gqlbase.ScopeSchema)
	if err != nil {
		return false, err
	}
	if err := r.CheckSchemaUnlocked(ctx, src.DatabaseID); err != nil {
		return false, err
	}
	ctx = audited(ctx, src.WorkspaceID, "link_column.delete", "table", src.ID, map[string]any{"name": l.Name, "linkColumnId": id})
	if err := r.Store.DeleteLinkColumn(ctx, id, actor(ctx)); err != nil {
		return false, err
	}
	return true, nil
}

// linkWrite loads what a link or unlink needs: changing a row's links is an update of that
// row, and needs to read the other table.
func (r *Resolver) linkWrite(ctx context.Context, id int64, reverse *bool) (*gqlbase.LinkColumn, *gqlbase.Table, *gqlbase.Table, bool, error) {
	l, src, dst, err := r.linkColumnFor(ctx, id, gqlbase.ScopeWrite)
	if err != nil {
		return nil, nil, nil, false, err
	}
	rev := reverse != nil && *reverse
	near, far := src, dst
	if rev {
		near, far = dst, src
	}
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.RequireRows(near, gqlbase.OpUpdate); err != nil {
		return nil, nil, nil, false, err
	}
	if err := p.RequireRows(far, gqlbase.OpRead); err != nil {
		return nil, nil, nil, false, err
	}
	return l, src, dst, rev, nil
}

// LinkRows is the use case behind the linkRows mutation.
func (r *Resolver) LinkRows(ctx context.Context, link, row int64, reverse *bool, targets []*gqlbase.LinkTargetInput) (int, error) {
	l, src, dst, rev, err := r.linkWrite(ctx, link, reverse)
	if err != nil {
		return 0, err
	}
	ts := make([]gqlbase.LinkTargetInput, 0, len(targets))
	for _, t := range targets {
		if t != nil {
			ts = append(ts, *t)
		}
	}
	return r.Store.LinkRows(ctx, l, src, dst, rev, row, ts)
}

// UnlinkRows is the use case behind the unlinkRows mutation.
func (r *Resolver) UnlinkRows(ctx context.Context, link, row int64, reverse *bool, targetIDs []int64) (int, error) {
	l, src, dst, rev, err := r.linkWrite(ctx, link, reverse)
	if err != nil {
		return 0, err
	}
	return r.Store.UnlinkRows(ctx, l, src, dst, rev, row, targetIDs)
}

// RowLinks is the use case behind the rowLinks query.
func (r *Resolver) RowLinks(ctx context.Context, link, row int64, reverse *bool, first *int, after *int64) ([]*gqlbase.LinkedRow, error) {
	l, src, dst, err := r.linkColumnFor(ctx, link, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	limit := 100
	if first != nil {
		limit = *first
	}
	if limit < 1 || limit > maxLinksPage {
		return nil, gqlbase.BadInput("first must be between 1 and %d", maxLinksPage).WithField("first")
	}
	var afterID int64
	if after != nil {
		afterID = *after
	}
	return r.Store.ListLinks(ctx, l, src, dst, reverse != nil && *reverse, row, afterID, limit)
}

// SetPrimaryColumn is the use case behind the setPrimaryColumn mutation.
func (r *Resolver) SetPrimaryColumn(ctx context.Context, table int64, column *string) (*gqlbase.Table, error) {
	t, err := r.schemaTableFor(ctx, table)
	if err != nil {
		return nil, err
	}
	var id int64
	if column != nil {
		c := t.UserColumn(*column)
		if c == nil {
			return nil, gqlbase.BadInput("table %q has no column %q", t.Name, *column).WithField("column")
		}
		id = c.ID
	}
	ctx = audited(ctx, t.WorkspaceID, "table.primary_column", "table", t.ID, map[string]any{"column": column})
	return r.Store.SetPrimaryColumn(ctx, table, id, actor(ctx))
}

// ColumnSettings is the use case behind Column.settings: the column was reached through a
// table the principal may read.
func (r *Resolver) ColumnSettings(ctx context.Context, c *gqlbase.Column, dialect string) (map[string]any, error) {
	if c.System || c.ID == 0 {
		return map[string]any{}, nil
	}
	raw, err := r.Store.ColumnSettings(ctx, c.ID, dialect)
	if err != nil {
		return nil, err
	}
	return decodeObject(raw)
}

// SetColumnSettings is the use case behind the setColumnSettings mutation: a change of the
// column's metadata, so it needs the schema scope.
func (r *Resolver) SetColumnSettings(ctx context.Context, column int64, dialect string, settings map[string]any) (map[string]any, error) {
	t, _, err := r.columnFor(ctx, column)
	if err != nil {
		return nil, err
	}
	ctx = audited(ctx, t.WorkspaceID, "column.settings", "column", column, map[string]any{"dialect": dialect})
	raw, err := r.Store.SetColumnSettings(ctx, column, dialect, settings)
	if err != nil {
		return nil, err
	}
	return decodeObject(raw)
}

func decodeObject(raw json.RawMessage) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode settings: %w", err)
	}
	return m, nil
}
