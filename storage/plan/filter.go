package plan

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
)

// Filter turns a bound filter into a parameterised SQL boolean expression over the
// columns of the table aliased alias (alias "" leaves the columns unqualified; the alias is SQL
// written by the caller, never user input). Operands are appended to a; column names are
// quoted. Under NOT every comparison is
// made two-valued (coalesce(..., false), IS DISTINCT FROM, IS NULL), so NOT, AND and OR keep
// the two-valued semantics that gqlbase.BoundFilter.Match implements in memory (see
// filter_bind.go in the gqlbase package):
//
//   - text columns compare under COLLATE "C" (byte order); ilike and text contains fold ASCII
//     only (lower() under COLLATE "C");
//   - a JSON column's jsonb null counts as NULL (nullif(col, 'null'::jsonb));
//   - parameters carry explicit casts, so Postgres never has to guess a type.
//
// Outside any NOT the coalesce wrappers are left out: there a NULL comparison already counts
// as false (in WHERE, and under AND and OR), and a bare comparison lets Postgres use an index.
func Filter(b *gqlbase.BoundFilter, alias string, a *Args) string {
	var sb strings.Builder
	compileFilterNode(&sb, b.Root(), alias, a, false)
	return sb.String()
}

// compileFilterNode writes a node; negated tells whether a NOT encloses it, where every
// comparison must be made two-valued.
func compileFilterNode(sb *strings.Builder, n *gqlbase.BoundNode, alias string, a *Args, negated bool) {
	switch n.Kind {
	case gqlbase.BoundAnd, gqlbase.BoundOr:
		if len(n.Children) == 0 {
			if n.Kind == gqlbase.BoundAnd {
				sb.WriteString("TRUE")
			} else {
				sb.WriteString("FALSE")
			}
			return
		}
		join := " AND "
		if n.Kind == gqlbase.BoundOr {
			join = " OR "
		}
		sb.WriteByte('(')
		for i, c := range n.Children {
			if i > 0 {
				sb.WriteString(join)
			}
			compileFilterNode(sb, c, alias, a, negated)
		}
		sb.WriteByte(')')
	case gqlbase.BoundNot:
		sb.WriteString("(NOT ")
		compileFilterNode(sb, n.Children[0], alias, a, true)
		sb.WriteByte(')')
	case gqlbase.BoundLeaf:
		sb.WriteString(compileFilterLeaf(n, alias, a, negated))
	default:
		panic(fmt.Sprintf("plan: unknown filter node kind %d", n.Kind))
	}
}

func compileFilterLeaf(n *gqlbase.BoundNode, alias string, a *Args, negated bool) string {
	// twoValued makes a comparison that may be NULL false instead, where it matters.
	twoValued := func(expr string) string {
		if negated {
			return "coalesce(" + expr + ", false)"
		}
		return "(" + expr + ")"
	}
	if n.Link != nil {
		return linkLeaf(n.Link, n.Op, alias, a)
	}
	c := n.Column
	col := QuoteIdent(c.Name)
	if alias != "" {
		col = alias + "." + col
	}
	if c.Type == gqlbase.TypeJSON {
		col = "nullif(" + col + ", 'null'::jsonb)"
	}
	// ordered is the column as compared for order, patterns and case folding.
	ordered := col
	if c.Type.IsText() {
		ordered = col + ` COLLATE "C"`
	}
	switch n.Op {
	case gqlbase.OpIsNull:
		if n.Value.(bool) {
			return "(" + col + " IS NULL)"
		}
		return "(" + col + " IS NOT NULL)"
	case gqlbase.OpEq:
		return twoValued(col + " = " + Param(c.Type, n.Value, a))
	case gqlbase.OpNeq:
		return "(" + col + " IS DISTINCT FROM " + Param(c.Type, n.Value, a) + ")"
	case gqlbase.OpLt, gqlbase.OpLte, gqlbase.OpGt, gqlbase.OpGte:
		return twoValued(ordered + " " + filterComparison[n.Op] + " " + Param(c.Type, n.Value, a))
	case gqlbase.OpIn:
		return twoValued(col + " = ANY(" + filterListParam(c.Type, n.Value, a) + ")")
	case gqlbase.OpNin:
		return "(NOT coalesce(" + col + " = ANY(" + filterListParam(c.Type, n.Value, a) + "), false))"
	case gqlbase.OpLike:
		return twoValued(ordered + " LIKE " + a.Add(n.Value.(string)) + "::text")
	case gqlbase.OpIlike:
		return twoValued(ordered + " ILIKE " + a.Add(n.Value.(string)) + "::text")
	case gqlbase.OpStartsWith:
		return twoValued("starts_with(" + ordered + ", " + a.Add(n.Value.(string)) + "::text)")
	case gqlbase.OpContains:
		if c.Type.IsText() {
			return twoValued("strpos(lower(" + ordered + "), " + a.Add(filterLower(n.Value.(string))) + "::text) > 0")
		}
		return twoValued(col + " @> " + Param(c.Type, n.Value, a))
	}
	panic(fmt.Sprintf("plan: operator %q not compiled", n.Op))
}

var filterComparison = map[gqlbase.FilterOp]string{
	gqlbase.OpLt: "<", gqlbase.OpLte: "<=", gqlbase.OpGt: ">", gqlbase.OpGte: ">=",
}

// Param adds one canonical operand of a column type and returns its cast placeholder.
func Param(t gqlbase.ColumnType, v any, a *Args) string {
	switch t {
	case gqlbase.TypeJSON:
		data, err := json.Marshal(v)
		if err != nil {
			// Bound JSON operands are canonical JSON values; this cannot happen.
			panic(fmt.Sprintf("plan: JSON filter operand: %v", err))
		}
		return a.Add(string(data)) + "::jsonb"
	case gqlbase.TypeMultiSelect:
		return a.Add(pq.Array(v.([]string))) + "::text[]"
	case gqlbase.TypeFile:
		return a.Add(pq.Array(v.([]int64))) + "::bigint[]"
	}
	return a.Add(v) + "::" + filterParamType(t)
}

// filterListParam adds the items of an in/nin operand as one array parameter.
func filterListParam(t gqlbase.ColumnType, v any, a *Args) string {
	switch x := v.(type) {
	case []time.Time:
		s := make([]string, len(x))
		for i, tm := range x {
			s[i] = tm.UTC().Format("2006-01-02T15:04:05.999999Z07:00")
		}
		v = s
	}
	return a.Add(pq.Array(v)) + "::" + filterParamType(t) + "[]"
}

// filterParamType is the Postgres type an operand of the column type is cast to.
func filterParamType(t gqlbase.ColumnType) string {
	switch t {
	case gqlbase.TypeInteger, gqlbase.TypeLink, gqlbase.TypeRating:
		return "bigint"
	case gqlbase.TypeNumber:
		return "float8"
	case gqlbase.TypeDecimal:
		return "numeric"
	case gqlbase.TypeBoolean:
		return "boolean"
	case gqlbase.TypeDate:
		return "date"
	case gqlbase.TypeDateTime:
		return "timestamptz"
	case gqlbase.TypeUUID:
		return "uuid"
	}
	return "text"
}

// filterLower lowers ASCII letters only, as lower() does under COLLATE "C".
func filterLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
