package sqlguard

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The walk of the raw SQL guard (sqlguard.go) visits every message of a statement's parse tree
// through protobuf reflection, so no kind of node is skipped because a hand-written walk
// forgot it: a relation in a DEFAULT, a function in a CHECK constraint, an index expression or
// a view body is checked like one in a query.

// cteScope is the CTE names visible at a point of the tree. An unqualified name that matches
// one is the CTE, not a table (Postgres looks CTEs up first).
type cteScope struct {
	names []string
	up    *cteScope
}

func (s *cteScope) with(names []string) *cteScope {
	if len(names) == 0 {
		return s
	}
	return &cteScope{names: names, up: s}
}

func (s *cteScope) has(name string) bool {
	for ; s != nil; s = s.up {
		for _, n := range s.names {
			if n == name {
				return true
			}
		}
	}
	return false
}

// walk checks m and everything under it.
func (g *guard) walk(m protoreflect.Message, sc *cteScope) error {
	skip, err := g.visit(m.Interface(), sc)
	if err != nil || skip {
		return err
	}
	// A WITH clause scopes its names over the statement it belongs to. Without RECURSIVE, a
	// CTE sees only the ones before it: in WITH pg_class AS (SELECT * FROM pg_class) the
	// inner pg_class is the catalog's.
	var withField protoreflect.FieldDescriptor
	if fd := m.Descriptor().Fields().ByName("with_clause"); fd != nil && fd.Message() != nil && m.Has(fd) {
		if w, ok := m.Get(fd).Message().Interface().(*pg_query.WithClause); ok {
			withField = fd
			var names []string
			for _, c := range w.Ctes {
				names = append(names, c.GetCommonTableExpr().GetCtename())
			}
			for i, c := range w.Ctes {
				visible := names[:i]
				if w.Recursive {
					visible = names
				}
				if err := g.walk(c.ProtoReflect(), sc.with(visible)); err != nil {
					return err
				}
			}
			sc = sc.with(names)
		}
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd == withField || fd.Message() == nil || fd.IsMap() {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len() && err == nil; i++ {
				err = g.walk(l.Get(i).Message(), sc)
			}
		} else {
			err = g.walk(v.Message(), sc)
		}
		return err == nil
	})
	return err
}

// visit checks one node; skip tells that what is under it was checked already.
func (g *guard) visit(m proto.Message, sc *cteScope) (skip bool, err error) {
	switch n := m.(type) {
	case *pg_query.RangeVar:
		return false, g.readRelation(n, sc)
	case *pg_query.FuncCall:
		return false, g.funcCall(n)
	case *pg_query.TypeCast:
		return g.typeCast(n)
	case *pg_query.TypeName:
		return false, g.typeName(n)
	case *pg_query.ColumnRef:
		return false, g.projection(n.Fields)
	case *pg_query.A_Indirection:
		return false, g.projection(n.Indirection)
	case *pg_query.A_Expr:
		if names := nameList2(n.Name); len(names) > 1 && !(len(names) == 2 && names[0] == "pg_catalog") {
			return false, g.errorf("operator %q is not allowed in raw SQL", strings.Join(names, "."))
		}
	case *pg_query.CollateClause:
		return false, g.builtinName("collation", nameList2(n.Collname))
	case *pg_query.IndexElem:
		if err := g.builtinName("operator class", nameList2(n.Opclass)); err != nil {
			return false, err
		}
		return false, g.builtinName("collation", nameList2(n.Collation))
	case *pg_query.RangeTableSample:
		names := nameList2(n.Method)
		if len(names) == 0 || !sampleMethods[names[len(names)-1]] || g.builtinName("", names) != nil {
			return false, g.errorf("TABLESAMPLE method %q is not allowed in raw SQL: use bernoulli or system", strings.Join(names, "."))
		}
	case *pg_query.DefElem:
		return false, g.defElem(n)
	case *pg_query.Constraint:
		if n.Indexspace != "" {
			return false, g.errorf("%s", whyTablespace)
		}
		if n.AccessMethod != "" && !indexMethods[n.AccessMethod] {
			return false, g.errorf("index method %q is not allowed in raw SQL", n.AccessMethod)
		}
		// EXCLUDE (column WITH operator, ...): each item is the element and the operator's name.
		for _, ex := range n.Exclusions {
			if items := ex.GetList().GetItems(); len(items) == 2 {
				if err := g.builtinName("operator", nameList(items[1])); err != nil {
					return false, err
				}
			}
		}
		if n.Pktable != nil {
			return false, g.ownRelation(n.Pktable)
		}
	case *pg_query.TableLikeClause:
		// LIKE copies columns with their types, defaults and constraints: only from a table
		// of this database (information_schema's would bring in its domain types).
		return false, g.ownRelation(n.Relation)
	case *pg_query.SubLink:
		if names := nameList2(n.OperName); len(names) > 1 && !(len(names) == 2 && names[0] == "pg_catalog") {
			return false, g.errorf("operator %q is not allowed in raw SQL", strings.Join(names, "."))
		}
	case *pg_query.IntoClause:
		if n.TableSpaceName != "" || (n.AccessMethod != "" && n.AccessMethod != "heap") {
			return false, g.errorf("%s", whyTablespace)
		}
		return false, g.ownRelation(n.Rel)
	case *pg_query.InsertStmt:
		g.writes = true
		return false, g.ownRelation(n.Relation)
	case *pg_query.UpdateStmt:
		g.writes = true
		return false, g.ownRelation(n.Relation)
	case *pg_query.DeleteStmt:
		g.writes = true
		return false, g.ownRelation(n.Relation)
	case *pg_query.MergeStmt:
		g.writes = true
		return false, g.ownRelation(n.Relation)
	case *pg_query.PartitionSpec, *pg_query.PartitionBoundSpec, *pg_query.PartitionCmd:
		return false, g.errorf("%s", whyPartitioned)
	case *pg_query.XmlExpr, *pg_query.XmlSerialize, *pg_query.RangeTableFunc:
		return false, g.errorf("XML functions are not available in raw SQL")
	case *pg_query.CurrentOfExpr:
		return false, g.errorf("cursors are not available in raw SQL")
	}
	return false, nil
}

const whyRelations = "raw SQL may use the tables of this database and information_schema"

// readRelation checks a relation a statement reads (and, before ownRelation is applied,
// any other relation it names).
func (g *guard) readRelation(rv *pg_query.RangeVar, sc *cteScope) error {
	if rv.Relpersistence == "t" {
		return g.errorf("temporary objects are not available through raw SQL: they would outlive the request")
	}
	return g.readName(rv.Catalogname, rv.Schemaname, rv.Relname, sc)
}

func (g *guard) readName(catalog, schema, rel string, sc *cteScope) error {
	ok := false
	switch {
	case catalog != "":
	case schema == "":
		ok = sc.has(rel) || !strings.HasPrefix(rel, "pg_") || catalogRelations[rel]
	case schema == g.schema:
		ok = true
	case schema == "information_schema":
		// The _pg_ views are information_schema's internals, not granted to PUBLIC.
		ok = !strings.HasPrefix(rel, "_pg_") && !infoSchemaRefused[rel]
	case schema == "pg_catalog":
		ok = catalogRelations[rel]
	}
	if ok {
		return nil
	}
	name := joinName(catalog, schema, rel)
	if schema == "" {
		return g.errorf("relation %q is not allowed: %s (an unqualified name starting with pg_ is the system catalog's)", name, whyRelations)
	}
	return g.errorf("relation %q is not allowed: %s", name, whyRelations)
}

// ownRelation checks a relation a statement creates, changes or references by key: it must
// be in the caller's schema.
func (g *guard) ownRelation(rv *pg_query.RangeVar) error {
	if rv == nil {
		return g.errorf("the statement names no relation")
	}
	names := []string{rv.Relname}
	if rv.Schemaname != "" {
		names = []string{rv.Schemaname, rv.Relname}
	}
	if rv.Catalogname != "" {
		names = []string{rv.Catalogname, rv.Schemaname, rv.Relname}
	}
	return g.ownName(names)
}

// isOwnName tells whether a possibly qualified name is that of a relation of the caller's
// schema: qualified with it, or unqualified and not the catalog's.
func (g *guard) isOwnName(names []string) bool {
	switch len(names) {
	case 1:
		return names[0] != "" && !strings.HasPrefix(names[0], "pg_")
	case 2:
		return names[0] == g.schema && names[0] != "" && names[1] != ""
	}
	return false
}

// ownName checks a possibly qualified name of a relation of the caller's schema.
func (g *guard) ownName(names []string) error {
	switch {
	case g.isOwnName(names):
		return nil
	case len(names) == 1 && strings.HasPrefix(names[0], "pg_"):
		return g.errorf("relation %q is not allowed: an unqualified name starting with pg_ is the system catalog's; qualify a table of this database as %s.%s",
			names[0], g.schema, names[0])
	}
	return g.errorf("relation %q is not allowed: raw SQL may create and change only the tables of this database", strings.Join(names, "."))
}

// builtinName checks the name of a built-in object (collation, operator class, sampling
// method): unqualified, or qualified with pg_catalog or the caller's schema.
func (g *guard) builtinName(what string, names []string) error {
	if len(names) <= 1 || (len(names) == 2 && (names[0] == "pg_catalog" || names[0] == g.schema)) {
		return nil
	}
	return g.errorf("%s %q is not allowed in raw SQL", what, strings.Join(names, "."))
}

func (g *guard) funcCall(f *pg_query.FuncCall) error {
	names := nameList2(f.Funcname)
	if len(names) == 0 {
		return g.errorf("a function without a name is not allowed in raw SQL")
	}
	name := names[len(names)-1]
	if !allowedFunctions[name] || len(names) > 2 || (len(names) == 2 && names[0] != "pg_catalog") {
		return g.errorf("function %q is not allowed in raw SQL", strings.Join(names, "."))
	}
	if writes, ok := sequenceFunctions[name]; ok {
		if err := g.sequenceArg(name, f.Args); err != nil {
			return err
		}
		g.writes = g.writes || writes
	}
	return nil
}

// sequenceArg checks the sequence argument of nextval, currval and setval: a string literal
// (or one cast to regclass or text) naming a sequence of the caller's schema.
func (g *guard) sequenceArg(fn string, args []*pg_query.Node) error {
	var lit string
	ok := false
	if len(args) > 0 {
		arg := args[0]
		if tc := arg.GetTypeCast(); tc != nil {
			if names := nameList2(tc.TypeName.GetNames()); len(names) > 0 && len(tc.TypeName.GetArrayBounds()) == 0 {
				if t := names[len(names)-1]; t == "regclass" || t == "text" {
					arg = tc.Arg
				}
			}
		}
		if c := arg.GetAConst(); c != nil && !c.Isnull {
			if s, isStr := c.Val.(*pg_query.A_Const_Sval); isStr {
				lit, ok = s.Sval.GetSval(), true
			}
		}
	}
	if !ok {
		return g.errorf("%s needs a string literal naming a sequence of this database", fn)
	}
	if names, ok := parseRegclassName(lit); !ok || !g.isOwnName(names) {
		return g.errorf("sequence %q is not allowed: %s may name only the sequences of this database", lit, fn)
	}
	return nil
}

// typeCast checks casts to the OID alias types; other casts are checked by their type name.
func (g *guard) typeCast(tc *pg_query.TypeCast) (bool, error) {
	names := nameList2(tc.TypeName.GetNames())
	if len(names) == 0 {
		return false, nil
	}
	last := names[len(names)-1]
	if !regTypes[last] || len(tc.TypeName.GetArrayBounds()) > 0 {
		return false, nil // typeName refuses reg arrays and every other use of a reg type
	}
	if len(names) > 2 || (len(names) == 2 && names[0] != "pg_catalog") {
		return false, g.errorf("type %q is not allowed in raw SQL", strings.Join(names, "."))
	}
	var lit string
	isLit := false
	if c := tc.Arg.GetAConst(); c != nil && !c.Isnull {
		if s, ok := c.Val.(*pg_query.A_Const_Sval); ok {
			lit, isLit = s.Sval.GetSval(), true
		}
	}
	switch {
	case last == "regclass" && isLit:
		rel, ok := parseRegclassName(lit)
		if !ok {
			return false, g.errorf("%q::regclass is not allowed in raw SQL: name a table of this database", lit)
		}
		var err error
		switch len(rel) {
		case 1:
			err = g.readName("", "", rel[0], nil)
		case 2:
			err = g.readName("", rel[0], rel[1], nil)
		default:
			err = g.readName(rel[0], rel[1], rel[2], nil)
		}
		return true, err
	case last == "regconfig" && isLit:
		cfg, ok := parseRegclassName(lit)
		if !ok || len(cfg) > 2 || (len(cfg) == 2 && cfg[0] != "pg_catalog") {
			return false, g.errorf("text search configuration %q is not allowed in raw SQL", lit)
		}
		return true, nil
	}
	return false, g.errorf("casts to %s are not allowed in raw SQL except of a string literal naming a table of this database: its output names objects of other databases", last)
}

// typeName checks a type named anywhere (columns, casts, function column lists).
func (g *guard) typeName(t *pg_query.TypeName) error {
	names := nameList2(t.Names)
	if len(names) == 0 {
		return nil
	}
	full := strings.Join(names, ".")
	// An array type is also named with a leading underscore (_regclass).
	base := strings.TrimPrefix(names[len(names)-1], "_")
	switch {
	case regTypes[base]:
		return g.errorf("type %q is not allowed in raw SQL: its values print the names of objects of other databases", full)
	case len(names) > 2 || (len(names) == 2 && names[0] != "pg_catalog" && names[0] != g.schema):
		return g.errorf("type %q is not allowed in raw SQL: use built-in types and the tables of this database", full)
	case (len(names) == 1 || names[0] == "pg_catalog") && strings.HasPrefix(base, "pg_") && !catalogScalarTypes[base]:
		return g.errorf("type %q is not allowed in raw SQL: it is the row type of a system catalog", full)
	}
	return nil
}

// projection refuses column references that could be calls of a refused function.
func (g *guard) projection(fields []*pg_query.Node) error {
	for _, f := range fields {
		if s := f.GetString_(); s != nil && deniedProjection(s.Sval) {
			return g.errorf("%q is not available through the SQL endpoint", s.Sval)
		}
	}
	return nil
}

// defElem checks the options that name a relation: the sequence of an identity column and
// the column a sequence is owned by.
func (g *guard) defElem(d *pg_query.DefElem) error {
	switch d.Defname {
	case "sequence_name":
		return g.ownName(nameList(d.Arg))
	case "owned_by":
		names := nameList(d.Arg)
		if len(names) == 1 && names[0] == "none" {
			return nil
		}
		if len(names) < 2 {
			return g.errorf("OWNED BY must name a column of a table of this database")
		}
		return g.ownName(names[:len(names)-1])
	case "tablespace":
		return g.errorf("%s", whyTablespace)
	}
	return nil
}

// nameList is the strings of a List node (a qualified name).
func nameList(n *pg_query.Node) []string {
	if l := n.GetList(); l != nil {
		return nameList2(l.Items)
	}
	if s := n.GetString_(); s != nil {
		return []string{s.Sval}
	}
	return nil
}

// nameList2 is the strings of a list of String nodes; anything else in it (A_Star) becomes
// "*", which no allowlist holds.
func nameList2(items []*pg_query.Node) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s := it.GetString_(); s != nil {
			out = append(out, s.Sval)
		} else {
			out = append(out, "*")
		}
	}
	return out
}

func joinName(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

// parseRegclassName reads a relation name the way regclass input does (dot-separated,
// double quotes keep case, other letters are lowered), refusing what regclass would read as
// an OID: only plain identifiers are accepted.
func parseRegclassName(s string) ([]string, bool) {
	var names []string
	i, n := 0, len(s)
	for {
		for i < n && s[i] == ' ' {
			i++
		}
		var part strings.Builder
		switch {
		case i < n && s[i] == '"':
			i++
			closed := false
			for i < n {
				if s[i] == '"' {
					if i+1 < n && s[i+1] == '"' {
						part.WriteByte('"')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				part.WriteByte(s[i])
				i++
			}
			if !closed || part.Len() == 0 {
				return nil, false
			}
		case i < n && isIdentStart(s[i]):
			for i < n && isIdentChar(s[i]) {
				c := s[i]
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				part.WriteByte(c)
				i++
			}
		default:
			return nil, false
		}
		names = append(names, part.String())
		for i < n && s[i] == ' ' {
			i++
		}
		if i == n {
			break
		}
		if s[i] != '.' || len(names) == 3 {
			return nil, false
		}
		i++
	}
	return names, len(names) <= 3
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$'
}
