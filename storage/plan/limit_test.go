package plan_test

import (
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// TestCompilePlanRefusesUnboundedLists: a plan whose list has no limit does not compile, so no
// statement builds rows without bound, and the nodes of an aggregate carry their own LIMIT
// while its aggregates still see every row.
func TestCompilePlanRefusesUnboundedLists(t *testing.T) {
	parents := &gqlbase.Table{ID: 1, Schema: "db_1", Name: "parents"}
	link := &gqlbase.Column{Name: "parent", Type: gqlbase.TypeLink, LinkTableID: &parents.ID}
	items := &gqlbase.Table{ID: 2, Schema: "db_1", Name: "items", Columns: []*gqlbase.Column{link}}
	id := gqlbase.SystemColumns[0]
	row := &plan.Node{Kind: plan.NodeObject, Keys: []string{"id"}, Children: []*plan.Node{{Kind: plan.NodeColumn, Column: id}}}
	ten := 10
	nested := func(limit *int) *plan.Node {
		return &plan.Node{Kind: plan.NodeObject, Keys: []string{"items"}, Children: []*plan.Node{{
			Kind: plan.NodeArrayRel, Link: link, Rows: &plan.RowSet{Table: items, Limit: limit}, Child: row}}}
	}
	aggregate := func(limit *int) *plan.Node {
		return &plan.Node{Kind: plan.NodeObject, Keys: []string{"count", "nodes"}, Children: []*plan.Node{
			{Kind: plan.NodeCount}, {Kind: plan.NodeRows, Child: row, Limit: limit}}}
	}
	refused := map[string]*plan.Plan{
		"a root list without a limit":     {Kind: plan.List, Rows: plan.RowSet{Table: parents}, Node: row},
		"a nested list without a limit":   {Kind: plan.List, Rows: plan.RowSet{Table: parents, Limit: &ten}, Node: nested(nil)},
		"aggregate nodes without a limit": {Kind: plan.Aggregate, Rows: plan.RowSet{Table: items}, Node: aggregate(nil)},
	}
	for name, p := range refused {
		if _, _, err := plan.Compile(p); err == nil || !strings.Contains(err.Error(), "no limit") {
			t.Errorf("%s: compiled (err %v)", name, err)
		}
	}
	bounded := map[string]*plan.Plan{
		"limited lists":          {Kind: plan.List, Rows: plan.RowSet{Table: parents, Limit: &ten}, Node: nested(&ten)},
		"rows by id":             {Kind: plan.Aggregate, Rows: plan.RowSet{Table: items, IDs: []int64{1, 2}}, Node: aggregate(nil)},
		"nodes with their limit": {Kind: plan.Aggregate, Rows: plan.RowSet{Table: items}, Node: aggregate(&ten)},
		"a limited aggregate":    {Kind: plan.Aggregate, Rows: plan.RowSet{Table: items, Limit: &ten}, Node: aggregate(nil)},
	}
	for name, p := range bounded {
		q, _, err := plan.Compile(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !strings.Contains(q, " LIMIT 10") && p.Rows.IDs == nil {
			t.Errorf("%s: no LIMIT in %s", name, q)
		}
	}
	// The aggregate's count runs over an unlimited row set; its nodes over a limited copy.
	q, _, _ := plan.Compile(bounded["nodes with their limit"])
	if strings.Count(q, " LIMIT ") != 1 || !strings.Contains(q, "count(*)") {
		t.Errorf("nodes with their limit: want one LIMIT (the nodes') and an unlimited count: %s", q)
	}
}
