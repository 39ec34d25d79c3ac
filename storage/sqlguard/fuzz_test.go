package sqlguard_test

import (
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/sqlguard"
)

// FuzzCheck: the guard never panics and refuses only with BAD_USER_INPUT; each statement
// it accepts re-parses as one statement that it accepts again alone with the same kind; and
// what it accepts names only allowed relations, functions and types, as an independent walk
// of the tree sees them.
func FuzzCheck(f *testing.F) {
	for _, q := range catalogLeaks {
		f.Add(q)
	}
	for _, q := range []string{
		"SELECT u.name, count(*) FROM users u JOIN orders o ON o.user_id = u.id GROUP BY 1",
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT * FROM n",
		"WITH pg_stats AS (SELECT 1) SELECT * FROM pg_stats",
		"SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()",
		"SELECT row_number() OVER (ORDER BY id), jsonb_build_object('a', 1) FROM t",
		"CREATE TABLE t (id INT PRIMARY KEY, n SERIAL, a TEXT DEFAULT lower('A') CHECK (a <> ''))",
		"CREATE INDEX ON t (lower(a)); CREATE VIEW v AS SELECT * FROM t; DROP VIEW v",
		"SELECT nextval('s'), 'db_1.t'::regclass, 'english'::regconfig",
		"INSERT INTO t (a) VALUES ('x;y') RETURNING *; UPDATE t SET a = $$z$$",
		"CREATE TABLE m (a int) PARTITION BY RANGE (a)",
		"/* c; */ SELECT 1 -- ;",
	} {
		f.Add(q)
	}
	functions := map[string]bool{}
	for _, n := range sqlguard.AllowedFunctions() {
		functions[n] = true
	}
	catalog := map[string]bool{}
	for _, n := range sqlguard.AllowedCatalogRelations() {
		catalog[n] = true
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts, err := sqlguard.Check(src, testSchema)
		if err != nil {
			if gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
				t.Fatalf("%q: refused with %s: %v", src, gqlbase.ErrorCode(err), err)
			}
			return
		}
		for _, st := range stmts {
			tree, err := pg_query.Parse(st.Text)
			if err != nil || len(tree.Stmts) != 1 {
				t.Fatalf("accepted %q does not re-parse as one statement: %v", st.Text, err)
			}
			again, err := sqlguard.Check(st.Text, testSchema)
			if err != nil || len(again) != 1 || again[0].Kind != st.Kind {
				t.Fatalf("accepted %q (%s) is not accepted alone the same: %v %+v", st.Text, st.Kind, err, again)
			}
			c := &refCheck{t: t, text: st.Text, functions: functions, catalog: catalog, ctes: map[string]bool{}}
			c.collectCTEs(tree.Stmts[0].ProtoReflect())
			c.walk(tree.Stmts[0].ProtoReflect())
		}
	})
}

// refCheck is a second, simpler judge of an accepted statement's references: it allows an
// unqualified pg_ name if any CTE of the statement has that name (coarser than the guard's
// scoping, so it never refuses what the guard rightly accepts).
type refCheck struct {
	t                        *testing.T
	text                     string
	functions, catalog, ctes map[string]bool
}

func (c *refCheck) collectCTEs(m protoreflect.Message) {
	if cte, ok := m.Interface().(*pg_query.CommonTableExpr); ok {
		c.ctes[cte.Ctename] = true
	}
	eachChild(m, c.collectCTEs)
}

func (c *refCheck) walk(m protoreflect.Message) {
	switch n := m.Interface().(type) {
	case *pg_query.RangeVar:
		ok := n.Catalogname == ""
		switch n.Schemaname {
		case "":
			ok = ok && (!strings.HasPrefix(n.Relname, "pg_") || c.catalog[n.Relname] || c.ctes[n.Relname])
		case testSchema:
		case "information_schema":
			ok = ok && !strings.HasPrefix(n.Relname, "_pg_") && n.Relname != "udt_privileges"
		case "pg_catalog":
			ok = ok && c.catalog[n.Relname]
		default:
			ok = false
		}
		if !ok {
			c.t.Fatalf("accepted %q reads relation %s.%s.%s", c.text, n.Catalogname, n.Schemaname, n.Relname)
		}
	case *pg_query.FuncCall:
		names := strs(n.Funcname)
		if len(names) == 0 || !c.functions[names[len(names)-1]] || len(names) > 2 || (len(names) == 2 && names[0] != "pg_catalog") {
			c.t.Fatalf("accepted %q calls %v", c.text, names)
		}
	case *pg_query.TypeCast:
		names := strs(n.TypeName.GetNames())
		if len(names) > 0 && (names[len(names)-1] == "regclass" || names[len(names)-1] == "regconfig") &&
			len(n.TypeName.GetArrayBounds()) == 0 && n.Arg.GetAConst().GetSval() != nil {
			return // a literal the guard resolved as a name
		}
	case *pg_query.TypeName:
		names := strs(n.Names)
		if len(names) > 0 && oidAliasTypes[strings.TrimPrefix(names[len(names)-1], "_")] {
			c.t.Fatalf("accepted %q uses type %v", c.text, names)
		}
	}
	eachChild(m, c.walk)
}

var oidAliasTypes = map[string]bool{"regclass": true, "regcollation": true, "regconfig": true, "regdictionary": true,
	"regnamespace": true, "regoper": true, "regoperator": true, "regproc": true, "regprocedure": true, "regrole": true, "regtype": true}

func eachChild(m protoreflect.Message, fn func(protoreflect.Message)) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Message() == nil || fd.IsMap():
		case fd.IsList():
			for i := 0; i < v.List().Len(); i++ {
				fn(v.List().Get(i).Message())
			}
		default:
			fn(v.Message())
		}
		return true
	})
}

func strs(nodes []*pg_query.Node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		} else {
			out = append(out, "*")
		}
	}
	return out
}
