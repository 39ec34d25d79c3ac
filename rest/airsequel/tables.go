package airsequel

import (
	"context"
	"fmt"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// bindTables adds the routes of a database's tables.
func (a *api) bindTables(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "GET", Path: "/api/dbs/{dbId}/tables/{tableId}", Summary: "Get table", Op: restkit.Handle(a.getTable),
			Description: "Returns one table of the database: its columns (with their gqlbase and SQLite-style types), row count and description."},
		restkit.Route{Method: "PUT", Path: "/api/dbs/{dbId}/tables/{tableId}", Summary: "Create table", Op: restkit.Handle(a.putTable),
			AllowEmpty: true,
			Description: "Creates a table named by {tableId} in the database (schema scope) with the columns given (an empty body: no user columns), " +
				"plus gqlbase's system columns (id, created_at, updated_at, ...). A table of that name already there is 409 CONFLICT."},
		restkit.Route{Method: "PATCH", Path: "/api/dbs/{dbId}/tables/{tableId}", Summary: "Update table", Op: restkit.Handle(a.patchTable),
			Description: "Renames the table and sets its description (schema scope). Answers {}."},
		restkit.Route{Method: "DELETE", Path: "/api/dbs/{dbId}/tables/{tableId}", Summary: "Delete table", Op: restkit.Handle(a.deleteTable),
			Description: "Deletes the table and its rows (schema scope). Answers {}."},
	)
}

type tableOut struct {
	Name                string      `json:"name"`
	ID                  string      `json:"id"`
	Description         *string     `json:"description"`
	Columns             []columnOut `json:"columns"`
	NumberOfRows        int64       `json:"numberOfRows" doc:"rows in the table"`
	MaxCellLimitReached bool        `json:"maxCellLimitReached" doc:"always false"`
	RowidColumnName     string      `json:"rowidColumnName" doc:"the key column, id"`
	TableType           string      `json:"tableType"`
}

// putTableIn creates the table the path names.
type putTableIn struct {
	tablePath
	Description *string    `json:"description,omitempty" doc:"the table's description"`
	Columns     []columnIn `json:"columns,omitempty" doc:"the user columns, each with its name"`
}

type patchTableIn struct {
	tablePath
	Name        *string    `json:"name,omitempty" doc:"a new name"`
	Description textUpdate `json:"description,omitempty" doc:"a text, or null to clear it"`
	After       *string    `json:"after,omitempty" doc:"accepted and ignored: tables have no order"`
}

func (a *api) encodeTable(ctx context.Context, t *gqlbase.Table) (tableOut, error) {
	n, err := a.res.RowCount(ctx, t)
	if err != nil {
		return tableOut{}, err
	}
	out := tableOut{Name: t.Name, ID: fmt.Sprint(t.ID), NumberOfRows: n, RowidColumnName: gqlbase.ColID, TableType: "Table",
		Columns: []columnOut{encodeColumn(t.Column(gqlbase.ColID))}}
	if t.Description != "" {
		d := t.Description
		out.Description = &d
	}
	for _, c := range t.Columns {
		out.Columns = append(out.Columns, encodeColumn(c))
	}
	for _, c := range gqlbase.SystemColumns[1:] {
		out.Columns = append(out.Columns, encodeColumn(c))
	}
	return out, nil
}

func (a *api) getTable(ctx context.Context, r *restkit.Request, in tablePath) (tableOut, error) {
	t, err := a.table(ctx, in, gqlbase.ScopeRead)
	if err != nil {
		return tableOut{}, err
	}
	return a.encodeTable(ctx, t)
}

func (a *api) putTable(ctx context.Context, r *restkit.Request, in putTableIn) (tableOut, error) {
	db, err := a.database(ctx, in.dbPath, gqlbase.ScopeSchema)
	if err != nil {
		return tableOut{}, err
	}
	name := in.Table
	if _, err := a.res.TableByName(ctx, db.ID, name, gqlbase.ScopeRead); err == nil {
		return tableOut{}, gqlbase.Conflict("table %q already exists", name).WithField("name")
	}
	input := gqlbase.CreateTableInput{DatabaseID: db.ID, Name: name, Description: in.Description}
	for i := range in.Columns {
		c := &in.Columns[i]
		if c.Name == nil || *c.Name == "" {
			return tableOut{}, gqlbase.BadInput("columns[%d] needs a name", i).WithField("columns")
		}
		ci, err := columnInput(*c.Name, c)
		if err != nil {
			return tableOut{}, err
		}
		input.Columns = append(input.Columns, ci)
	}
	t, err := a.res.CreateTable(ctx, input)
	if err != nil {
		return tableOut{}, err
	}
	return a.encodeTable(ctx, t)
}

func (a *api) patchTable(ctx context.Context, r *restkit.Request, in patchTableIn) (done, error) {
	t, err := a.table(ctx, in.tablePath, gqlbase.ScopeSchema)
	if err != nil {
		return done{}, err
	}
	upd := gqlbase.UpdateTableInput{Name: in.Name}
	if in.Description.Set {
		d := ""
		if in.Description.Value != nil {
			d = *in.Description.Value
		}
		upd.Description = &d
	}
	if upd.Name != nil || upd.Description != nil {
		if _, err := a.res.UpdateTable(ctx, t.ID, upd); err != nil {
			return done{}, err
		}
	}
	return done{}, nil
}

func (a *api) deleteTable(ctx context.Context, r *restkit.Request, in tablePath) (done, error) {
	t, err := a.table(ctx, in, gqlbase.ScopeSchema)
	if err != nil {
		return done{}, err
	}
	force := true
	if _, err := a.res.DeleteTable(r.Context(), t.ID, &force); err != nil {
		return done{}, err
	}
	return done{}, nil
}
