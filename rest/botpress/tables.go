package botpress

import (
	"context"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// bindTables adds the routes of tables.
func (a *api) bindTables(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "GET", Path: "", Summary: "List tables", Op: restkit.Handle(a.listTables),
			Description: "Lists the tables of the bot's database (x-bot-id), with their schemas, tags, factor and key column. " +
				"A bot that has no database yet has no tables: the answer is an empty list.",
			Params: []restkit.Param{{Name: "tags.<key>", Description: "only tables with this tag value (repeatable)"}}},
		restkit.Route{Method: "POST", Path: "", Summary: "Create table", Op: restkit.Handle(a.createTable),
			Description: "Creates a table in the bot's database, creating that database on the first call (schema scope). " +
				"The JSON schema becomes gqlbase columns (string → TEXT, date-time → DATETIME, enum → SELECT, number → NUMBER, " +
				"integer → INTEGER, boolean → BOOLEAN, object and array → JSON); at most 20 columns. A name already taken is 409 AlreadyExists."},
		restkit.Route{Method: "GET", Path: "/{table}", Summary: "Get table", Op: restkit.Handle(a.getTable),
			Description: "Returns one table of the bot's database with its row count. stale and indexing are always 0."},
		restkit.Route{Method: "POST", Path: "/{table}", Summary: "Get or create table", Op: restkit.Handle(a.getOrCreateTable),
			Description: "Returns the table when it exists (created: false) and creates it from the body's schema otherwise " +
				"(created: true), creating the bot's database if needed. An existing table's schema is not changed."},
		restkit.Route{Method: "PUT", Path: "/{table}", Summary: "Update table", Op: restkit.Handle(a.updateTable),
			Description: "Renames, freezes, retags, and changes the schema: listed columns are added or changed, a column given as null is deleted, others stay. " +
				"A frozen table refuses schema changes; the table keeps at most 20 columns."},
		restkit.Route{Method: "DELETE", Path: "/{table}", Summary: "Delete table", Op: restkit.Handle(a.deleteTable),
			Description: "Deletes the table and its rows from the bot's database (schema scope). Answers {}."},
		restkit.Route{Method: "POST", Path: "/{sourceTableId}/duplicate", Summary: "Duplicate table", Op: restkit.Handle(a.duplicateTable),
			Description: "Copies a table of the bot's database under a new name (default: the source's name followed by Copy), " +
				"with its rows unless schemaOnly is true, and returns the copy."},
		restkit.Route{Method: "PUT", Path: "/{table}/column", Summary: "Rename table column", Op: restkit.Handle(a.renameColumn),
			Description: "Renames one column of the table (name → newName), keeping its values, and returns the table."},
	)
}

type listTablesOut struct {
	Tables []tableOut `json:"tables" doc:"the tables of the bot's database"`
}

type tableEnvelope struct {
	Table tableOut `json:"table"`
}

type getTableOut struct {
	Table    tableOut `json:"table"`
	Rows     int64    `json:"rows" doc:"rows in the table"`
	Stale    int      `json:"stale" doc:"always 0: gqlbase has no computed columns"`
	Indexing int      `json:"indexing" doc:"always 0: indexes are updated with every write"`
}

type getOrCreateOut struct {
	Table    tableOut `json:"table"`
	Created  bool     `json:"created" doc:"true when this call created the table"`
	Rows     int64    `json:"rows" doc:"rows in the table"`
	Stale    int      `json:"stale"`
	Indexing int      `json:"indexing"`
}

// tableSpecIn is a table definition (getOrCreateTable's body; createTable adds the name).
type tableSpecIn struct {
	Schema    map[string]any    `json:"schema" required:"true" doc:"a JSON schema ({type: object, properties, required}) or an object of column properties; at most 20 columns"`
	Factor    *int              `json:"factor,omitempty" doc:"kept as a setting, 1 to 30 (Botpress's row-size factor)"`
	Frozen    *bool             `json:"frozen,omitempty" doc:"a frozen table refuses schema changes"`
	KeyColumn *string           `json:"keyColumn,omitempty" doc:"a column made unique, used to match rows in upserts"`
	Tags      map[string]string `json:"tags,omitempty" doc:"key/value tags, kept as the table's tags k=v"`
}

type createTableIn struct {
	Name string `json:"name" required:"true" doc:"the table's name (unique in the bot's database)"`
	tableSpecIn
}

type getOrCreateIn struct {
	tableRef
	tableSpecIn
}

type updateTableIn struct {
	tableRef
	Name      *string           `json:"name,omitempty" doc:"a new name"`
	Frozen    *bool             `json:"frozen,omitempty" doc:"freeze (true) or unfreeze (false) the schema"`
	Schema    map[string]any    `json:"schema,omitempty" doc:"columns to add or change; a column given as null is deleted"`
	Tags      map[string]string `json:"tags,omitempty" doc:"replaces the table's tags"`
	KeyColumn nullableString    `json:"keyColumn,omitempty" doc:"a column name, or null to remove the key"`
	Factor    *int              `json:"factor,omitempty"`
}

// nullableString tells a JSON null from an absent field.
type nullableString struct {
	Set   bool
	Value *string
}

// JSONSchema documents the accepted forms.
func (nullableString) JSONSchema() map[string]any {
	return map[string]any{"type": []string{"string", "null"}}
}

func (n *nullableString) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = nil
		return nil
	}
	var s string
	if err := decodeString(b, &s); err != nil {
		return err
	}
	n.Value = &s
	return nil
}

type duplicateIn struct {
	Source     string  `json:"-" path:"sourceTableId" doc:"the table to copy: a name or an id"`
	TableName  *string `json:"tableName,omitempty" doc:"the copy's name (default: the source's name followed by Copy)"`
	SchemaOnly *bool   `json:"schemaOnly,omitempty" doc:"copy the columns only, without rows"`
	Factor     *int    `json:"factor,omitempty" doc:"the copy's factor, 1 to 30 (default: the source's)"`
}

type renameColumnIn struct {
	tableRef
	Name    string `json:"name" required:"true" doc:"the column's current name"`
	NewName string `json:"newName" required:"true" doc:"the column's new name"`
}

func (a *api) encodeOne(ctx context.Context, t *gqlbase.Table) (tableOut, error) {
	m, err := a.res.TableSettings(ctx, []*gqlbase.Table{t}, Dialect)
	if err != nil {
		return tableOut{}, err
	}
	return encodeTable(t, m[t.ID]), nil
}

func (a *api) listTables(ctx context.Context, r *restkit.Request, _ struct{}) (listTablesOut, error) {
	out := listTablesOut{Tables: []tableOut{}}
	db, err := a.bot(ctx, gqlbase.ScopeRead, false)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		return out, nil // a bot without a database has no tables yet
	}
	if err != nil {
		return listTablesOut{}, err
	}
	tables, err := a.res.Tables(r.Context(), db.ID)
	if err != nil {
		return listTablesOut{}, err
	}
	want := map[string]string{}
	for k, vs := range r.URL.Query() {
		if name, ok := strings.CutPrefix(k, "tags."); ok && len(vs) > 0 {
			want[name] = vs[len(vs)-1]
		} else if name, ok := strings.CutPrefix(k, "tags["); ok && strings.HasSuffix(name, "]") && len(vs) > 0 {
			want[strings.TrimSuffix(name, "]")] = vs[len(vs)-1]
		}
	}
	settings, err := a.res.TableSettings(r.Context(), tables, Dialect)
	if err != nil {
		return listTablesOut{}, err
	}
	for _, t := range tables {
		if isChatTable(t) {
			continue // the Chat API's tables are not the bot's Tables
		}
		tags := tagsOut(t.Tags)
		match := true
		for k, v := range want {
			if got, ok := tags[k]; !ok || got != v {
				match = false
			}
		}
		if match {
			out.Tables = append(out.Tables, encodeTable(t, settings[t.ID]))
		}
	}
	return out, nil
}

func (a *api) createTable(ctx context.Context, r *restkit.Request, in createTableIn) (tableEnvelope, error) {
	t, err := a.create(ctx, in.Name, in.tableSpecIn)
	if err != nil {
		return tableEnvelope{}, err
	}
	out, err := a.encodeOne(ctx, t)
	if err != nil {
		return tableEnvelope{}, err
	}
	return tableEnvelope{Table: out}, nil
}

// create makes a table in the bot's database from a Botpress definition.
func (a *api) create(ctx context.Context, name string, in tableSpecIn) (*gqlbase.Table, error) {
	if strings.HasPrefix(name, chatPrefix) {
		return nil, gqlbase.BadInput("table names starting with %s are reserved for the Chat API's tables", chatPrefix).WithField("name")
	}
	if in.Schema == nil {
		return nil, gqlbase.BadInput("schema is required").WithField("schema")
	}
	key := ""
	if in.KeyColumn != nil {
		key = *in.KeyColumn
	}
	cols, deleted, err := parseSchema(in.Schema, key)
	if err != nil {
		return nil, err
	}
	if len(deleted) > 0 {
		return nil, gqlbase.BadInput("schema property %q is null", deleted[0]).WithField("schema")
	}
	if key != "" && !hasColumn(cols, key) {
		return nil, gqlbase.BadInput("keyColumn %q is not a column of the schema", key).WithField("keyColumn")
	}
	factor := 1
	if in.Factor != nil {
		if *in.Factor < 1 || *in.Factor > 30 {
			return nil, gqlbase.BadInput("factor must be between 1 and 30").WithField("factor")
		}
		factor = *in.Factor
	}
	tags, err := tagsIn(in.Tags)
	if err != nil {
		return nil, err
	}
	if err := gqlbase.CheckTableName(name); err != nil {
		return nil, err // before the bot's database is created for it
	}
	db, err := a.bot(ctx, gqlbase.ScopeSchema, true)
	if err != nil {
		return nil, err
	}
	if _, err := a.res.TableByName(ctx, db.ID, name, gqlbase.ScopeRead); err == nil {
		return nil, gqlbase.Conflict("table %q already exists", name).WithField("name")
	} else if gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		return nil, err
	}
	input := gqlbase.CreateTableInput{DatabaseID: db.ID, Name: name, Tags: tags}
	s := settings{Factor: factor, KeyColumn: key, Properties: map[string]map[string]any{}}
	for _, c := range cols {
		ci := c.input
		input.Columns = append(input.Columns, &ci)
		s.Properties[c.name] = storedProperty(c.property)
	}
	t, err := a.res.CreateTable(ctx, input)
	if err != nil {
		return nil, err
	}
	if _, err := a.res.MergeTableSettings(ctx, t.ID, Dialect, s.patch()); err != nil {
		return nil, err
	}
	if in.Frozen != nil && *in.Frozen {
		if t, err = a.res.UpdateTable(ctx, t.ID, gqlbase.UpdateTableInput{Frozen: in.Frozen}); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func hasColumn(cols []*columnSpec, name string) bool {
	for _, c := range cols {
		if c.name == name {
			return true
		}
	}
	return false
}

func (a *api) getTable(ctx context.Context, r *restkit.Request, in tableRef) (getTableOut, error) {
	t, err := a.table(ctx, in.Table, gqlbase.ScopeRead)
	if err != nil {
		return getTableOut{}, err
	}
	out, err := a.encodeOne(ctx, t)
	if err != nil {
		return getTableOut{}, err
	}
	n, err := a.res.RowCount(r.Context(), t)
	if err != nil {
		return getTableOut{}, err
	}
	return getTableOut{Table: out, Rows: n}, nil
}

func (a *api) getOrCreateTable(ctx context.Context, r *restkit.Request, in getOrCreateIn) (getOrCreateOut, error) {
	t, err := a.table(ctx, in.Table, gqlbase.ScopeRead)
	created := false
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		t, err = a.create(ctx, in.Table, in.tableSpecIn)
		if gqlbase.ErrorCode(err) == gqlbase.CodeConflict {
			t, err = a.table(ctx, in.Table, gqlbase.ScopeRead) // created meanwhile
		} else {
			created = err == nil
		}
	}
	if err != nil {
		return getOrCreateOut{}, err
	}
	out, err := a.encodeOne(ctx, t)
	if err != nil {
		return getOrCreateOut{}, err
	}
	n, err := a.res.RowCount(r.Context(), t)
	if err != nil {
		return getOrCreateOut{}, err
	}
	return getOrCreateOut{Table: out, Created: created, Rows: n}, nil
}

func (a *api) updateTable(ctx context.Context, r *restkit.Request, in updateTableIn) (tableEnvelope, error) {
	t, err := a.table(ctx, in.Table, gqlbase.ScopeSchema)
	if err != nil {
		return tableEnvelope{}, err
	}
	m, err := a.res.TableSettings(ctx, []*gqlbase.Table{t}, Dialect)
	if err != nil {
		return tableEnvelope{}, err
	}
	s := readSettings(m[t.ID])
	if s.Properties == nil {
		s.Properties = map[string]map[string]any{}
	}
	structural := in.Schema != nil || (in.Name != nil && *in.Name != t.Name) || in.KeyColumn.Set
	if t.Frozen && structural && (in.Frozen == nil || *in.Frozen) {
		return tableEnvelope{}, gqlbase.Conflict("table %q is frozen: its name and schema cannot change (duplicate it, or unfreeze it)", t.Name).
			WithField("frozen").WithReason(gqlbase.ReasonFrozen)
	}
	if t.Frozen && in.Frozen != nil && !*in.Frozen {
		if t, err = a.res.UpdateTable(ctx, t.ID, gqlbase.UpdateTableInput{Frozen: in.Frozen}); err != nil {
			return tableEnvelope{}, err
		}
	}
	if in.Factor != nil {
		cur := max(s.Factor, 1)
		if *in.Factor < cur || *in.Factor > 30 {
			return tableEnvelope{}, gqlbase.BadInput("factor can only grow, up to 30 (it is %d)", cur).WithField("factor")
		}
		s.Factor = *in.Factor
	}
	key := s.KeyColumn
	if in.KeyColumn.Set {
		key = ""
		if in.KeyColumn.Value != nil {
			key = *in.KeyColumn.Value
		}
	}
	if in.Schema != nil {
		cols, deleted, err := parseSchema(in.Schema, key)
		if err != nil {
			return tableEnvelope{}, err
		}
		if err := a.applySchema(r, t, cols, deleted, &s); err != nil {
			return tableEnvelope{}, err
		}
		if t, err = a.res.TableFor(ctx, t.ID, gqlbase.ScopeSchema); err != nil {
			return tableEnvelope{}, err
		}
	}
	if key != s.KeyColumn {
		if err := a.moveKey(r, t, s.KeyColumn, key); err != nil {
			return tableEnvelope{}, err
		}
		s.KeyColumn = key
	}
	upd := gqlbase.UpdateTableInput{Name: in.Name}
	if in.Frozen != nil && *in.Frozen != t.Frozen {
		upd.Frozen = in.Frozen
	}
	if in.Tags != nil {
		if upd.Tags, err = tagsIn(in.Tags); err != nil {
			return tableEnvelope{}, err
		}
		if upd.Tags == nil {
			upd.Tags = []string{}
		}
	}
	if upd.Name != nil || upd.Frozen != nil || upd.Tags != nil {
		if t, err = a.res.UpdateTable(ctx, t.ID, upd); err != nil {
			return tableEnvelope{}, err
		}
	}
	if _, err := a.res.MergeTableSettings(ctx, t.ID, Dialect, s.patch()); err != nil {
		return tableEnvelope{}, err
	}
	if t, err = a.res.TableFor(ctx, t.ID, gqlbase.ScopeRead); err != nil {
		return tableEnvelope{}, err
	}
	return tableEnvelope{Table: encodeTable(t, s.patch())}, nil
}

// applySchema adds, changes and deletes columns as an update's schema says.
func (a *api) applySchema(r *restkit.Request, t *gqlbase.Table, cols []*columnSpec, deleted []string, s *settings) error {
	ctx := r.Context()
	count := len(t.Columns)
	for _, c := range cols {
		if t.UserColumn(c.name) == nil {
			count++
		}
	}
	for _, name := range deleted {
		if t.UserColumn(name) != nil {
			count--
		}
	}
	if count > MaxColumns {
		return gqlbase.BadInput("a table may have at most %d columns; the update would make %d", MaxColumns, count).WithField("schema")
	}
	for _, name := range deleted {
		c := t.UserColumn(name)
		if c == nil {
			continue
		}
		if _, err := a.res.DeleteColumn(ctx, c.ID); err != nil {
			return err
		}
		delete(s.Properties, name)
	}
	for _, spec := range cols {
		c := t.UserColumn(spec.name)
		in := spec.input
		if c == nil {
			if _, err := a.res.AddColumn(ctx, t.ID, in); err != nil {
				return err
			}
			s.Properties[spec.name] = storedProperty(spec.property)
			continue
		}
		if in.Type != c.Type {
			if _, err := a.res.ChangeColumnType(ctx, c.ID, gqlbase.ChangeColumnTypeInput{Type: in.Type, Options: in.Options}); err != nil {
				return err
			}
		}
		upd := gqlbase.UpdateColumnInput{}
		changed := false
		if in.Nullable != nil && *in.Nullable != c.Nullable {
			upd.Nullable, changed = in.Nullable, true
		}
		indexed := in.Indexed != nil && *in.Indexed
		if indexed != c.Indexed {
			upd.Indexed, changed = &indexed, true
		}
		if in.Description != nil && *in.Description != c.Description {
			upd.Description, changed = in.Description, true
		}
		if in.Type == gqlbase.TypeSelect && in.Type == c.Type && !sameOptions(in.Options, c.Options) {
			upd.Options, changed = in.Options, true
			if upd.Options == nil {
				upd.Options = []*gqlbase.SelectOptionInput{}
			}
		}
		if changed {
			if _, err := a.res.UpdateColumn(ctx, c.ID, upd); err != nil {
				return err
			}
		}
		s.Properties[spec.name] = storedProperty(spec.property)
	}
	return nil
}

func sameOptions(in []*gqlbase.SelectOptionInput, cur []gqlbase.SelectOption) bool {
	if len(in) != len(cur) {
		return false
	}
	for i := range in {
		if in[i].Value != cur[i].Value {
			return false
		}
	}
	return true
}

// moveKey makes the new key column unique and the old one not.
func (a *api) moveKey(r *restkit.Request, t *gqlbase.Table, old, key string) error {
	if key != "" {
		c := t.UserColumn(key)
		if c == nil {
			return gqlbase.BadInput("keyColumn %q is not a column of table %q", key, t.Name).WithField("keyColumn")
		}
		if !c.Unique {
			yes := true
			if _, err := a.res.UpdateColumn(r.Context(), c.ID, gqlbase.UpdateColumnInput{Unique: &yes}); err != nil {
				return err
			}
		}
	}
	if c := t.UserColumn(old); c != nil && old != "" && c.Unique {
		no := false
		if _, err := a.res.UpdateColumn(r.Context(), c.ID, gqlbase.UpdateColumnInput{Unique: &no}); err != nil {
			return err
		}
	}
	return nil
}

func (a *api) deleteTable(ctx context.Context, r *restkit.Request, in tableRef) (struct{}, error) {
	t, err := a.table(ctx, in.Table, gqlbase.ScopeSchema)
	if err != nil {
		return struct{}{}, err
	}
	force := true
	if _, err := a.res.DeleteTable(r.Context(), t.ID, &force); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, nil
}

func (a *api) duplicateTable(ctx context.Context, r *restkit.Request, in duplicateIn) (tableEnvelope, error) {
	src, err := a.table(ctx, in.Source, gqlbase.ScopeSchema)
	if err != nil {
		return tableEnvelope{}, err
	}
	name := src.Name + "Copy"
	if in.TableName != nil && *in.TableName != "" {
		name = *in.TableName
	}
	withRows := in.SchemaOnly == nil || !*in.SchemaOnly
	t, err := a.res.DuplicateTable(ctx, src.ID, name, &withRows)
	if err != nil {
		return tableEnvelope{}, err
	}
	m, err := a.res.TableSettings(ctx, []*gqlbase.Table{src}, Dialect)
	if err != nil {
		return tableEnvelope{}, err
	}
	s := readSettings(m[src.ID])
	if in.Factor != nil {
		if *in.Factor < 1 || *in.Factor > 30 {
			return tableEnvelope{}, gqlbase.BadInput("factor must be between 1 and 30").WithField("factor")
		}
		s.Factor = *in.Factor
	}
	if _, err := a.res.MergeTableSettings(ctx, t.ID, Dialect, s.patch()); err != nil {
		return tableEnvelope{}, err
	}
	return tableEnvelope{Table: encodeTable(t, s.patch())}, nil
}

func (a *api) renameColumn(ctx context.Context, r *restkit.Request, in renameColumnIn) (tableEnvelope, error) {
	t, err := a.table(ctx, in.Table, gqlbase.ScopeSchema)
	if err != nil {
		return tableEnvelope{}, err
	}
	c := t.UserColumn(in.Name)
	if c == nil {
		return tableEnvelope{}, gqlbase.NotFound("table %q has no column %q", t.Name, in.Name)
	}
	if reservedColumns[in.NewName] {
		return tableEnvelope{}, gqlbase.BadInput("column name %q is reserved for the row's own fields", in.NewName).WithField("newName")
	}
	if t.Frozen {
		return tableEnvelope{}, gqlbase.Conflict("table %q is frozen: its columns cannot be renamed", t.Name).WithField("frozen").WithReason(gqlbase.ReasonFrozen)
	}
	if _, err := a.res.RenameColumn(ctx, c.ID, in.NewName); err != nil {
		return tableEnvelope{}, err
	}
	m, err := a.res.TableSettings(ctx, []*gqlbase.Table{t}, Dialect)
	if err != nil {
		return tableEnvelope{}, err
	}
	s := readSettings(m[t.ID])
	if p, ok := s.Properties[in.Name]; ok {
		delete(s.Properties, in.Name)
		s.Properties[in.NewName] = p
	}
	if s.KeyColumn == in.Name {
		s.KeyColumn = in.NewName
	}
	patch := s.patch() // top-level keys replace the stored ones: the old property goes
	if _, err := a.res.MergeTableSettings(ctx, t.ID, Dialect, patch); err != nil {
		return tableEnvelope{}, err
	}
	if t, err = a.res.TableFor(ctx, t.ID, gqlbase.ScopeRead); err != nil {
		return tableEnvelope{}, err
	}
	return tableEnvelope{Table: encodeTable(t, patch)}, nil
}
