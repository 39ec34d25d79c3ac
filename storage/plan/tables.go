package plan

import "github.com/gqlbase/gqlbase"

// Tables lists the ids of the tables a plan reads (for live queries).
func (p *Plan) Tables() []int64 {
	seen := map[int64]bool{}
	var out []int64
	add := func(t *gqlbase.Table) {
		if t != nil && !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t.ID)
		}
	}
	var walkCond func(w *Cond)
	walkCond = func(w *Cond) {
		if w == nil {
			return
		}
		for _, x := range w.And {
			walkCond(x)
		}
		for _, x := range w.Or {
			walkCond(x)
		}
		walkCond(w.Not)
		if w.Exists != nil {
			add(w.Exists.Target)
			walkCond(w.Exists.Where)
		}
	}
	var walk func(n *Node)
	walkRows := func(rs *RowSet) {
		if rs != nil {
			add(rs.Table)
			walkCond(rs.Where)
		}
	}
	walk = func(n *Node) {
		if n == nil {
			return
		}
		add(n.Target)
		walkRows(n.Rows)
		for _, ch := range n.Children {
			walk(ch)
		}
		walk(n.Child)
	}
	walkRows(&p.Rows)
	walk(p.Node)
	return out
}
