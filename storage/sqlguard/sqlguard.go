// Package sqlguard is the guard of the raw SQL endpoint: Check splits a request's SQL into
// statements and decides on each one's parse tree whether a database's role may run it, and
// which scope it needs. It knows no store and runs nothing; storage runs what it accepted.
//
// Raw SQL runs inside a transaction as the database's own NOLOGIN role (SET LOCAL ROLE),
// which owns only the database's schema. That role can still read what Postgres shows every
// role: the system catalog (pg_class, pg_namespace, pg_attribute, pg_stat_*, pg_roles,
// pg_stat_activity: the schemas, tables, columns, row counts and sessions of every database),
// and the output of the OID alias types (regclass, regnamespace, ...) names any object. A role switched to with SET ROLE can be switched back,
// and functions in column defaults run as whoever later writes the table. So each statement
// is parsed with Postgres's own parser (libpg_query) and decided on the parse tree with
// allowlists:
//
//   - statements: data statements (SELECT, WITH, VALUES, TABLE, EXPLAIN, INSERT, UPDATE,
//     DELETE, MERGE, TRUNCATE) and the DDL of tables, indexes, views, materialized views and
//     sequences (CREATE, ALTER, DROP, COMMENT ON, REFRESH, ANALYZE of named tables). No SET,
//     RESET, SHOW, transaction control, DO, CALL, functions, procedures, types, domains,
//     triggers, rules, policies, roles, GRANT, extensions, COPY, LISTEN/NOTIFY, LOCK,
//     PREPARE, cursors, VACUUM; no temporary objects (they would outlive the request on the
//     session), tablespaces, owners, row level security, inheritance or partitioning;
//   - relations (walk.go): the tables of the caller's schema (unqualified or
//     qualified with it), CTEs of the statement, information_schema for reading (Postgres
//     filters it by the role's privileges) and a few harmless catalog relations
//     (catalogRelations). Since pg_catalog is implicitly first on the search_path, an
//     unqualified name starting with pg_ is the catalog's and is refused. What a statement
//     creates or changes must be in the caller's schema;
//   - functions, wherever they appear (queries, defaults, checks, generated columns, index
//     expressions, view bodies): the ordinary built-ins of allowedFunctions, unqualified or
//     qualified with pg_catalog; types and casts: no OID alias type except a string literal
//     cast to regclass, checked like a relation name.
//
// Each statement is classified as a read, a write or a schema change; the caller needs the
// matching scope, and reads run in a READ ONLY transaction.
//
// The parser is that of a newer Postgres than the server may be; statements are run as the
// text the caller sent, so the text must mean the same to both. Newer syntax either fails on
// the older server or (SQL/JSON constructors, SYSTEM_USER) stands for functions the older
// server does not have or that are harmless. The one lexical difference that changes how an
// older server splits tokens is in numeric literals (0x1F, 1_000 read as a number and an
// alias before Postgres 16): such literals are refused.
package sqlguard

import (
	"errors"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/gqlbase/gqlbase"
)

// Kind classifies a statement by the scope it needs.
type Kind int

const (
	Read         Kind = iota + 1 // a query: needs the read scope, runs READ ONLY
	Write                        // changes rows or sequences: needs the write scope
	SchemaChange                 // DDL: needs the schema scope, and is reconciled into the metadata
)

func (k Kind) String() string {
	switch k {
	case Read:
		return "read"
	case Write:
		return "write"
	case SchemaChange:
		return "schema"
	}
	return "unknown"
}

// Statement is one accepted statement of a raw SQL request: what storage runs, in order.
type Statement struct {
	Text    string // the statement as the caller wrote it, which is what runs
	Kind    Kind
	Command string // "SELECT", "CREATE TABLE", ...
}

// Limits of the SQL endpoint.
const (
	MaxBytes      = 1 << 20
	MaxStatements = 200
)

// Check splits src into statements and checks each one against the rules above, for a
// database whose tables live in schema. Errors are BAD_USER_INPUT (*gqlbase.Error, field
// "query") with a message naming the statement and the object refused.
func Check(src, schema string) ([]Statement, error) {
	if len(src) > MaxBytes {
		return nil, inputError("the SQL text is longer than %d bytes", MaxBytes)
	}
	// The parser reads a C string: text after a NUL byte would be run but never checked.
	if strings.IndexByte(src, 0) >= 0 {
		return nil, inputError("the SQL text holds a NUL byte")
	}
	if !utf8.ValidString(src) {
		return nil, inputError("the SQL text is not valid UTF-8")
	}
	if err := checkTokens(src); err != nil {
		return nil, err
	}
	tree, err := pg_query.Parse(src)
	if err != nil {
		return nil, parseError(err)
	}
	if len(tree.Stmts) == 0 {
		return nil, inputError("the SQL text holds no statement")
	}
	if len(tree.Stmts) > MaxStatements {
		return nil, inputError("more than %d statements in one request", MaxStatements)
	}
	out := make([]Statement, 0, len(tree.Stmts))
	for _, raw := range tree.Stmts {
		text := statementText(src, raw)
		g := &guard{schema: schema, text: text}
		kind, command, err := g.statement(raw.Stmt)
		if err != nil {
			return nil, err
		}
		if err := g.walk(raw.Stmt.ProtoReflect(), nil); err != nil {
			return nil, err
		}
		if g.writes && kind < Write {
			kind = Write
		}
		out = append(out, Statement{Text: text, Kind: kind, Command: command})
	}
	return out, nil
}

func inputError(format string, args ...any) error {
	return gqlbase.BadInput(format, args...).WithField("query")
}

// parseError turns the parser's error into the caller's: the message and where it is.
func parseError(err error) error {
	var pe *pgparser.Error
	if errors.As(err, &pe) {
		if pe.Cursorpos > 0 {
			return inputError("%s (at position %d)", pe.Message, pe.Cursorpos)
		}
		return inputError("%s", pe.Message)
	}
	return inputError("the SQL text cannot be parsed: %v", err)
}

// statementText is the text of one parsed statement (a length of 0 means up to the end).
func statementText(src string, raw *pg_query.RawStmt) string {
	start := min(max(int(raw.StmtLocation), 0), len(src))
	end := len(src)
	if raw.StmtLen > 0 {
		end = min(start+int(raw.StmtLen), len(src))
	}
	return strings.TrimSpace(src[start:end])
}

// maxNesting bounds nestingEstimate. libpg_query turns the parse tree into protobuf
// recursively, without a depth check: a chain of some 20,000 operators overflows the stack of
// the thread and kills the process. The parser's own stack bounds what nests to the right
// (parentheses, prefix operators), not what nests to the left (1 + 1 + ... + 1, UNION,
// JOIN, casts), so the depth is estimated from the tokens before parsing. 4,000 leaves a
// wide margin below the crash and is far beyond what hand-written or generated SQL nests.
const maxNesting = 4000

// checkTokens checks the text with the scanner, which does not recurse, before the parser
// sees it:
//
//   - the nesting estimate (maxNesting);
//   - numeric literals that a Postgres before 16 reads as a number followed by a name
//     (hexadecimal, octal and binary integers, digit separators);
//   - a backslash before a quote in a standard string literal: where
//     standard_conforming_strings is off, \' does not end the string, so the server would
//     split the text differently from the parser.
func checkTokens(src string) error {
	scan, err := pg_query.Scan(src)
	if err != nil {
		return parseError(err)
	}
	if err := nestingEstimate(scan.Tokens); err != nil {
		return err
	}
	for _, t := range scan.Tokens {
		lit := src[t.Start:t.End]
		switch t.Token {
		case pg_query.Token_ICONST, pg_query.Token_FCONST:
			if strings.Trim(lit, "0123456789.eE+-") != "" {
				return inputError("the numeric literal %s is not accepted: write numbers in decimal digits without separators", lit)
			}
		case pg_query.Token_SCONST, pg_query.Token_USCONST:
			if lit[0] != 'E' && lit[0] != 'e' && lit[0] != '$' && strings.Contains(lit, `\'`) {
				return inputError(`the string literal %.40s is not accepted: a backslash before a quote means something else where standard_conforming_strings is off; write E'...' with \\ or double the quote`, lit)
			}
		}
	}
	return nil
}

// nestingEstimate bounds the depth of the parse tree from the tokens. Each parenthesis,
// bracket or CASE ... END level counts 2; within a level, every token that may combine what
// precedes it counts 1, up to the next comma, AND, OR, WHEN, THEN or ELSE (which the grammar
// puts side by side in lists, or flattens: a AND b AND c is one node); UNION, INTERSECT,
// EXCEPT and JOIN count for the rest of the level, since their chains run across commas and
// ANDs. Names and constants count nothing.
func nestingEstimate(tokens []*pg_query.ScanToken) error {
	type level struct {
		chain, chained int
		isCase         bool
	}
	levels := []level{{}}
	sum := 0 // of the open levels' counts
	for _, t := range tokens {
		top := &levels[len(levels)-1]
		switch t.Token {
		case pg_query.Token_ASCII_59: // ;
			levels, sum = []level{{}}, 0
			continue
		case pg_query.Token_ASCII_40, pg_query.Token_ASCII_91, pg_query.Token_CASE: // ( [ CASE
			levels = append(levels, level{isCase: t.Token == pg_query.Token_CASE})
			sum += 2
		case pg_query.Token_ASCII_41, pg_query.Token_ASCII_93, pg_query.Token_END_P: // ) ] END
			if len(levels) > 1 && top.isCase == (t.Token == pg_query.Token_END_P) {
				sum -= 2 + top.chain + top.chained
				levels = levels[:len(levels)-1]
			}
			// What the level was is one operand of the enclosing chain.
			levels[len(levels)-1].chain++
			sum++
		case pg_query.Token_ASCII_44, pg_query.Token_AND, pg_query.Token_OR,
			pg_query.Token_WHEN, pg_query.Token_THEN, pg_query.Token_ELSE:
			sum -= top.chain
			top.chain = 0
		case pg_query.Token_UNION, pg_query.Token_INTERSECT, pg_query.Token_EXCEPT, pg_query.Token_JOIN:
			top.chained++
			sum++
		case pg_query.Token_IDENT, pg_query.Token_UIDENT, pg_query.Token_ICONST, pg_query.Token_FCONST,
			pg_query.Token_SCONST, pg_query.Token_USCONST, pg_query.Token_BCONST, pg_query.Token_XCONST,
			pg_query.Token_PARAM, pg_query.Token_ASCII_46: // names, constants, .
		default:
			top.chain++
			sum++
		}
		if sum > maxNesting {
			return inputError("the statement at position %d nests too deeply: split long chains of operators, UNIONs or JOINs", t.Start+1)
		}
	}
	return nil
}

// guard checks one statement.
type guard struct {
	schema string
	text   string
	// writes is set by what makes a statement a write wherever it appears: a data-modifying
	// CTE, nextval or setval.
	writes bool
}

// errorf is a refusal naming the statement.
func (g *guard) errorf(format string, args ...any) error {
	short := g.text
	if len(short) > 60 {
		cut := 60
		for cut > 0 && !utf8.RuneStart(short[cut]) {
			cut--
		}
		short = short[:cut] + "…"
	}
	return inputError(format+" (in %q)", append(args, short)...)
}

// refuse refuses a kind of statement, named by its first words.
func (g *guard) refuse(why string) error {
	return g.errorf("%s statements are not available through the SQL endpoint: %s", commandWords(g.text), why)
}

// commandWords are the words that name the command of a statement: the first, and for
// CREATE, ALTER and DROP the kind of object (CREATE POLICY, CREATE OR REPLACE FUNCTION).
func commandWords(text string) string {
	scan, err := pg_query.Scan(text)
	if err != nil || len(scan.Tokens) == 0 {
		return "these"
	}
	var words []string
	for _, t := range scan.Tokens {
		w := strings.ToUpper(text[t.Start:t.End])
		words = append(words, w)
		switch {
		case len(words) == 1 && (w == "CREATE" || w == "ALTER" || w == "DROP"):
		case len(words) > 1 && (w == "OR" || w == "REPLACE"):
		default:
			return strings.Join(words, " ")
		}
	}
	return strings.Join(words, " ")
}

const (
	whyPartitioned = "partitioned tables are not supported: gqlbase serves plain tables, so create the table without PARTITION BY, PARTITION OF, ATTACH or DETACH PARTITION"
	whyOnlyDDL     = "only data statements and the DDL of tables, indexes, views and sequences are accepted"
	whyTablespace  = "tablespaces and storage access methods are fixed"
)

// relationObjects are the kinds of object DDL may create, alter, drop and comment on, with
// the words that name them.
var relationObjects = map[pg_query.ObjectType]string{
	pg_query.ObjectType_OBJECT_TABLE:    "TABLE",
	pg_query.ObjectType_OBJECT_INDEX:    "INDEX",
	pg_query.ObjectType_OBJECT_VIEW:     "VIEW",
	pg_query.ObjectType_OBJECT_MATVIEW:  "MATERIALIZED VIEW",
	pg_query.ObjectType_OBJECT_SEQUENCE: "SEQUENCE",
}

// statement classifies one statement and applies the rules that depend on its kind (what it
// may create or change); the walk then checks every relation, function and type in it.
func (g *guard) statement(n *pg_query.Node) (Kind, string, error) {
	switch s := n.GetNode().(type) {
	case *pg_query.Node_SelectStmt:
		if s.SelectStmt.IntoClause != nil {
			return SchemaChange, "SELECT", nil // SELECT ... INTO creates a table
		}
		return Read, "SELECT", nil
	case *pg_query.Node_InsertStmt:
		return Write, "INSERT", nil
	case *pg_query.Node_UpdateStmt:
		return Write, "UPDATE", nil
	case *pg_query.Node_DeleteStmt:
		return Write, "DELETE", nil
	case *pg_query.Node_MergeStmt:
		return Write, "MERGE", nil
	case *pg_query.Node_TruncateStmt:
		for _, r := range s.TruncateStmt.Relations {
			if err := g.ownRelation(r.GetRangeVar()); err != nil {
				return 0, "", err
			}
		}
		return Write, "TRUNCATE", nil
	case *pg_query.Node_ExplainStmt:
		switch s.ExplainStmt.Query.GetNode().(type) {
		case *pg_query.Node_SelectStmt, *pg_query.Node_InsertStmt, *pg_query.Node_UpdateStmt,
			*pg_query.Node_DeleteStmt, *pg_query.Node_MergeStmt, *pg_query.Node_CreateTableAsStmt:
			kind, _, err := g.statement(s.ExplainStmt.Query)
			return kind, "EXPLAIN", err
		}
		return 0, "", g.refuse("only queries and data statements can be explained")
	case *pg_query.Node_CreateStmt:
		return SchemaChange, "CREATE TABLE", g.createTable(s.CreateStmt)
	case *pg_query.Node_CreateTableAsStmt:
		c := s.CreateTableAsStmt
		if c.Query.GetSelectStmt() == nil {
			return 0, "", g.errorf("CREATE TABLE AS needs a query")
		}
		switch c.Objtype {
		case pg_query.ObjectType_OBJECT_TABLE:
			return SchemaChange, "CREATE TABLE", nil
		case pg_query.ObjectType_OBJECT_MATVIEW:
			return SchemaChange, "CREATE MATERIALIZED VIEW", nil
		}
		return 0, "", g.refuse(whyOnlyDDL)
	case *pg_query.Node_ViewStmt:
		return SchemaChange, "CREATE VIEW", g.ownRelation(s.ViewStmt.View)
	case *pg_query.Node_IndexStmt:
		ix := s.IndexStmt
		if ix.TableSpace != "" {
			return 0, "", g.errorf("%s", whyTablespace)
		}
		if ix.AccessMethod != "" && !indexMethods[ix.AccessMethod] {
			return 0, "", g.errorf("index method %q is not allowed in raw SQL: use btree, hash, gist, spgist, gin or brin", ix.AccessMethod)
		}
		if err := g.newName(ix.Idxname); err != nil {
			return 0, "", err
		}
		return SchemaChange, "CREATE INDEX", g.ownRelation(ix.Relation)
	case *pg_query.Node_CreateSeqStmt:
		return SchemaChange, "CREATE SEQUENCE", g.ownRelation(s.CreateSeqStmt.Sequence)
	case *pg_query.Node_AlterSeqStmt:
		return SchemaChange, "ALTER SEQUENCE", g.ownRelation(s.AlterSeqStmt.Sequence)
	case *pg_query.Node_AlterTableStmt:
		return g.alterTable(s.AlterTableStmt)
	case *pg_query.Node_RenameStmt:
		return g.rename(s.RenameStmt)
	case *pg_query.Node_DropStmt:
		word, ok := relationObjects[s.DropStmt.RemoveType]
		if !ok {
			return 0, "", g.refuse("only tables, indexes, views, materialized views and sequences can be dropped")
		}
		for _, o := range s.DropStmt.Objects {
			if err := g.ownName(nameList(o)); err != nil {
				return 0, "", err
			}
		}
		return SchemaChange, "DROP " + word, nil
	case *pg_query.Node_CommentStmt:
		return SchemaChange, "COMMENT", g.comment(s.CommentStmt)
	case *pg_query.Node_RefreshMatViewStmt:
		return Write, "REFRESH MATERIALIZED VIEW", g.ownRelation(s.RefreshMatViewStmt.Relation)
	case *pg_query.Node_VacuumStmt:
		v := s.VacuumStmt
		if v.IsVacuumcmd {
			return 0, "", g.refuse("the server vacuums the tables itself")
		}
		// Without a list, ANALYZE goes through every table of the server, and its
		// warnings name the ones it skips.
		if len(v.Rels) == 0 {
			return 0, "", g.errorf("ANALYZE needs the names of the tables to analyze")
		}
		for _, r := range v.Rels {
			if err := g.ownRelation(r.GetVacuumRelation().GetRelation()); err != nil {
				return 0, "", err
			}
		}
		return Write, "ANALYZE", nil
	case *pg_query.Node_AlterObjectSchemaStmt:
		return 0, "", g.errorf("SET SCHEMA is not available through raw SQL: the database's objects stay in its schema")
	case *pg_query.Node_AlterOwnerStmt:
		return 0, "", g.errorf("OWNER TO is not available through raw SQL: the owner of the database's objects is fixed")
	case *pg_query.Node_TransactionStmt:
		return 0, "", g.refuse("the whole request already runs in one transaction")
	case *pg_query.Node_VariableSetStmt, *pg_query.Node_VariableShowStmt, *pg_query.Node_DiscardStmt:
		return 0, "", g.refuse("session settings are fixed")
	}
	return 0, "", g.refuse(whyOnlyDDL)
}

func (g *guard) createTable(c *pg_query.CreateStmt) error {
	switch {
	case c.Partspec != nil || c.Partbound != nil:
		return g.errorf("%s", whyPartitioned)
	case len(c.InhRelations) > 0:
		return g.errorf("table inheritance (INHERITS) is not supported: create a plain table")
	case c.OfTypename != nil:
		return g.errorf("typed tables (OF type) are not supported: create a plain table")
	case c.Tablespacename != "" || (c.AccessMethod != "" && c.AccessMethod != "heap"):
		return g.errorf("%s", whyTablespace)
	}
	return g.ownRelation(c.Relation)
}

// alterTableCommands are the ALTER TABLE (INDEX, VIEW, SEQUENCE) actions raw SQL may take:
// columns, defaults, constraints, identity, storage parameters, clustering, logging. Not:
// owners, tablespaces and access methods, row level security, triggers and rules,
// inheritance, typed tables, partitions, foreign table options.
var alterTableCommands = map[pg_query.AlterTableType]bool{
	pg_query.AlterTableType_AT_AddColumn: true, pg_query.AlterTableType_AT_ColumnDefault: true,
	pg_query.AlterTableType_AT_DropNotNull: true, pg_query.AlterTableType_AT_SetNotNull: true,
	pg_query.AlterTableType_AT_SetExpression: true, pg_query.AlterTableType_AT_DropExpression: true,
	pg_query.AlterTableType_AT_SetStatistics: true, pg_query.AlterTableType_AT_SetOptions: true,
	pg_query.AlterTableType_AT_ResetOptions: true, pg_query.AlterTableType_AT_SetStorage: true,
	pg_query.AlterTableType_AT_SetCompression: true, pg_query.AlterTableType_AT_DropColumn: true,
	pg_query.AlterTableType_AT_AddConstraint: true, pg_query.AlterTableType_AT_AlterConstraint: true,
	pg_query.AlterTableType_AT_ValidateConstraint: true, pg_query.AlterTableType_AT_AddIndexConstraint: true,
	pg_query.AlterTableType_AT_DropConstraint: true, pg_query.AlterTableType_AT_AlterColumnType: true,
	pg_query.AlterTableType_AT_AddIdentity: true, pg_query.AlterTableType_AT_SetIdentity: true,
	pg_query.AlterTableType_AT_DropIdentity: true, pg_query.AlterTableType_AT_ClusterOn: true,
	pg_query.AlterTableType_AT_DropCluster: true, pg_query.AlterTableType_AT_SetLogged: true,
	pg_query.AlterTableType_AT_SetUnLogged: true, pg_query.AlterTableType_AT_SetRelOptions: true,
	pg_query.AlterTableType_AT_ResetRelOptions: true, pg_query.AlterTableType_AT_ReplaceRelOptions: true,
	pg_query.AlterTableType_AT_ReplicaIdentity: true,
}

func (g *guard) alterTable(a *pg_query.AlterTableStmt) (Kind, string, error) {
	word, ok := relationObjects[a.Objtype]
	if !ok {
		return 0, "", g.refuse("only tables, indexes, views, materialized views and sequences can be altered")
	}
	for _, c := range a.Cmds {
		cmd := c.GetAlterTableCmd()
		if cmd == nil {
			return 0, "", g.refuse(whyOnlyDDL)
		}
		switch t := cmd.Subtype; {
		case alterTableCommands[t]:
		case t == pg_query.AlterTableType_AT_ChangeOwner:
			return 0, "", g.errorf("OWNER TO is not available through raw SQL: the owner of the database's objects is fixed")
		case t == pg_query.AlterTableType_AT_EnableRowSecurity || t == pg_query.AlterTableType_AT_DisableRowSecurity ||
			t == pg_query.AlterTableType_AT_ForceRowSecurity || t == pg_query.AlterTableType_AT_NoForceRowSecurity:
			return 0, "", g.errorf("row level security is not available through raw SQL")
		case t == pg_query.AlterTableType_AT_AttachPartition || t == pg_query.AlterTableType_AT_DetachPartition ||
			t == pg_query.AlterTableType_AT_DetachPartitionFinalize:
			return 0, "", g.errorf("%s", whyPartitioned)
		case t == pg_query.AlterTableType_AT_AddInherit || t == pg_query.AlterTableType_AT_DropInherit:
			return 0, "", g.errorf("table inheritance is not supported")
		case t == pg_query.AlterTableType_AT_SetTableSpace || t == pg_query.AlterTableType_AT_SetAccessMethod:
			return 0, "", g.errorf("%s", whyTablespace)
		default:
			return 0, "", g.errorf("ALTER %s ... %s is not available through raw SQL: triggers, rules, typed and foreign tables are not supported",
				word, strings.TrimPrefix(t.String(), "AT_"))
		}
	}
	return SchemaChange, "ALTER " + word, g.ownRelation(a.Relation)
}

func (g *guard) rename(r *pg_query.RenameStmt) (Kind, string, error) {
	obj := r.RenameType
	if obj == pg_query.ObjectType_OBJECT_COLUMN || obj == pg_query.ObjectType_OBJECT_TABCONSTRAINT {
		obj = r.RelationType
	}
	word, ok := relationObjects[obj]
	if !ok || r.Relation == nil {
		return 0, "", g.refuse("only tables, indexes, views, sequences, their columns and constraints can be renamed")
	}
	if obj == r.RenameType {
		if err := g.newName(r.Newname); err != nil {
			return 0, "", err
		}
	}
	return SchemaChange, "ALTER " + word, g.ownRelation(r.Relation)
}

// newName checks the name a relation is given where the statement names no schema (an
// index, a rename): a name starting with pg_ could only ever be used qualified, since
// unqualified it means the system catalog.
func (g *guard) newName(name string) error {
	if strings.HasPrefix(name, "pg_") {
		return g.errorf("the name %q is not allowed: names starting with pg_ are the system catalog's", name)
	}
	return nil
}

func (g *guard) comment(c *pg_query.CommentStmt) error {
	names := nameList(c.Object)
	switch c.Objtype {
	case pg_query.ObjectType_OBJECT_COLUMN, pg_query.ObjectType_OBJECT_TABCONSTRAINT:
		if len(names) < 2 {
			return g.errorf("COMMENT ON COLUMN and CONSTRAINT need the name of the table")
		}
		return g.ownName(names[:len(names)-1])
	}
	if _, ok := relationObjects[c.Objtype]; !ok {
		return g.refuse("only tables, indexes, views, sequences, columns and constraints can be commented on")
	}
	return g.ownName(names)
}
