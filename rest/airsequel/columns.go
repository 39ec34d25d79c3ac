package airsequel

import (
	"context"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// bindColumns adds the routes of a table's columns.
func (a *api) bindColumns(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "PUT", Path: "/api/dbs/{dbId}/tables/{tableId}/columns/{column}", Summary: "Create column",
			Op: restkit.Handle(a.putColumn), AllowEmpty: true,
			Description: "Adds the column named by {column} to the table (schema scope): its type from type (a gqlbase column type) " +
				"or sqliteDataType (default TEXT), nullability, uniqueness, default and SELECT options. Returns the column."},
		restkit.Route{Method: "PATCH", Path: "/api/dbs/{dbId}/tables/{tableId}/columns/{column}", Summary: "Update column",
			Op: restkit.Handle(a.patchColumn),
			Description: "Renames the column, changes its type (converting the values), nullability, uniqueness, default, description " +
				"or SELECT options (schema scope). Answers {}."},
		restkit.Route{Method: "DELETE", Path: "/api/dbs/{dbId}/tables/{tableId}/columns/{column}", Summary: "Delete column",
			Op:          restkit.Handle(a.deleteColumn),
			Description: "Deletes the column and its values from the table (schema scope). Answers {}."},
	)
}

// columnPath is {dbId}, {tableId} and {column}.
type columnPath struct {
	tablePath
	Column string `json:"-" path:"column" doc:"a column name"`
}

type columnOut struct {
	Name           string   `json:"name"`
	SqliteDataType string   `json:"sqliteDataType" doc:"TEXT, INTEGER, REAL, NUMERIC, BOOLEAN, DATE, DATETIME, JSON"`
	GqlbaseType    string   `json:"gqlbaseType" doc:"the gqlbase column type"`
	GqlDataType    string   `json:"gqlDataType"`
	InputElement   string   `json:"inputElement"`
	IsGenerated    bool     `json:"isGenerated"`
	IsNonNull      bool     `json:"isNonNull"`
	IsOmittable    bool     `json:"isOmittable"`
	IsPrimaryKey   bool     `json:"isPrimaryKey"`
	IsUnique       bool     `json:"isUnique"`
	Items          []string `json:"items" doc:"the options of select columns"`
	Validations    any      `json:"validations"`
	Description    *string  `json:"description"`
}

// columnIn defines or changes a column; in a table definition name is required.
type columnIn struct {
	Name           *string    `json:"name,omitempty" doc:"a new name (PATCH) or the column's name (in a table definition)"`
	SqliteDataType *string    `json:"sqliteDataType,omitempty" doc:"TEXT, INTEGER, REAL, NUMERIC, BOOLEAN, DATE, DATETIME, JSON"`
	Type           *string    `json:"type,omitempty" doc:"a gqlbase column type (TEXT, EMAIL, SELECT, ...), instead of sqliteDataType"`
	IsNonNull      *bool      `json:"isNonNull,omitempty" doc:"refuse null values"`
	IsUnique       *bool      `json:"isUnique,omitempty" doc:"refuse repeated values"`
	Default        any        `json:"default,omitempty" doc:"the value of rows that give none"`
	Description    textUpdate `json:"description,omitempty" doc:"a text, or null to clear it"`
	Items          []string   `json:"items,omitempty" doc:"options of a SELECT column"`
}

// columnPathIn is a column definition of the column the path names.
type columnPathIn struct {
	columnPath
	columnIn
}

// sqliteType maps Airsequel's SQLite type names to column types.
func sqliteType(name string) (gqlbase.ColumnType, error) {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "TEXT", "VARCHAR", "CHAR", "STRING":
		return gqlbase.TypeText, nil
	case "INTEGER", "INT", "BIGINT":
		return gqlbase.TypeInteger, nil
	case "REAL", "FLOAT", "DOUBLE":
		return gqlbase.TypeNumber, nil
	case "NUMERIC", "DECIMAL":
		return gqlbase.TypeDecimal, nil
	case "BOOLEAN", "BOOL":
		return gqlbase.TypeBoolean, nil
	case "DATE":
		return gqlbase.TypeDate, nil
	case "DATETIME", "TIMESTAMP":
		return gqlbase.TypeDateTime, nil
	case "JSON":
		return gqlbase.TypeJSON, nil
	case "UUID":
		return gqlbase.TypeUUID, nil
	case "BLOB":
		return "", gqlbase.BadInput("BLOB columns are not available: store files in FILE columns").WithField("sqliteDataType")
	}
	return "", gqlbase.BadInput("unknown sqliteDataType %q (TEXT, INTEGER, REAL, NUMERIC, BOOLEAN, DATE, DATETIME, JSON)", name).WithField("sqliteDataType")
}

func (c *columnIn) columnType() (gqlbase.ColumnType, bool, error) {
	switch {
	case c.Type != nil && c.SqliteDataType != nil:
		return "", false, gqlbase.BadInput("give type or sqliteDataType, not both").WithField("type")
	case c.Type != nil:
		return gqlbase.ColumnType(strings.ToUpper(*c.Type)), true, nil
	case c.SqliteDataType != nil:
		t, err := sqliteType(*c.SqliteDataType)
		return t, err == nil, err
	}
	return "", false, nil
}

func sqliteName(t gqlbase.ColumnType) string {
	switch t {
	case gqlbase.TypeInteger, gqlbase.TypeLink, gqlbase.TypeRating:
		return "INTEGER"
	case gqlbase.TypeNumber:
		return "REAL"
	case gqlbase.TypeDecimal:
		return "NUMERIC"
	case gqlbase.TypeBoolean:
		return "BOOLEAN"
	case gqlbase.TypeDate:
		return "DATE"
	case gqlbase.TypeDateTime:
		return "DATETIME"
	case gqlbase.TypeJSON:
		return "JSON"
	}
	return "TEXT"
}

func gqlName(t gqlbase.ColumnType) (string, string) {
	switch t {
	case gqlbase.TypeInteger, gqlbase.TypeLink, gqlbase.TypeRating:
		return "Int", "InputNumber"
	case gqlbase.TypeNumber, gqlbase.TypeDecimal:
		return "Float", "InputNumber"
	case gqlbase.TypeBoolean:
		return "Boolean", "Checkbox"
	case gqlbase.TypeDate:
		return "String", "InputDate"
	case gqlbase.TypeDateTime:
		return "String", "InputDateTime"
	case gqlbase.TypeJSON:
		return "JSON", "TextArea"
	case gqlbase.TypeSelect:
		return "String", "Select"
	case gqlbase.TypeLongText:
		return "String", "TextArea"
	}
	return "String", "InputText"
}

func encodeColumn(c *gqlbase.Column) columnOut {
	gql, input := gqlName(c.Type)
	out := columnOut{Name: c.Name, SqliteDataType: sqliteName(c.Type), GqlbaseType: string(c.Type), GqlDataType: gql,
		InputElement: input, IsGenerated: c.System, IsNonNull: !c.Nullable, IsOmittable: c.Nullable || c.Default != nil || c.System,
		IsPrimaryKey: c.System && c.Name == gqlbase.ColID, IsUnique: c.Unique || (c.System && c.Name == gqlbase.ColID)}
	if c.Type == gqlbase.TypeSelect || c.Type == gqlbase.TypeMultiSelect {
		for _, o := range c.Options {
			out.Items = append(out.Items, o.Value)
		}
	}
	if c.Description != "" {
		d := c.Description
		out.Description = &d
	}
	return out
}

// columnInput turns a column definition into the platform's column input.
func columnInput(name string, c *columnIn) (*gqlbase.ColumnInput, error) {
	typ, ok, err := c.columnType()
	if err != nil {
		return nil, err
	}
	if !ok {
		typ = gqlbase.TypeText
	}
	in := &gqlbase.ColumnInput{Name: name, Type: typ, Unique: c.IsUnique, Default: c.Default}
	if c.IsNonNull != nil {
		nullable := !*c.IsNonNull
		in.Nullable = &nullable
	}
	if c.Description.Value != nil {
		in.Description = c.Description.Value
	}
	for _, o := range c.Items {
		in.Options = append(in.Options, &gqlbase.SelectOptionInput{Value: o})
	}
	return in, nil
}

// column resolves the path's column: a user column (system columns cannot be changed).
func (a *api) column(ctx context.Context, in columnPath) (*gqlbase.Table, *gqlbase.Column, error) {
	t, err := a.table(ctx, in.tablePath, gqlbase.ScopeSchema)
	if err != nil {
		return nil, nil, err
	}
	name := in.Column
	c := t.UserColumn(name)
	if c == nil {
		if t.Column(name) != nil {
			return nil, nil, gqlbase.BadInput("column %q is maintained by the system", name).WithField("column")
		}
		return t, nil, gqlbase.NotFound("table %q has no column %q", t.Name, name)
	}
	return t, c, nil
}

func (a *api) putColumn(ctx context.Context, r *restkit.Request, in columnPathIn) (columnOut, error) {
	t, err := a.table(ctx, in.tablePath, gqlbase.ScopeSchema)
	if err != nil {
		return columnOut{}, err
	}
	name := in.Column
	if in.Name != nil && *in.Name != name {
		return columnOut{}, gqlbase.BadInput("the column is named by the path; name %q differs", *in.Name).WithField("name")
	}
	ci, err := columnInput(name, &in.columnIn)
	if err != nil {
		return columnOut{}, err
	}
	c, err := a.res.AddColumn(ctx, t.ID, *ci)
	if err != nil {
		return columnOut{}, err
	}
	return encodeColumn(c), nil
}

func (a *api) patchColumn(ctx context.Context, r *restkit.Request, in columnPathIn) (done, error) {
	_, c, err := a.column(ctx, in.columnPath)
	if err != nil {
		return done{}, err
	}
	typ, changeType, err := in.columnType()
	if err != nil {
		return done{}, err
	}
	if changeType && typ != c.Type {
		ct := gqlbase.ChangeColumnTypeInput{Type: typ}
		for _, o := range in.Items {
			ct.Options = append(ct.Options, &gqlbase.SelectOptionInput{Value: o})
		}
		if c, err = a.res.ChangeColumnType(ctx, c.ID, ct); err != nil {
			return done{}, err
		}
	}
	upd := gqlbase.UpdateColumnInput{Unique: in.IsUnique}
	if in.IsNonNull != nil {
		nullable := !*in.IsNonNull
		upd.Nullable = &nullable
	}
	if in.Description.Set {
		d := ""
		if in.Description.Value != nil {
			d = *in.Description.Value
		}
		upd.Description = &d
	}
	if in.Default != nil {
		upd.Default = in.Default
	}
	if len(in.Items) > 0 && !changeType {
		for _, o := range in.Items {
			upd.Options = append(upd.Options, &gqlbase.SelectOptionInput{Value: o})
		}
	}
	if upd.Unique != nil || upd.Nullable != nil || upd.Description != nil || upd.Default != nil || upd.Options != nil {
		if _, err := a.res.UpdateColumn(ctx, c.ID, upd); err != nil {
			return done{}, err
		}
	}
	if in.Name != nil && *in.Name != c.Name {
		if _, err := a.res.RenameColumn(ctx, c.ID, *in.Name); err != nil {
			return done{}, err
		}
	}
	return done{}, nil
}

func (a *api) deleteColumn(ctx context.Context, r *restkit.Request, in columnPath) (done, error) {
	_, c, err := a.column(ctx, in)
	if err != nil {
		return done{}, err
	}
	if _, err := a.res.DeleteColumn(r.Context(), c.ID); err != nil {
		return done{}, err
	}
	return done{}, nil
}
