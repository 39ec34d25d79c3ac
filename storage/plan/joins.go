package plan

import "github.com/gqlbase/gqlbase"

// Object relationships compile to joins where the row they hang off is a row of a FROM list
// the compiler writes (a root list, a row by id, an array relationship's rows): each becomes
// `LEFT JOIN target aN ON aN.id = link`, and its value `CASE WHEN aN.id IS NULL THEN NULL
// ELSE <object> END`. The join is on the target's primary key, so it keeps exactly the rows
// of the row set (at most one match each) and the JSON is the same as the correlated
// subquery's; Postgres plans it as one hash or nested-loop join over the id index instead of
// one subquery per row, which with default settings may scan the target once per row.
//
// Elsewhere (aggregate context) object relationships stay correlated subqueries.

// joinScope collects the joins of one FROM list.
type joinScope struct {
	joins []string
}

// withJoins compiles body with a fresh join scope and returns its result and the joins it
// collected, restoring the outer scope after.
func (c *planCompiler) withJoins(body func() string) (string, string) {
	outer := c.scope
	s := &joinScope{}
	c.scope = s
	out := body()
	c.scope = outer
	joins := ""
	for _, j := range s.joins {
		joins += " " + j
	}
	return out, joins
}

// withoutJoins compiles body where no FROM list can take joins (object relationships become
// subqueries), restoring the outer scope after.
func (c *planCompiler) withoutJoins(body func() string) string {
	outer := c.scope
	c.scope = nil
	out := body()
	c.scope = outer
	return out
}

// objectRel compiles an object relationship of the current row al of table t.
func (c *planCompiler) objectRel(n *Node, al string, t *gqlbase.Table) string {
	link := c.columnRef(al, t, n.Link)
	a2 := c.alias()
	c.bind(a2, n.Target)
	target := Qualified(n.Target.Schema, n.Target.Name)
	if c.scope == nil {
		return "(SELECT " + c.nodeIn(n.Child, a2, n.Target, nil) + " FROM " + target +
			" " + a2 + " WHERE " + a2 + ".id = " + link + ")"
	}
	// The join goes in before the child's own joins, which refer to a2.
	c.scope.joins = append(c.scope.joins, "LEFT JOIN "+target+" "+a2+" ON "+a2+".id = "+link)
	return "CASE WHEN " + a2 + ".id IS NULL THEN NULL ELSE " + c.nodeIn(n.Child, a2, n.Target, nil) + " END"
}
