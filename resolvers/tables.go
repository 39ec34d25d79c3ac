package resolvers

import (
	"context"
	"unicode/utf8"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/graph"
)

const maxTags = 50

// tableSpec validates a table definition with its columns.
func tableSpec(in *graph.CreateTableInput) (*gqlbase.Table, error) {
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
	for _, c := range t.Columns {
		if c.ID == columnID {
			return t, c, nil
		}
	}
	return nil, nil, gqlbase.NotFound("column %d not found", columnID)
}
