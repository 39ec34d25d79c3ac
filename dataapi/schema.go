// Package dataapi is gqlbase's typed GraphQL data API: one schema per database, derived at run
// time from its tables with Hasura/Airsequel naming, served as a gqlgen
// graphql.ExecutableSchema. Each root field is compiled into one SQL statement
// (a storage/plan Plan) that builds the JSON response in Postgres.
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
package dataapi

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
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

"""
Sort direction. Text sorts in natural order (ICU's root locale: "buy milk" before "Write
report"); the _bytes values sort text by its bytes instead (uppercase before lowercase, no
locale), and are the plain direction for other types. ASC and DESC are Airsequel's spellings
of asc and desc.
"""
enum order_by {
  asc
  asc_nulls_first
  asc_nulls_last
  desc
  desc_nulls_first
  desc_nulls_last
  asc_bytes
  asc_bytes_nulls_first
  asc_bytes_nulls_last
  desc_bytes
  desc_bytes_nulls_first
  desc_bytes_nulls_last
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
		panic(fmt.Sprintf("dataapi: base schema: %v", err))
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
	// many and junction are set on the array relationships of many-to-many link columns
	// (links.go), which have no LINK column.
	many     *gqlbase.LinkColumn
	junction *plan.Junction
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
	// rowTypes maps the types that have a row's fields (<t>_row, <t>_by_pk_response) to
	// their tables, and aggregateTypes names the <t>_aggregate types, for Complexity.
	rowTypes       map[string]*tableInfo
	aggregateTypes map[string]bool
	// Skipped lists names left out because another name already took them.
	Skipped []string
	// Reserved lists tables and relationships left out because their GraphQL names would
	// start with two underscores (a table "_" that raw SQL created gives "__row").
	Reserved []string
	// plans caches the statements of query root fields.
	plans planCache
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
		rowTypes: map[string]*tableInfo{}, aggregateTypes: map[string]bool{},
		roots: map[ast.Operation]map[string]*rootField{ast.Query: {}, ast.Mutation: {}, ast.Subscription: {}}}
	b := &builder{s: s, types: make(map[string]*ast.Definition, len(base.Types)+len(tables)*20)}
	for k, v := range base.Types {
		b.types[k] = v
	}
	b.query = &ast.Definition{Kind: ast.Object, Name: "Query", Description: fmt.Sprintf("The tables of database %q.", db.Name)}
	b.mutation = &ast.Definition{Kind: ast.Object, Name: "Mutation"}
	b.subscription = &ast.Definition{Kind: ast.Object, Name: "Subscription", Description: "Live queries: the result is sent again whenever it changes."}
	infos := make([]*tableInfo, 0, len(tables))
	for _, t := range tables {
		if gqlbase.TypedNamesReserved(t.Name) {
			s.Reserved = append(s.Reserved, "table "+t.Name)
			continue
		}
		ti := newTableInfo(t)
		s.tables[t.ID] = ti
		infos = append(infos, ti)
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
			if gqlbase.TypedNamesReserved(c.Name) {
				s.Reserved = append(s.Reserved, ti.name+"."+c.Name+"_rel")
			} else {
				ti.addRel(c.Name+"_rel", &relField{kind: fieldObjectRel, link: c, target: target}, true)
			}
			arr := ti.name + "_by_" + c.Name
			target.addRel(arr, &relField{kind: fieldArrayRel, link: c, target: ti}, true)
			target.addRel(arr+"_aggregate", &relField{kind: fieldAggregateRel, link: c, target: ti}, false)
		}
	}
	addLinkRels(s, infos)
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
