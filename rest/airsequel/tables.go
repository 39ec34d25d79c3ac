package airsequel

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

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

type tableOut struct {
	Name                string      `json:"name"`
	ID                  string      `json:"id"`
	Description         *string     `json:"description"`
	Columns             []columnOut `json:"columns"`
	NumberOfRows        int64       `json:"numberOfRows"`
	MaxCellLimitReached bool        `json:"maxCellLimitReached"`
	RowidColumnName     string      `json:"rowidColumnName"`
	TableType           string      `json:"tableType"`
}

type putTableIn struct {
	Description *string    `json:"description,omitempty"`
	Columns     []columnIn `json:"columns,omitempty"`
}

type patchTableIn struct {
	Name        *string    `json:"name,omitempty"`
	Description textUpdate `json:"description,omitempty"`
	After       *string    `json:"after,omitempty" doc:"accepted and ignored: tables have no order"`
}

// columnIn defines or changes a column; in a table definition name is required.
type columnIn struct {
	Name           *string    `json:"name,omitempty" doc:"a new name (PATCH) or the column's name (in a table definition)"`
	SqliteDataType *string    `json:"sqliteDataType,omitempty" doc:"TEXT, INTEGER, REAL, NUMERIC, BOOLEAN, DATE, DATETIME, JSON"`
	Type           *string    `json:"type,omitempty" doc:"a gqlbase column type (TEXT, EMAIL, SELECT, ...), instead of sqliteDataType"`
	IsNonNull      *bool      `json:"isNonNull,omitempty"`
	IsUnique       *bool      `json:"isUnique,omitempty"`
	Default        any        `json:"default,omitempty"`
	Description    textUpdate `json:"description,omitempty"`
	Items          []string   `json:"items,omitempty" doc:"options of a SELECT column"`
}

type searchOut struct {
	tableOut
	Rows []map[string]any `json:"rows"`
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

func (a *api) encodeTable(r *http.Request, t *gqlbase.Table) (tableOut, error) {
	n, err := a.res.RowCount(r.Context(), t)
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

func (a *api) getTable(w http.ResponseWriter, r *http.Request) error {
	t, err := a.table(r, gqlbase.ScopeRead)
	if err != nil {
		return err
	}
	out, err := a.encodeTable(r, t)
	if err != nil {
		return err
	}
	restkit.WriteJSON(w, http.StatusOK, out)
	return nil
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

func (a *api) putTable(w http.ResponseWriter, r *http.Request) error {
	var in putTableIn
	if err := decode(r, &in, true); err != nil {
		return err
	}
	db, err := a.database(r, gqlbase.ScopeSchema)
	if err != nil {
		return err
	}
	ctx := r.Context()
	name := r.PathValue("tableId")
	if _, err := a.res.TableByName(ctx, db.ID, name, gqlbase.ScopeRead); err == nil {
		return gqlbase.Conflict("table %q already exists", name).WithField("name")
	}
	input := gqlbase.CreateTableInput{DatabaseID: db.ID, Name: name, Description: in.Description}
	for i := range in.Columns {
		c := &in.Columns[i]
		if c.Name == nil || *c.Name == "" {
			return gqlbase.BadInput("columns[%d] needs a name", i).WithField("columns")
		}
		ci, err := columnInput(*c.Name, c)
		if err != nil {
			return err
		}
		input.Columns = append(input.Columns, ci)
	}
	t, err := a.res.CreateTable(ctx, input)
	if err != nil {
		return err
	}
	out, err := a.encodeTable(r, t)
	if err != nil {
		return err
	}
	restkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *api) patchTable(w http.ResponseWriter, r *http.Request) error {
	var in patchTableIn
	if err := decode(r, &in, false); err != nil {
		return err
	}
	t, err := a.table(r, gqlbase.ScopeSchema)
	if err != nil {
		return err
	}
	ctx := r.Context()
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
			return err
		}
	}
	return empty(w)
}

func (a *api) deleteTable(w http.ResponseWriter, r *http.Request) error {
	t, err := a.table(r, gqlbase.ScopeSchema)
	if err != nil {
		return err
	}
	force := true
	if _, err := a.res.DeleteTable(r.Context(), t.ID, &force); err != nil {
		return err
	}
	return empty(w)
}

func (a *api) column(r *http.Request) (*gqlbase.Table, *gqlbase.Column, error) {
	t, err := a.table(r, gqlbase.ScopeSchema)
	if err != nil {
		return nil, nil, err
	}
	name := r.PathValue("column")
	c := t.UserColumn(name)
	if c == nil {
		if t.Column(name) != nil {
			return nil, nil, gqlbase.BadInput("column %q is maintained by the system", name).WithField("column")
		}
		return t, nil, gqlbase.NotFound("table %q has no column %q", t.Name, name)
	}
	return t, c, nil
}

func (a *api) putColumn(w http.ResponseWriter, r *http.Request) error {
	var in columnIn
	if err := decode(r, &in, true); err != nil {
		return err
	}
	t, err := a.table(r, gqlbase.ScopeSchema)
	if err != nil {
		return err
	}
	ctx := r.Context()
	name := r.PathValue("column")
	if in.Name != nil && *in.Name != name {
		return gqlbase.BadInput("the column is named by the path; name %q differs", *in.Name).WithField("name")
	}
	ci, err := columnInput(name, &in)
	if err != nil {
		return err
	}
	c, err := a.res.AddColumn(ctx, t.ID, *ci)
	if err != nil {
		return err
	}
	restkit.WriteJSON(w, http.StatusOK, encodeColumn(c))
	return nil
}

func (a *api) patchColumn(w http.ResponseWriter, r *http.Request) error {
	var in columnIn
	if err := decode(r, &in, false); err != nil {
		return err
	}
	_, c, err := a.column(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	typ, changeType, err := in.columnType()
	if err != nil {
		return err
	}
	if changeType && typ != c.Type {
		ct := gqlbase.ChangeColumnTypeInput{Type: typ}
		for _, o := range in.Items {
			ct.Options = append(ct.Options, &gqlbase.SelectOptionInput{Value: o})
		}
		if c, err = a.res.ChangeColumnType(ctx, c.ID, ct); err != nil {
			return err
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
			return err
		}
	}
	if in.Name != nil && *in.Name != c.Name {
		if _, err := a.res.RenameColumn(ctx, c.ID, *in.Name); err != nil {
			return err
		}
	}
	return empty(w)
}

func (a *api) deleteColumn(w http.ResponseWriter, r *http.Request) error {
	_, c, err := a.column(r)
	if err != nil {
		return err
	}
	if _, err := a.res.DeleteColumn(r.Context(), c.ID); err != nil {
		return err
	}
	return empty(w)
}

// rowObject is a row as Airsequel shows it: id, then the columns, then the timestamps.
func rowObject(row *gqlbase.Row) (map[string]any, error) {
	values, err := row.Values()
	if err != nil {
		return nil, err
	}
	values[gqlbase.ColID] = row.ID
	values[gqlbase.ColCreatedAt] = row.CreatedAt.UTC().Format(time.RFC3339Nano)
	values[gqlbase.ColUpdatedAt] = row.UpdatedAt.UTC().Format(time.RFC3339Nano)
	return values, nil
}

func (a *api) searchTable(w http.ResponseWriter, r *http.Request) error {
	t, err := a.table(r, gqlbase.ScopeRead)
	if err != nil {
		return err
	}
	limit, err := restkit.QueryInt(r, "limit", gqlbase.DefaultPageSize, 0, gqlbase.MaxPageSize)
	if err != nil {
		return err
	}
	offset, err := restkit.QueryInt(r, "offset", 0, 0, 1_000_000)
	if err != nil {
		return err
	}
	term := r.PathValue("searchTerm")
	conn, err := a.res.ListRows(r.Context(), t, gqlbase.ListParams{Search: &term, First: &limit, Offset: &offset})
	if err != nil {
		return err
	}
	out := searchOut{Rows: []map[string]any{}}
	if out.tableOut, err = a.encodeTable(r, t); err != nil {
		return err
	}
	for _, row := range conn.Nodes {
		obj, err := rowObject(row)
		if err != nil {
			return err
		}
		out.Rows = append(out.Rows, obj)
	}
	restkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// exportPage is how many rows each read of an export fetches.
const exportPage = 1000

func (a *api) exportTable(w http.ResponseWriter, r *http.Request) error {
	t, err := a.table(r, gqlbase.ScopeRead)
	if err != nil {
		return err
	}
	ctx := r.Context()
	header := []string{gqlbase.ColID}
	for _, c := range t.Columns {
		header = append(header, c.Name)
	}
	header = append(header, gqlbase.ColCreatedAt, gqlbase.ColUpdatedAt)
	size := exportPage
	var after *string
	started := false
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	for {
		conn, err := a.res.ListRows(ctx, t, gqlbase.ListParams{First: &size, After: after})
		if err != nil {
			if started {
				a.logger.ErrorContext(ctx, "CSV export cut short", "table", t.ID, "error", err)
				return nil
			}
			return err
		}
		if !started {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, t.Name))
			w.WriteHeader(http.StatusOK)
			started = true
			_ = cw.Write(header)
		}
		for _, row := range conn.Nodes {
			values, err := row.Values()
			if err != nil {
				return nil
			}
			rec := make([]string, 0, len(header))
			rec = append(rec, strconv.FormatInt(row.ID, 10))
			for _, c := range t.Columns {
				rec = append(rec, csvValue(values[c.Name]))
			}
			rec = append(rec, row.CreatedAt.UTC().Format(time.RFC3339Nano), row.UpdatedAt.UTC().Format(time.RFC3339Nano))
			_ = cw.Write(rec)
		}
		cw.Flush()
		if _, err := w.Write(buf.Bytes()); err != nil {
			return nil
		}
		buf.Reset()
		if !conn.PageInfo.HasNextPage || conn.PageInfo.EndCursor == nil {
			return nil
		}
		after = conn.PageInfo.EndCursor
	}
}

func csvValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
