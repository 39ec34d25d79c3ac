// Package typed is gqlbase's typed GraphQL data API: one schema per database, derived at run
// time from its tables with Hasura/Airsequel naming, served as a gqlgen
// graphql.ExecutableSchema. Each root field is compiled into one SQL statement
// (storage.Plan) that builds the JSON response in Postgres.
//
// Naming, for a table `tracks` with a LINK column `album` to `albums`:
//
//	tracks_row                      the row type: id (ID), created_at, updated_at, created_by,
//	                                version, one field per column, and relationships:
//	  album_rel: albums_row         object relationship of the LINK column album
//	albums_row.tracks_by_album(where, order_by, limit, offset, distinct_on): [tracks_row!]!
//	                                array relationship (the reverse of tracks.album)
//	albums_row.tracks_by_album_aggregate(...): tracks_aggregate!
//	Query.tracks(where|filter, order_by, limit, offset, distinct_on): [tracks_row!]!
//	Query.tracks_by_pk(id: ID!): tracks_row
//	Query.tracks_aggregate(...): tracks_aggregate! { aggregate { count sum avg min max } nodes }
//	Mutation.insert_tracks(objects, on_conflict): tracks_mutation_response
//	Mutation.insert_tracks_one(object, on_conflict): tracks_row
//	Mutation.update_tracks(where|filter, _set|set, _inc): tracks_mutation_response
//	Mutation.update_tracks_by_pk(pk_columns|id, _set|set, _inc): tracks_by_pk_response
//	Mutation.delete_tracks(where|filter): tracks_mutation_response
//	Mutation.delete_tracks_by_pk(id): tracks_by_pk_response
//	Subscription.tracks, tracks_by_pk, tracks_aggregate: live queries
//
// tracks_by_pk_response has every field of tracks_row plus affected_rows and returning, so
// Hasura clients (which select row fields) and Airsequel clients (which select
// {affected_rows, returning}) both work.
package typed

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// Role is what a schema exposes: RoleRead has no mutations.
type Role string

const (
	RoleRead  Role = "read"
	RoleWrite Role = "write"
)

// Scalar type names of the typed API.
const (
	scalarDate     = "Date"
	scalarDateTime = "DateTime"
	scalarDecimal  = "Decimal"
	scalarJSON     = "JSON"
	scalarUUID     = "UUID"
)

const baseSDL = `
"A calendar date, YYYY-MM-DD."
scalar Date
"An instant, RFC 3339 (2026-01-02T03:04:05Z)."
scalar DateTime
"An exact decimal number, written as a string (numbers are accepted as input)."
scalar Decimal
"Any JSON value."
scalar JSON
"A UUID, 8-4-4-4-12 hexadecimal digits."
scalar UUID

"Sort direction. ASC and DESC are Airsequel's spellings of asc and desc."
enum order_by {
  asc
  asc_nulls_first
  asc_nulls_last
  desc
  desc_nulls_first
  desc_nulls_last
  ASC
  DESC
}

input String_comparison_exp {
  _eq: String
  _neq: String
  _gt: String
  _gte: String
  _lt: String
  _lte: String
  _in: [String!]
  _nin: [String!]
  "Case-sensitive pattern: % any run, _ one character, \\ escapes."
  _like: String
  "Pattern as _like, ASCII letters compared without case."
  _ilike: String
  _is_null: Boolean
}
`

// comparisonTypes are the scalar comparison inputs other than String's (which adds patterns).
var comparisonTypes = []struct{ name, operand string }{
	{"Int", "Int"}, {"Float", "Float"}, {"Decimal", scalarDecimal}, {"Boolean", "Boolean"}, {"Date", scalarDate},
	{"DateTime", scalarDateTime}, {"ID", "ID"}, {"UUID", scalarUUID},
}

// base is the schema every database's schema starts from: the prelude, the scalars, the
// order_by enum and the comparison inputs. Its definitions are shared (never modified).
var base = func() *ast.Schema {
	var b strings.Builder
	b.WriteString(baseSDL)
	for _, ct := range comparisonTypes {
		fmt.Fprintf(&b, "input %s_comparison_exp {\n", ct.name)
		for _, op := range []string{"_eq", "_neq", "_gt", "_gte", "_lt", "_lte"} {
			fmt.Fprintf(&b, "  %s: %s\n", op, ct.operand)
		}
		fmt.Fprintf(&b, "  _in: [%[1]s!]\n  _nin: [%[1]s!]\n  _is_null: Boolean\n}\n", ct.operand)
	}
	b.WriteString(`input JSON_comparison_exp {
  _eq: JSON
  _neq: JSON
  "JSON containment (@>)."
  _contains: JSON
  _is_null: Boolean
}
input String_array_comparison_exp {
  _eq: [String!]
  _neq: [String!]
  "Holds when every given item is present."
  _contains: [String!]
  _is_null: Boolean
}
input Int_array_comparison_exp {
  _eq: [Int!]
  _neq: [Int!]
  "Holds when every given item is present."
  _contains: [Int!]
  _is_null: Boolean
}
type Query { _placeholder: Int }
`)
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "typed-base.graphql", Input: b.String()})
	if err != nil {
		panic(fmt.Sprintf("typed: base schema: %v", err))
	}
	delete(s.Types, "Query")
	delete(s.PossibleTypes, "Query")
	s.Query = nil
	return s
}()

// fieldKind says what a field of a row type is.
type fieldKind int

const (
	fieldColumn fieldKind = iota + 1
	fieldObjectRel
	fieldArrayRel
	fieldAggregateRel
)

// relField is a column or relationship field of a row type (or of a bool_exp).
type relField struct {
	kind   fieldKind
	column *gqlbase.Column
	// link is the LINK column: of this table for object relationships, of target for array
	// and aggregate relationships.
	link   *gqlbase.Column
	target *tableInfo
}

// tableInfo is what the executor needs to know about one table's types.
type tableInfo struct {
	t        *gqlbase.Table
	name     string
	fields   map[string]*relField // row type fields
	where    map[string]*relField // bool_exp fields (columns and relationships)
	orderBy  map[string]*gqlbase.Column
	enumCols map[string]*gqlbase.Column // select_column / update_column values
	// constraints maps on_conflict constraint names to their key columns.
	constraints map[string]*gqlbase.Column
	hasSet      bool
	hasInc      bool
	hasSum      bool
}

func (ti *tableInfo) typ(suffix string) string { return ti.name + "_" + suffix }

// rootKind is what a root field does.
type rootKind int

const (
	rootList rootKind = iota + 1
	rootByPK
	rootAggregate
	rootInsert
	rootInsertOne
	rootUpdate
	rootUpdateByPK
	rootDelete
	rootDeleteByPK
)

type rootField struct {
	kind  rootKind
	table *tableInfo
}

// Schema is the typed API of one database for one role.
type Schema struct {
	ast    *ast.Schema
	db     *gqlbase.Database
	role   Role
	tables map[int64]*tableInfo
	roots  map[ast.Operation]map[string]*rootField
	// Skipped lists names left out because another name already took them.
	Skipped []string
}

// AST returns the gqlparser schema.
func (s *Schema) AST() *ast.Schema { return s.ast }

// Database is the database the schema serves.
func (s *Schema) Database() *gqlbase.Database { return s.db }

// Role is the schema's role.
func (s *Schema) Role() Role { return s.role }

// TableIDs lists the tables of the schema.
func (s *Schema) TableIDs() []int64 {
	out := make([]int64, 0, len(s.tables))
	for id := range s.tables {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// builder assembles a schema.
type builder struct {
	s                             *Schema
	types                         map[string]*ast.Definition
	query, mutation, subscription *ast.Definition
}

func named(n string) *ast.Type          { return ast.NamedType(n, nil) }
func nonNull(n string) *ast.Type        { return ast.NonNullNamedType(n, nil) }
func list(t *ast.Type) *ast.Type        { return ast.ListType(t, nil) }
func nonNullList(t *ast.Type) *ast.Type { return ast.NonNullListType(t, nil) }

func arg(name string, t *ast.Type, desc string) *ast.ArgumentDefinition {
	return &ast.ArgumentDefinition{Name: name, Type: t, Description: desc}
}

// addType adds a type unless its name is taken (then the name is recorded as skipped and
// false returned).
func (b *builder) addType(d *ast.Definition) bool {
	if _, taken := b.types[d.Name]; taken {
		b.s.Skipped = append(b.s.Skipped, "type "+d.Name)
		return false
	}
	b.types[d.Name] = d
	return true
}

// addField appends a field to an object unless the name is taken.
func (b *builder) addField(d *ast.Definition, f *ast.FieldDefinition) bool {
	if d.Fields.ForName(f.Name) != nil {
		b.s.Skipped = append(b.s.Skipped, d.Name+"."+f.Name)
		return false
	}
	d.Fields = append(d.Fields, f)
	return true
}

// enumName reports whether a column name can be an enum value.
func enumName(name string) bool { return name != "true" && name != "false" && name != "null" }

// Build derives the schema of a database from its tables (oldest first). Names that collide
// are given to the older table and recorded in Skipped.
func Build(db *gqlbase.Database, tables []*gqlbase.Table, role Role) (*Schema, error) {
	s := &Schema{db: db, role: role, tables: make(map[int64]*tableInfo, len(tables)),
		roots: map[ast.Operation]map[string]*rootField{ast.Query: {}, ast.Mutation: {}, ast.Subscription: {}}}
	b := &builder{s: s, types: make(map[string]*ast.Definition, len(base.Types)+len(tables)*20)}
	for k, v := range base.Types {
		b.types[k] = v
	}
	b.query = &ast.Definition{Kind: ast.Object, Name: "Query", Description: fmt.Sprintf("The tables of database %q.", db.Name)}
	b.mutation = &ast.Definition{Kind: ast.Object, Name: "Mutation"}
	b.subscription = &ast.Definition{Kind: ast.Object, Name: "Subscription", Description: "Live queries: the result is sent again whenever it changes."}
	for _, t := range tables {
		s.tables[t.ID] = newTableInfo(t)
	}
	infos := make([]*tableInfo, 0, len(tables))
	for _, t := range tables {
		infos = append(infos, s.tables[t.ID])
	}
	// Relationships: each LINK column gives its table an object relationship and its target
	// array and aggregate relationships.
	for _, ti := range infos {
		for _, c := range ti.t.Columns {
			if c.Type != gqlbase.TypeLink || c.LinkTableID == nil {
				continue
			}
			target := s.tables[*c.LinkTableID]
			if target == nil {
				continue
			}
			ti.addRel(c.Name+"_rel", &relField{kind: fieldObjectRel, link: c, target: target}, true)
			arr := ti.name + "_by_" + c.Name
			target.addRel(arr, &relField{kind: fieldArrayRel, link: c, target: ti}, true)
			target.addRel(arr+"_aggregate", &relField{kind: fieldAggregateRel, link: c, target: ti}, false)
		}
	}
	for _, ti := range infos {
		b.table(ti)
	}
	if len(b.query.Fields) == 0 {
		b.query.Fields = append(b.query.Fields, &ast.FieldDefinition{Name: "_empty", Type: named("Boolean"),
			Description: "The database has no tables yet; this field is always null."})
	}
	b.query.Fields = append(b.query.Fields, validator.QueryIntrospectionFields()...)
	b.types["Query"] = b.query
	sch := &ast.Schema{
		Query: b.query, Types: b.types, Directives: base.Directives,
		PossibleTypes: make(map[string][]*ast.Definition, len(b.types)), Implements: base.Implements,
	}
	if len(b.mutation.Fields) > 0 {
		b.types["Mutation"] = b.mutation
		sch.Mutation = b.mutation
	}
	if len(b.subscription.Fields) > 0 {
		b.types["Subscription"] = b.subscription
		sch.Subscription = b.subscription
	}
	for name, d := range b.types {
		if d.Kind == ast.Object || d.Kind == ast.InputObject {
			sch.PossibleTypes[name] = []*ast.Definition{d}
		} else if pt, ok := base.PossibleTypes[name]; ok {
			sch.PossibleTypes[name] = pt
		}
	}
	s.ast = sch
	return s, nil
}

func newTableInfo(t *gqlbase.Table) *tableInfo {
	ti := &tableInfo{t: t, name: t.Name, fields: map[string]*relField{}, where: map[string]*relField{},
		orderBy: map[string]*gqlbase.Column{}, enumCols: map[string]*gqlbase.Column{}, constraints: map[string]*gqlbase.Column{}}
	for _, c := range append(append([]*gqlbase.Column{}, gqlbase.SystemColumns...), t.Columns...) {
		f := &relField{kind: fieldColumn, column: c}
		ti.fields[c.Name] = f
		if c.Name != "_and" && c.Name != "_or" && c.Name != "_not" {
			ti.where[c.Name] = f
		}
		ti.orderBy[c.Name] = c
		if enumName(c.Name) {
			ti.enumCols[c.Name] = c
		}
	}
	ti.constraints[t.Name+"_pkey"] = gqlbase.SystemColumns[0]
	for _, c := range t.Columns {
		if c.Unique {
			ti.constraints[t.Name+"_"+c.Name+"_key"] = c
		}
		if c.Type.IsNumeric() && c.Type != gqlbase.TypeLink {
			ti.hasInc, ti.hasSum = true, true
		}
	}
	ti.hasSet = len(t.Columns) > 0
	return ti
}

// addRel adds a relationship field unless a column or an older relationship has the name.
func (ti *tableInfo) addRel(name string, f *relField, filterable bool) {
	if _, taken := ti.fields[name]; taken {
		return
	}
	ti.fields[name] = f
	if filterable {
		if _, taken := ti.where[name]; !taken {
			ti.where[name] = f
		}
	}
}

// scalarOf is the GraphQL type of a column's values.
func scalarOf(c *gqlbase.Column) *ast.Type {
	var t *ast.Type
	switch {
	case c.System && c.Name == gqlbase.ColID:
		return nonNull("ID")
	case c.Type.IsText():
		t = named("String")
	case c.Type == gqlbase.TypeInteger || c.Type == gqlbase.TypeLink || c.Type == gqlbase.TypeRating:
		t = named("Int")
	case c.Type == gqlbase.TypeNumber:
		t = named("Float")
	case c.Type == gqlbase.TypeDecimal:
		t = named(scalarDecimal)
	case c.Type == gqlbase.TypeBoolean:
		t = named("Boolean")
	case c.Type == gqlbase.TypeDate:
		t = named(scalarDate)
	case c.Type == gqlbase.TypeDateTime:
		t = named(scalarDateTime)
	case c.Type == gqlbase.TypeJSON:
		t = named(scalarJSON)
	case c.Type == gqlbase.TypeUUID:
		t = named(scalarUUID)
	case c.Type == gqlbase.TypeMultiSelect:
		t = list(nonNull("String"))
	case c.Type == gqlbase.TypeFile:
		t = list(nonNull("Int"))
	default:
		t = named("String")
	}
	if !c.Nullable && !(c.System && c.Name == gqlbase.ColCreatedBy) {
		t.NonNull = true
	}
	return t
}

// comparisonOf is the comparison input type of a column.
func comparisonOf(c *gqlbase.Column) string {
	switch {
	case c.System && c.Name == gqlbase.ColID:
		return "ID_comparison_exp"
	case c.Type.IsText():
		return "String_comparison_exp"
	case c.Type == gqlbase.TypeMultiSelect:
		return "String_array_comparison_exp"
	case c.Type == gqlbase.TypeFile:
		return "Int_array_comparison_exp"
	case c.Type == gqlbase.TypeJSON:
		return "JSON_comparison_exp"
	}
	return scalarOf(c).Name() + "_comparison_exp"
}

func nullable(t *ast.Type) *ast.Type {
	c := *t
	c.NonNull = false
	return &c
}

// inputType is a column's type in inputs: nullable (inserts fill defaults, patches skip
// absent columns), lists kept.
func inputType(c *gqlbase.Column) *ast.Type { return nullable(scalarOf(c)) }

func columnDescription(c *gqlbase.Column) string {
	d := c.Label
	if c.Description != "" {
		if d != "" {
			d += ": "
		}
		d += c.Description
	}
	if c.Type == gqlbase.TypeLink {
		d = strings.TrimSpace(d + " (id of the linked row)")
	}
	return d
}

func (b *builder) listArgs(ti *tableInfo) ast.ArgumentDefinitionList {
	where := named(ti.typ("bool_exp"))
	return ast.ArgumentDefinitionList{
		arg("where", where, "Rows to return."),
		arg("filter", where, "Airsequel's name for where (both given: both must hold)."),
		arg("order_by", list(nonNull(ti.typ("order_by"))), "Sort keys, in order; the id breaks ties."),
		arg("limit", named("Int"), "At most this many rows."),
		arg("offset", named("Int"), "Skip this many rows."),
		arg("distinct_on", list(nonNull(ti.typ("select_column"))), "Keep the first row of each group of equal values of these columns (they lead the order)."),
	}
}

// table adds a table's types and root fields.
func (b *builder) table(ti *tableInfo) {
	t := ti.t
	desc := t.Label
	if t.Description != "" {
		desc = strings.TrimSpace(desc + "\n\n" + t.Description)
	}
	if desc == "" {
		desc = "A row of table " + t.Name + "."
	}
	row := &ast.Definition{Kind: ast.Object, Name: ti.typ("row"), Description: desc}
	pkResp := &ast.Definition{Kind: ast.Object, Name: ti.typ("by_pk_response"),
		Description: "The row a by-primary-key mutation changed, with affected_rows and returning for clients that expect a mutation response."}
	if !b.addType(row) {
		return
	}
	cols := append(append([]*gqlbase.Column{}, gqlbase.SystemColumns[:1]...), t.Columns...)
	cols = append(cols, gqlbase.SystemColumns[1:]...)
	var fieldNames []string
	for _, c := range cols {
		f := &ast.FieldDefinition{Name: c.Name, Type: scalarOf(c), Description: columnDescription(c)}
		row.Fields = append(row.Fields, f)
		fieldNames = append(fieldNames, c.Name)
	}
	// Relationship fields, in a stable order.
	var rels []string
	for name, f := range ti.fields {
		if f.kind != fieldColumn {
			rels = append(rels, name)
		}
	}
	sort.Strings(rels)
	for _, name := range rels {
		f := ti.fields[name]
		switch f.kind {
		case fieldObjectRel:
			row.Fields = append(row.Fields, &ast.FieldDefinition{Name: name, Type: named(f.target.typ("row")),
				Description: fmt.Sprintf("The %s row that column %s links to.", f.target.name, f.link.Name)})
		case fieldArrayRel:
			row.Fields = append(row.Fields, &ast.FieldDefinition{Name: name, Type: nonNullList(nonNull(f.target.typ("row"))),
				Arguments: b.listArgs(f.target), Description: fmt.Sprintf("The %s rows whose column %s links to this row.", f.target.name, f.link.Name)})
		case fieldAggregateRel:
			row.Fields = append(row.Fields, &ast.FieldDefinition{Name: name, Type: nonNull(f.target.typ("aggregate")),
				Arguments: b.listArgs(f.target), Description: fmt.Sprintf("Aggregates over the %s rows whose column %s links to this row.", f.target.name, f.link.Name)})
		}
	}
	// Comparison and order inputs.
	boolExp := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("bool_exp"), Description: "Conditions on " + t.Name + " rows; all given ones must hold."}
	boolExp.Fields = ast.FieldList{
		{Name: "_and", Type: list(nonNull(boolExp.Name))},
		{Name: "_or", Type: list(nonNull(boolExp.Name))},
		{Name: "_not", Type: named(boolExp.Name)},
	}
	orderBy := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("order_by"), Description: "Sort keys of " + t.Name + "; give one key per object in a list to fix their order."}
	selectCol := &ast.Definition{Kind: ast.Enum, Name: ti.typ("select_column")}
	for _, c := range cols {
		if f, ok := ti.where[c.Name]; ok && f.kind == fieldColumn {
			boolExp.Fields = append(boolExp.Fields, &ast.FieldDefinition{Name: c.Name, Type: named(comparisonOf(c))})
		}
		orderBy.Fields = append(orderBy.Fields, &ast.FieldDefinition{Name: c.Name, Type: named("order_by")})
		if enumName(c.Name) {
			selectCol.EnumValues = append(selectCol.EnumValues, &ast.EnumValueDefinition{Name: c.Name})
		}
	}
	for _, name := range rels {
		f := ti.fields[name]
		if f.kind == fieldObjectRel && orderBy.Fields.ForName(name) == nil {
			orderBy.Fields = append(orderBy.Fields, &ast.FieldDefinition{Name: name, Type: named(f.target.typ("order_by"))})
		}
		if g, ok := ti.where[name]; !ok || g != f {
			continue
		}
		boolExp.Fields = append(boolExp.Fields, &ast.FieldDefinition{Name: name, Type: named(f.target.typ("bool_exp"))})
	}
	b.addType(boolExp)
	b.addType(orderBy)
	b.addType(selectCol)

	// Aggregates.
	agg := &ast.Definition{Kind: ast.Object, Name: ti.typ("aggregate"), Fields: ast.FieldList{
		{Name: "aggregate", Type: named(ti.typ("aggregate_fields"))},
		{Name: "nodes", Type: nonNullList(nonNull(row.Name))},
	}}
	aggFields := &ast.Definition{Kind: ast.Object, Name: ti.typ("aggregate_fields"), Fields: ast.FieldList{
		{Name: "count", Type: nonNull("Int"), Arguments: ast.ArgumentDefinitionList{
			arg("columns", list(nonNull(selectCol.Name)), "Count the rows where these columns are not null."),
			arg("distinct", named("Boolean"), "Count distinct values of columns."),
		}},
	}}
	sum := &ast.Definition{Kind: ast.Object, Name: ti.typ("sum_fields")}
	avg := &ast.Definition{Kind: ast.Object, Name: ti.typ("avg_fields")}
	minF := &ast.Definition{Kind: ast.Object, Name: ti.typ("min_fields")}
	maxF := &ast.Definition{Kind: ast.Object, Name: ti.typ("max_fields")}
	for _, c := range cols {
		if c.Type.IsNumeric() && c.Type != gqlbase.TypeLink && !c.System {
			st := nullable(scalarOf(c))
			sum.Fields = append(sum.Fields, &ast.FieldDefinition{Name: c.Name, Type: st})
			at := named("Float")
			if c.Type == gqlbase.TypeDecimal {
				at = named(scalarDecimal)
			}
			avg.Fields = append(avg.Fields, &ast.FieldDefinition{Name: c.Name, Type: at})
		}
		if orderableColumn(c) {
			ot := nullable(scalarOf(c))
			minF.Fields = append(minF.Fields, &ast.FieldDefinition{Name: c.Name, Type: ot})
			maxF.Fields = append(maxF.Fields, &ast.FieldDefinition{Name: c.Name, Type: ot})
		}
	}
	if len(sum.Fields) > 0 {
		b.addType(sum)
		b.addType(avg)
		aggFields.Fields = append(aggFields.Fields, &ast.FieldDefinition{Name: "sum", Type: named(sum.Name)},
			&ast.FieldDefinition{Name: "avg", Type: named(avg.Name)})
	}
	b.addType(minF)
	b.addType(maxF)
	aggFields.Fields = append(aggFields.Fields, &ast.FieldDefinition{Name: "min", Type: named(minF.Name)},
		&ast.FieldDefinition{Name: "max", Type: named(maxF.Name)})
	b.addType(agg)
	b.addType(aggFields)

	// Root query and subscription fields.
	b.root(ast.Query, b.query, &ast.FieldDefinition{Name: t.Name, Type: nonNullList(nonNull(row.Name)), Arguments: b.listArgs(ti),
		Description: "Rows of " + t.Name + "."}, rootList, ti)
	byPKArgs := ast.ArgumentDefinitionList{arg("id", nonNull("ID"), "")}
	b.root(ast.Query, b.query, &ast.FieldDefinition{Name: t.Name + "_by_pk", Type: named(row.Name), Arguments: byPKArgs,
		Description: "The " + t.Name + " row with this id, or null."}, rootByPK, ti)
	b.root(ast.Query, b.query, &ast.FieldDefinition{Name: t.Name + "_aggregate", Type: nonNull(agg.Name), Arguments: b.listArgs(ti),
		Description: "Aggregates over rows of " + t.Name + "."}, rootAggregate, ti)
	b.root(ast.Subscription, b.subscription, &ast.FieldDefinition{Name: t.Name, Type: nonNullList(nonNull(row.Name)), Arguments: b.listArgs(ti)}, rootList, ti)
	b.root(ast.Subscription, b.subscription, &ast.FieldDefinition{Name: t.Name + "_by_pk", Type: named(row.Name), Arguments: byPKArgs}, rootByPK, ti)
	b.root(ast.Subscription, b.subscription, &ast.FieldDefinition{Name: t.Name + "_aggregate", Type: nonNull(agg.Name), Arguments: b.listArgs(ti)}, rootAggregate, ti)

	if b.s.role != RoleWrite {
		return
	}
	// Mutation inputs and responses.
	insert := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("insert_input"), Fields: ast.FieldList{
		{Name: gqlbase.ColID, Type: named("ID"), Description: "Only with on_conflict on " + t.Name + "_pkey: the row to update."},
	}}
	set := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("set_input")}
	inc := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("inc_input")}
	updCol := &ast.Definition{Kind: ast.Enum, Name: ti.typ("update_column")}
	for _, c := range t.Columns {
		insert.Fields = append(insert.Fields, &ast.FieldDefinition{Name: c.Name, Type: inputType(c), Description: columnDescription(c)})
		set.Fields = append(set.Fields, &ast.FieldDefinition{Name: c.Name, Type: inputType(c)})
		if c.Type.IsNumeric() && c.Type != gqlbase.TypeLink {
			inc.Fields = append(inc.Fields, &ast.FieldDefinition{Name: c.Name, Type: inputType(c)})
		}
		if enumName(c.Name) {
			updCol.EnumValues = append(updCol.EnumValues, &ast.EnumValueDefinition{Name: c.Name})
		}
	}
	constraint := &ast.Definition{Kind: ast.Enum, Name: ti.typ("constraint")}
	var cnames []string
	for name := range ti.constraints {
		cnames = append(cnames, name)
	}
	sort.Strings(cnames)
	for _, name := range cnames {
		constraint.EnumValues = append(constraint.EnumValues, &ast.EnumValueDefinition{Name: name,
			Description: "Unique on " + ti.constraints[name].Name + "."})
	}
	pk := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("pk_columns_input"), Fields: ast.FieldList{{Name: gqlbase.ColID, Type: nonNull("ID")}}}
	mresp := &ast.Definition{Kind: ast.Object, Name: ti.typ("mutation_response"), Fields: ast.FieldList{
		{Name: "affected_rows", Type: nonNull("Int")},
		{Name: "returning", Type: nonNullList(nonNull(row.Name))},
	}}
	b.addType(insert)
	b.addType(constraint)
	b.addType(pk)
	b.addType(mresp)
	var onConflict *ast.Type
	if len(updCol.EnumValues) > 0 {
		b.addType(updCol)
		oc := &ast.Definition{Kind: ast.InputObject, Name: ti.typ("on_conflict"), Fields: ast.FieldList{
			{Name: "constraint", Type: nonNull(constraint.Name)},
			{Name: "update_columns", Type: nonNullList(nonNull(updCol.Name)), DefaultValue: &ast.Value{Kind: ast.ListValue}},
			{Name: "where", Type: named(ti.typ("bool_exp"))},
		}}
		b.addType(oc)
		onConflict = named(oc.Name)
	}
	pkResp.Fields = append(pkResp.Fields, row.Fields...)
	b.addField(pkResp, &ast.FieldDefinition{Name: "affected_rows", Type: nonNull("Int")})
	b.addField(pkResp, &ast.FieldDefinition{Name: "returning", Type: nonNullList(nonNull(row.Name))})
	b.addType(pkResp)

	insertArgs := ast.ArgumentDefinitionList{arg("objects", nonNullList(nonNull(insert.Name)), "")}
	oneArgs := ast.ArgumentDefinitionList{arg("object", nonNull(insert.Name), "")}
	if onConflict != nil {
		insertArgs = append(insertArgs, arg("on_conflict", onConflict, "Upsert: update the rows that already hold a key."))
		oneArgs = append(oneArgs, arg("on_conflict", onConflict, "Upsert: update the row that already holds the key."))
	}
	b.root(ast.Mutation, b.mutation, &ast.FieldDefinition{Name: "insert_" + t.Name, Type: named(mresp.Name), Arguments: insertArgs,
		Description: "Inserts rows into " + t.Name + "."}, rootInsert, ti)
	b.root(ast.Mutation, b.mutation, &ast.FieldDefinition{Name: "insert_" + t.Name + "_one", Type: named(row.Name), Arguments: oneArgs,
		Description: "Inserts one row into " + t.Name + "."}, rootInsertOne, ti)
	if ti.hasSet {
		b.addType(set)
		where := named(ti.typ("bool_exp"))
		upd := ast.ArgumentDefinitionList{
			arg("where", where, "Rows to update ({} for every row)."),
			arg("filter", where, "Airsequel's name for where."),
			arg("_set", named(set.Name), "Values to set."),
			arg("set", named(set.Name), "Airsequel's name for _set."),
		}
		updPK := ast.ArgumentDefinitionList{
			arg("pk_columns", named(pk.Name), "The row to update."),
			arg("id", named("ID"), "The row to update (instead of pk_columns)."),
			arg("_set", named(set.Name), "Values to set."),
			arg("set", named(set.Name), "Airsequel's name for _set."),
		}
		if len(inc.Fields) > 0 {
			b.addType(inc)
			upd = append(upd, arg("_inc", named(inc.Name), "Amounts to add to numeric columns."))
			updPK = append(updPK, arg("_inc", named(inc.Name), "Amounts to add to numeric columns."))
		}
		b.root(ast.Mutation, b.mutation, &ast.FieldDefinition{Name: "update_" + t.Name, Type: named(mresp.Name), Arguments: upd,
			Description: "Updates the rows of " + t.Name + " that match where."}, rootUpdate, ti)
		b.root(ast.Mutation, b.mutation, &ast.FieldDefinition{Name: "update_" + t.Name + "_by_pk", Type: named(pkResp.Name), Arguments: updPK,
			Description: "Updates one row of " + t.Name + "; null when it does not exist."}, rootUpdateByPK, ti)
	}
	where := named(ti.typ("bool_exp"))
	b.root(ast.Mutation, b.mutation, &ast.FieldDefinition{Name: "delete_" + t.Name, Type: named(mresp.Name), Arguments: ast.ArgumentDefinitionList{
		arg("where", where, "Rows to delete ({} for every row)."), arg("filter", where, "Airsequel's name for where."),
	}, Description: "Moves the rows of " + t.Name + " that match where to the trash."}, rootDelete, ti)
	b.root(ast.Mutation, b.mutation, &ast.FieldDefinition{Name: "delete_" + t.Name + "_by_pk", Type: named(pkResp.Name),
		Arguments:   ast.ArgumentDefinitionList{arg("id", nonNull("ID"), "")},
		Description: "Moves one row of " + t.Name + " to the trash; null when it does not exist."}, rootDeleteByPK, ti)
}

func orderableColumn(c *gqlbase.Column) bool { return storage.Orderable(c.Type) }

func (b *builder) root(op ast.Operation, d *ast.Definition, f *ast.FieldDefinition, kind rootKind, ti *tableInfo) {
	if b.addField(d, f) {
		b.s.roots[op][f.Name] = &rootField{kind: kind, table: ti}
	}
}
