package plan

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
)

// A Plan is one root field of the typed GraphQL API (a list, an aggregate or one row by id),
// compiled into ONE SQL statement that builds the whole JSON result in Postgres: nested
// objects with json_build_object, lists with json_agg over correlated subqueries. A query
// costs one round trip per root field whatever its depth. The typed API (dataapi) turns
// a GraphQL selection into a Plan; this package is the only place that turns one into SQL.
//
// Every list a plan builds is bounded: a list's row set must carry a Limit (or IDs), and
// rows in aggregate context a Limit of their own unless the aggregated rows are bounded, so no
// statement can build rows without bound however the caller assembled the plan.

// Kind is what a plan returns.
type Kind int

const (
	// List returns a JSON array with Node evaluated for each row of Rows (which needs a
	// Limit or IDs).
	List Kind = iota + 1
	// Aggregate returns Node evaluated over the rows of Rows (aggregate context: count,
	// sum, ... and Rows nodes).
	Aggregate
	// One returns Node for the row of Rows.Table whose id is ID, or null.
	One
)

// Plan is a read of the typed API.
type Plan struct {
	Kind Kind
	Rows RowSet
	ID   int64
	Node *Node
}

// RowSet chooses and orders rows of a table.
type RowSet struct {
	Table *gqlbase.Table
	Where *Cond
	// Order keys; the id breaks ties, so lists are deterministic.
	Order []OrderKey
	// DistinctOn keeps the first row of each group of equal values of these columns (they
	// lead the order).
	DistinctOn []*gqlbase.Column
	Limit      *int
	Offset     int
	// IDs, when not nil, keeps only these rows.
	IDs []int64
}

// OrderKey is one key of an order: Column of the row set's table, or, through Via, of the
// row that a chain of LINK columns leads to (null when a link is empty).
type OrderKey struct {
	Column *gqlbase.Column
	Desc   bool
	Nulls  gqlbase.NullsOrder
	// Bytes orders a text column in byte order ("C") instead of TextOrder.
	Bytes bool
	Via   []OrderHop
}

// OrderHop follows a LINK column (of the previous table) to its Target table.
type OrderHop struct {
	Link   *gqlbase.Column
	Target *gqlbase.Table
}

// NodeKind is the kind of one JSON value of a plan's output.
type NodeKind int

const (
	// NodeObject is a JSON object: Keys[i] maps to Children[i], in order.
	NodeObject NodeKind = iota + 1
	// NodeColumn is the value of Column in the current row.
	NodeColumn
	// NodeConst is the string Const (__typename).
	NodeConst
	// NodeObjectRel is Child evaluated for the row of Target that the current row's LINK
	// column Link points to, or null.
	NodeObjectRel
	// NodeArrayRel is a JSON array of Child for each row of Rows whose LINK column Link
	// points to the current row (Rows needs a Limit).
	NodeArrayRel
	// NodeAggregateRel is Child evaluated in aggregate context over the rows of Rows whose
	// LINK column Link points to the current row.
	NodeAggregateRel
	// NodeCount (aggregate context) counts rows, or non-null values of Columns (distinct
	// ones when Distinct is set).
	NodeCount
	// NodeAggregate (aggregate context) is Fn (sum, avg, min, max) of Column.
	NodeAggregate
	// NodeRows (aggregate context) is a JSON array of Child for each row, the first Limit
	// rows when Limit is set (needed unless the aggregated row set has a Limit or IDs).
	NodeRows
	// NodeJSON is the JSON text Const (a value known before the statement runs).
	NodeJSON
	// NodeArray is a JSON array of Children.
	NodeArray
	// NodeManyRel is a JSON array of Child for each row of Rows linked to the current row
	// through the many-to-many link's Junction (Rows needs a Limit).
	NodeManyRel
)

// Node is one JSON value of a plan's output.
type Node struct {
	Kind     NodeKind
	Keys     []string
	Children []*Node
	Column   *gqlbase.Column
	Columns  []*gqlbase.Column
	Distinct bool
	Fn       string
	Const    string
	// Link is the LINK column of a relationship: a column of the current table for
	// NodeObjectRel, a column of Rows.Table for NodeArrayRel and NodeAggregateRel.
	Link   *gqlbase.Column
	Target *gqlbase.Table
	Rows   *RowSet
	Child  *Node
	// Limit bounds the rows of NodeRows.
	Limit *int
	// Junction is the junction table of NodeManyRel.
	Junction *Junction
}

// Cond is a row condition: every given part must hold. Filter compares the row's own
// columns; Exists follows a relationship.
type Cond struct {
	And    []*Cond
	Or     []*Cond
	Not    *Cond
	Filter *gqlbase.BoundFilter
	Exists *CondExists
}

// CondExists holds when a related row of Target matches Where. Forward: Link is a LINK
// column of the current table pointing at Target; otherwise Link is Target's LINK column
// pointing at the current row.
type CondExists struct {
	// Junction, when set, relates the rows through a many-to-many link instead of Link.
	Junction *Junction
	Link     *gqlbase.Column
	Forward  bool
	Target   *gqlbase.Table
	Where    *Cond
}

// Aggregate functions of NodeAggregate.
const (
	AggSumFn = "sum"
	AggAvgFn = "avg"
	AggMinFn = "min"
	AggMaxFn = "max"
)

// maxJSONPairs is how many key/value pairs one json_build_object call takes (Postgres
// functions take at most 100 arguments).
const maxJSONPairs = 50

type planCompiler struct {
	a      *Args
	n      int
	depth  int
	tables map[string]*gqlbase.Table // alias → table
	// aggs maps the alias of a row set in aggregate context to the condition that ties it to
	// its outer row (nil at the root), so NodeRows can select a bounded copy of it.
	aggs map[string]func(alias string) string
}

// maxPlanDepth bounds the nesting of a plan (the GraphQL depth limit is far lower).
const maxPlanDepth = 64

func (c *planCompiler) alias() string {
	c.n++
	return "r" + strconv.Itoa(c.n)
}

// Compile returns the statement of a plan and its parameters.
func Compile(p *Plan) (query string, params []any, err error) {
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(planError)
			if !ok {
				panic(r)
			}
			query, params, err = "", nil, pe.err
		}
	}()
	c := &planCompiler{a: &Args{}}
	if p.Node == nil || p.Rows.Table == nil {
		return "", nil, fmt.Errorf("plan: no node or table")
	}
	al := c.alias()
	c.bind(al, p.Rows.Table)
	switch p.Kind {
	case List:
		if !bounded(&p.Rows) {
			return "", nil, fmt.Errorf("plan: the list of %s has no limit", p.Rows.Table.Name)
		}
		from := c.rowSet(&p.Rows, al, "")
		query = "SELECT coalesce(json_agg(" + c.node(p.Node, al, nil) + " ORDER BY " + c.orderBy(&p.Rows, al) +
			"), '[]'::json) FROM " + from
	case Aggregate:
		from := c.rowSet(&p.Rows, al, "")
		c.aggregated(al, nil)
		query = "SELECT " + c.node(p.Node, al, &p.Rows) + " FROM " + from + aggregateGroup
	case One:
		t := p.Rows.Table
		query = "SELECT (SELECT " + c.node(p.Node, al, nil) + " FROM " + Qualified(t.Schema, t.Name) + " " + al +
			" WHERE " + al + ".id = " + c.a.Add(p.ID) + "::bigint)"
	default:
		return "", nil, fmt.Errorf("plan: unknown kind %d", p.Kind)
	}
	return query, c.a.List, nil
}

// aggregateGroup makes a statement in aggregate context one group of all its rows, so it
// yields exactly one row even when its selection holds no aggregate function (only constants
// such as affected_rows, or nodes selected by their own subquery) or there are no rows.
const aggregateGroup = " GROUP BY ()"

// bounded reports whether a row set selects a bounded number of rows.
func bounded(rs *RowSet) bool { return rs.Limit != nil || rs.IDs != nil }

// aggregated records that alias al is a row set in aggregate context, tied to its outer row
// by correlate (nil for none).
func (c *planCompiler) aggregated(al string, correlate func(alias string) string) {
	if c.aggs == nil {
		c.aggs = map[string]func(string) string{}
	}
	c.aggs[al] = correlate
}

type planError struct{ err error }

func (c *planCompiler) fail(format string, args ...any) {
	panic(planError{fmt.Errorf("plan: "+format, args...)})
}

// rowSet is `(SELECT al.* FROM table al WHERE ... ORDER BY ... LIMIT ...) al`; correlate is
// an extra condition tying the rows to an outer row.
func (c *planCompiler) rowSet(rs *RowSet, al, correlate string) string {
	t := rs.Table
	var conds []string
	if correlate != "" {
		conds = append(conds, correlate)
	}
	if rs.IDs != nil {
		conds = append(conds, al+".id = ANY("+c.a.Add(pq.Array(rs.IDs))+"::bigint[])")
	}
	if rs.Where != nil {
		conds = append(conds, c.cond(rs.Where, al, t))
	}
	if len(conds) == 0 {
		conds = append(conds, "TRUE")
	}
	var b strings.Builder
	b.WriteString("(SELECT ")
	if len(rs.DistinctOn) > 0 {
		cols := make([]string, len(rs.DistinctOn))
		for i, key := range distinctKeys(rs) {
			// The same expressions as the ORDER BY they must lead (the collations are
			// deterministic, so the groups are those of equal bytes either way).
			cols[i] = SortExpr(c.columnRef(al, t, key.Column), key.Column.Type, key.Bytes)
		}
		b.WriteString("DISTINCT ON (" + strings.Join(cols, ", ") + ") ")
	}
	b.WriteString(al + ".* FROM " + Qualified(t.Schema, t.Name) + " " + al + " WHERE " + strings.Join(conds, " AND "))
	b.WriteString(" ORDER BY " + c.orderBy(rs, al))
	if rs.Limit != nil {
		b.WriteString(" LIMIT " + strconv.Itoa(max(*rs.Limit, 0)))
	}
	if rs.Offset > 0 {
		b.WriteString(" OFFSET " + strconv.Itoa(rs.Offset))
	}
	b.WriteString(") " + al)
	return b.String()
}

// distinctKeys are the order keys of a row set's DISTINCT ON columns: each with the direction,
// nulls and byte order of the order key on the same column, if any.
func distinctKeys(rs *RowSet) []OrderKey {
	keys := make([]OrderKey, 0, len(rs.DistinctOn))
	for _, col := range rs.DistinctOn {
		key := OrderKey{Column: col}
		for _, o := range rs.Order {
			if len(o.Via) == 0 && o.Column.Name == col.Name {
				key.Desc, key.Nulls, key.Bytes = o.Desc, o.Nulls, o.Bytes
			}
		}
		keys = append(keys, key)
	}
	return keys
}

// orderBy is the ORDER BY list of a row set: the DISTINCT ON columns first (Postgres needs
// them to lead), then the order keys, then the id.
func (c *planCompiler) orderBy(rs *RowSet, al string) string {
	var keys []string
	seen := map[string]bool{}
	add := func(o OrderKey) {
		path := o.Column.Name
		for i := len(o.Via) - 1; i >= 0; i-- {
			path = o.Via[i].Link.Name + "." + path
		}
		if seen[path] {
			return
		}
		seen[path] = true
		var nullsFirst bool
		switch o.Nulls {
		case gqlbase.NullsFirst:
			nullsFirst = true
		case gqlbase.NullsLast:
		default:
			nullsFirst = o.Desc // Postgres' default
		}
		keys = append(keys, OrderTerm(c.orderExpr(al, rs.Table, o.Via, o.Column, o.Bytes), o.Desc, nullsFirst))
	}
	for _, key := range distinctKeys(rs) {
		add(key)
	}
	for _, o := range rs.Order {
		add(o)
	}
	if !seen[gqlbase.ColID] {
		keys = append(keys, al+".id ASC")
	}
	return strings.Join(keys, ", ")
}

// orderExpr is the value an order key sorts by: the column, or a subquery that follows the
// links to it. Lists and JSON sort by their text.
func (c *planCompiler) orderExpr(al string, t *gqlbase.Table, via []OrderHop, col *gqlbase.Column, bytes bool) string {
	if len(via) == 0 {
		expr := c.columnRef(al, t, col)
		if col.Type.IsArray() || col.Type == gqlbase.TypeJSON {
			expr = "(" + expr + ")::text"
		}
		return SortExpr(expr, col.Type, bytes)
	}
	hop := via[0]
	if hop.Link == nil || hop.Target == nil || hop.Link.Type != gqlbase.TypeLink {
		c.fail("bad order relationship")
	}
	link := c.columnRef(al, t, hop.Link)
	a2 := c.alias()
	return "(SELECT " + c.orderExpr(a2, hop.Target, via[1:], col, bytes) + " FROM " + Qualified(hop.Target.Schema, hop.Target.Name) +
		" " + a2 + " WHERE " + a2 + ".id = " + link + ")"
}

// columnRef is al."column", checking that the column belongs to the table.
func (c *planCompiler) columnRef(al string, t *gqlbase.Table, col *gqlbase.Column) string {
	if col == nil || t.Column(col.Name) == nil {
		name := "<nil>"
		if col != nil {
			name = col.Name
		}
		c.fail("table %q has no column %q", t.Name, name)
	}
	return al + "." + QuoteIdent(col.Name)
}

// output is a column's value as the typed API shows it: ids and decimals as strings (exact in
// every JSON reader), everything else as Postgres' JSON form of the value.
func (c *planCompiler) output(al string, t *gqlbase.Table, col *gqlbase.Column) string {
	ref := c.columnRef(al, t, col)
	if col.System && col.Name == gqlbase.ColID || col.Type == gqlbase.TypeDecimal {
		return ref + "::text"
	}
	return ref
}

// node compiles a node for the current row al of table t (taken from agg when the node is in
// aggregate context, where agg is the row set being aggregated).
func (c *planCompiler) node(n *Node, al string, agg *RowSet) string {
	return c.nodeIn(n, al, nil, agg)
}

func (c *planCompiler) nodeIn(n *Node, al string, t *gqlbase.Table, agg *RowSet) string {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxPlanDepth {
		c.fail("nested deeper than %d levels", maxPlanDepth)
	}
	if n == nil {
		c.fail("nil node")
	}
	if t == nil {
		t = c.tableOf(al)
	}
	switch n.Kind {
	case NodeObject:
		if len(n.Keys) != len(n.Children) {
			c.fail("object with %d keys and %d values", len(n.Keys), len(n.Children))
		}
		if len(n.Keys) == 0 {
			return "'{}'::json"
		}
		var chunks []string
		for start := 0; start < len(n.Keys); start += maxJSONPairs {
			end := min(start+maxJSONPairs, len(n.Keys))
			parts := make([]string, 0, 2*(end-start))
			for i := start; i < end; i++ {
				parts = append(parts, QuoteLiteral(n.Keys[i])+"::text", c.nodeIn(n.Children[i], al, t, agg))
			}
			chunks = append(chunks, "json_build_object("+strings.Join(parts, ", ")+")")
		}
		if len(chunks) == 1 {
			return chunks[0]
		}
		// Wider objects: join the objects' texts, keeping the keys in order.
		s := "left(" + chunks[0] + "::text, -1)"
		for i, ch := range chunks[1:] {
			if i == len(chunks)-2 {
				s += " || ', ' || substr(" + ch + "::text, 2)"
			} else {
				s += " || ', ' || substr(left(" + ch + "::text, -1), 2)"
			}
		}
		return "(" + s + ")::json"
	case NodeConst:
		return QuoteLiteral(n.Const) + "::text"
	case NodeJSON:
		if !json.Valid([]byte(n.Const)) {
			c.fail("invalid JSON constant")
		}
		return QuoteLiteral(n.Const) + "::json"
	case NodeArray:
		if len(n.Children) == 0 {
			return "'[]'::json"
		}
		if len(n.Children) > 100 {
			c.fail("array of %d items", len(n.Children))
		}
		items := make([]string, len(n.Children))
		for i, ch := range n.Children {
			items[i] = c.nodeIn(ch, al, t, agg)
		}
		return "json_build_array(" + strings.Join(items, ", ") + ")"
	case NodeColumn:
		if agg != nil {
			c.fail("a column value in aggregate context")
		}
		return c.output(al, t, n.Column)
	case NodeObjectRel:
		if agg != nil || n.Target == nil || n.Link == nil || n.Link.Type != gqlbase.TypeLink {
			c.fail("bad object relationship")
		}
		link := c.columnRef(al, t, n.Link)
		a2 := c.alias()
		c.bind(a2, n.Target)
		return "(SELECT " + c.nodeIn(n.Child, a2, n.Target, nil) + " FROM " + Qualified(n.Target.Schema, n.Target.Name) +
			" " + a2 + " WHERE " + a2 + ".id = " + link + ")"
	case NodeArrayRel, NodeAggregateRel:
		if agg != nil || n.Rows == nil || n.Link == nil || n.Link.Type != gqlbase.TypeLink {
			c.fail("bad array relationship")
		}
		if n.Kind == NodeArrayRel && n.Rows.Limit == nil {
			c.fail("the list of %s has no limit", n.Rows.Table.Name)
		}
		rows, link, outer := n.Rows, n.Link, al
		correlate := func(alias string) string { return c.columnRef(alias, rows.Table, link) + " = " + outer + ".id" }
		a2 := c.alias()
		c.bind(a2, n.Rows.Table)
		from := c.rowSet(n.Rows, a2, correlate(a2))
		if n.Kind == NodeArrayRel {
			return "(SELECT coalesce(json_agg(" + c.nodeIn(n.Child, a2, n.Rows.Table, nil) + " ORDER BY " + c.orderBy(n.Rows, a2) +
				"), '[]'::json) FROM " + from + ")"
		}
		c.aggregated(a2, correlate)
		return "(SELECT " + c.nodeIn(n.Child, a2, n.Rows.Table, n.Rows) + " FROM " + from + aggregateGroup + ")"
	case NodeManyRel:
		if agg != nil {
			c.fail("a link relationship in aggregate context")
		}
		return c.manyRel(n, al)
	case NodeCount:
		if agg == nil {
			c.fail("count outside aggregate context")
		}
		if len(n.Columns) == 0 {
			return "count(*)"
		}
		refs := make([]string, len(n.Columns))
		notNull := make([]string, len(n.Columns))
		for i, col := range n.Columns {
			refs[i] = c.columnRef(al, t, col)
			notNull[i] = refs[i] + " IS NOT NULL"
		}
		arg := refs[0]
		if len(refs) > 1 {
			arg = "(" + strings.Join(refs, ", ") + ")"
		}
		if n.Distinct {
			arg = "DISTINCT " + arg
		}
		return "count(" + arg + ") FILTER (WHERE " + strings.Join(notNull, " AND ") + ")"
	case NodeAggregate:
		if agg == nil {
			c.fail("aggregate outside aggregate context")
		}
		ref := c.columnRef(al, t, n.Column)
		switch n.Fn {
		case AggSumFn:
			if !n.Column.Type.IsNumeric() {
				c.fail("sum of a %s column", n.Column.Type)
			}
			if n.Column.Type == gqlbase.TypeDecimal {
				return "sum(" + ref + ")::text"
			}
			return "sum(" + ref + ")"
		case AggAvgFn:
			if !n.Column.Type.IsNumeric() {
				c.fail("avg of a %s column", n.Column.Type)
			}
			if n.Column.Type == gqlbase.TypeDecimal {
				return "avg(" + ref + ")::text"
			}
			return "avg(" + ref + ")::float8"
		case AggMinFn, AggMaxFn:
			if !Orderable(n.Column.Type) {
				c.fail("%s of a %s column", n.Fn, n.Column.Type)
			}
			if n.Column.Type.IsText() {
				ref += ` COLLATE "C"`
			}
			if n.Column.System && n.Column.Name == gqlbase.ColID || n.Column.Type == gqlbase.TypeDecimal {
				return n.Fn + "(" + ref + ")::text"
			}
			return n.Fn + "(" + ref + ")"
		}
		c.fail("unknown aggregate %q", n.Fn)
	case NodeRows:
		if agg == nil {
			c.fail("rows outside aggregate context")
		}
		if n.Limit != nil {
			return c.limitedRows(n, al, agg)
		}
		if !bounded(agg) {
			c.fail("the rows of %s have no limit", agg.Table.Name)
		}
		return "coalesce(json_agg(" + c.nodeIn(n.Child, al, t, nil) + " ORDER BY " + c.orderBy(agg, al) + "), '[]'::json)"
	}
	c.fail("unknown node kind %d", n.Kind)
	return ""
}

// limitedRows is NodeRows with its own Limit: the aggregates see every row of agg, the rows
// only the first Limit of them, so it selects them again from a copy of agg (aliased anew,
// tied to the same outer row) that carries the smaller limit.
func (c *planCompiler) limitedRows(n *Node, al string, agg *RowSet) string {
	correlate, ok := c.aggs[al]
	if !ok {
		c.fail("rows of an unknown aggregate")
	}
	rs := *agg
	limit := max(*n.Limit, 0)
	if rs.Limit != nil {
		limit = min(limit, max(*rs.Limit, 0))
	}
	rs.Limit = &limit
	a2 := c.alias()
	c.bind(a2, rs.Table)
	where := ""
	if correlate != nil {
		where = correlate(a2)
	}
	from := c.rowSet(&rs, a2, where)
	return "(SELECT coalesce(json_agg(" + c.nodeIn(n.Child, a2, rs.Table, nil) + " ORDER BY " + c.orderBy(&rs, a2) +
		"), '[]'::json) FROM " + from + ")"
}

// Orderable reports whether min and max apply to a column type.
func Orderable(t gqlbase.ColumnType) bool {
	switch t {
	case gqlbase.TypeJSON, gqlbase.TypeMultiSelect, gqlbase.TypeFile, gqlbase.TypeUUID, gqlbase.TypeBoolean:
		return false
	}
	return true
}

// bind records the table of an alias, so nodes know their table.
func (c *planCompiler) bind(al string, t *gqlbase.Table) {
	if c.tables == nil {
		c.tables = map[string]*gqlbase.Table{}
	}
	c.tables[al] = t
}

func (c *planCompiler) tableOf(al string) *gqlbase.Table {
	t := c.tables[al]
	if t == nil {
		c.fail("alias %s has no table", al)
	}
	return t
}
