package dataapi

import (
	"fmt"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// addLinkRels gives the tables of many-to-many link columns their array relationships: the
// source table a field named after the link column, the target table one named after its
// reverse name, each with where, order_by, limit and offset, compiled into the root field's one
// statement (plan.NodeManyRel) and filterable (EXISTS through the junction). A name a column
// or an older relationship has is left out and reported in Reserved.
func addLinkRels(s *Schema, infos []*tableInfo) {
	for _, ti := range infos {
		forward, _ := ti.t.LinksOf()
		for _, l := range forward {
			target := s.tables[l.TargetTableID]
			if target == nil {
				continue
			}
			add := func(on, to *tableInfo, name string, reverse bool) {
				if gqlbase.TypedNamesReserved(name) || on.fields[name] != nil {
					s.Reserved = append(s.Reserved, on.name+"."+name)
					return
				}
				on.addRel(name, &relField{kind: fieldArrayRel, target: to, many: l,
					junction: plan.JunctionOf(ti.t.Schema, l, reverse)}, true)
			}
			add(ti, target, l.Name, false)
			add(target, ti, l.ReverseName, true)
		}
	}
}

// arrayRelDescription describes an array relationship field.
func arrayRelDescription(f *relField) string {
	if f.many != nil {
		return fmt.Sprintf("The %s rows linked to this row through link column %s.", f.target.name, f.many.Name)
	}
	return fmt.Sprintf("The %s rows whose column %s links to this row.", f.target.name, f.link.Name)
}
