package plan

import (
	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
)

// Junction is a many-to-many link column's junction table (gqlbase.LinkColumn) seen from
// one of its tables: Near is the junction column naming that table's rows, Far the column
// naming the rows of the other table.
type Junction struct {
	Schema, Table string
	Near, Far     string
}

// JunctionOf is the junction of a link column seen from its source table (or, with reverse,
// from its target table).
func JunctionOf(schema string, l *gqlbase.LinkColumn, reverse bool) *Junction {
	j := &Junction{Schema: schema, Table: l.Junction, Near: "source_id", Far: "target_id"}
	if reverse {
		j.Near, j.Far = j.Far, j.Near
	}
	return j
}

// linked is the condition that row alias of the far table is linked to row outer of the near
// table: an id IN (junction rows of outer), which the junction's primary key (source_id,
// target_id) and its (target_id, source_id) index answer.
func (c *planCompiler) linked(j *Junction, alias, outer string) string {
	if j == nil || j.Table == "" || !validJunctionColumn(j.Near) || !validJunctionColumn(j.Far) {
		c.fail("bad junction")
	}
	return alias + ".id IN (SELECT j." + j.Far + " FROM " + Qualified(j.Schema, j.Table) + " j WHERE j." + j.Near + " = " + outer + ".id)"
}

func validJunctionColumn(s string) bool { return s == "source_id" || s == "target_id" }

// manyRel is NodeManyRel: a JSON array of Child for the rows of Rows linked to the current row
// al through Junction.
func (c *planCompiler) manyRel(n *Node, al string) string {
	if n.Rows == nil || n.Rows.Table == nil || n.Junction == nil {
		c.fail("bad link relationship")
	}
	if n.Rows.Limit == nil {
		c.fail("the list of %s has no limit", n.Rows.Table.Name)
	}
	a2 := c.alias()
	c.bind(a2, n.Rows.Table)
	from := c.rowSet(n.Rows, a2, c.linked(n.Junction, a2, al))
	return "(SELECT coalesce(json_agg(" + c.nodeIn(n.Child, a2, n.Rows.Table, nil) + " ORDER BY " + c.orderBy(n.Rows, a2) +
		"), '[]'::json) FROM " + from + ")"
}

// existsLinked is CondExists through a junction: some linked row of Target matches Where.
func (c *planCompiler) existsLinked(e *CondExists, al string) string {
	if e.Target == nil {
		c.fail("bad link condition")
	}
	a2 := c.alias()
	inner := "TRUE"
	if e.Where != nil {
		inner = c.cond(e.Where, a2, e.Target)
	}
	return "EXISTS (SELECT 1 FROM " + Qualified(e.Target.Schema, e.Target.Name) + " " + a2 + " WHERE " +
		c.linked(e.Junction, a2, al) + " AND " + inner + ")"
}

// linkLeaf is a has / has_not / has_any filter leaf: EXISTS over the junction (never NULL, so
// it is two-valued under NOT as it is).
func linkLeaf(l *gqlbase.LinkLeaf, op gqlbase.FilterOp, alias string, a *Args) string {
	j := JunctionOf(l.Schema, l.Link, l.Reverse)
	id := "id"
	if alias != "" {
		id = alias + ".id"
	}
	ids := a.Add(pq.Array(l.IDs)) + "::bigint[]"
	junction := Qualified(j.Schema, j.Table)
	anyLinked := "EXISTS (SELECT 1 FROM " + junction + " j WHERE j." + j.Near + " = " + id + " AND j." + j.Far + " = ANY(" + ids + "))"
	switch op {
	case gqlbase.OpHas:
		return "(NOT EXISTS (SELECT 1 FROM unnest(" + ids + ") x(link_id) WHERE NOT EXISTS (SELECT 1 FROM " + junction +
			" j WHERE j." + j.Near + " = " + id + " AND j." + j.Far + " = x.link_id)))"
	case gqlbase.OpHasNot:
		return "(NOT " + anyLinked + ")"
	}
	return "(" + anyLinked + ")"
}
