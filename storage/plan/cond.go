// Row conditions of plans (see plan.go): where arguments and EXISTS through relationships.

package plan

import (
	"strings"

	"github.com/gqlbase/gqlbase"
)

// cond compiles a condition over row al of table t.
func (c *planCompiler) cond(w *Cond, al string, t *gqlbase.Table) string {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxPlanDepth {
		c.fail("condition nested deeper than %d levels", maxPlanDepth)
	}
	var parts []string
	if w.And != nil {
		parts = append(parts, c.connective(w.And, al, t, " AND ", "TRUE"))
	}
	if w.Or != nil {
		parts = append(parts, c.connective(w.Or, al, t, " OR ", "FALSE"))
	}
	if w.Not != nil {
		parts = append(parts, "(NOT "+c.cond(w.Not, al, t)+")")
	}
	if w.Filter != nil {
		parts = append(parts, Filter(w.Filter, al, c.a))
	}
	if e := w.Exists; e != nil && e.Junction != nil {
		parts = append(parts, c.existsLinked(e, al))
	} else if e != nil {
		if e.Link == nil || e.Target == nil || e.Link.Type != gqlbase.TypeLink {
			c.fail("bad relationship condition")
		}
		a2 := c.alias()
		var link string
		if e.Forward {
			link = a2 + ".id = " + c.columnRef(al, t, e.Link)
		} else {
			link = c.columnRef(a2, e.Target, e.Link) + " = " + al + ".id"
		}
		inner := "TRUE"
		if e.Where != nil {
			inner = c.cond(e.Where, a2, e.Target)
		}
		parts = append(parts, "EXISTS (SELECT 1 FROM "+Qualified(e.Target.Schema, e.Target.Name)+" "+a2+" WHERE "+link+" AND "+inner+")")
	}
	switch len(parts) {
	case 0:
		return "TRUE"
	case 1:
		return parts[0]
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// connective joins the conditions xs with op; no conditions at all are none (the value of an
// empty and/or: TRUE, FALSE).
func (c *planCompiler) connective(xs []*Cond, al string, t *gqlbase.Table, op, none string) string {
	if len(xs) == 0 {
		return none
	}
	sub := make([]string, len(xs))
	for i, x := range xs {
		sub[i] = c.cond(x, al, t)
	}
	return "(" + strings.Join(sub, op) + ")"
}
