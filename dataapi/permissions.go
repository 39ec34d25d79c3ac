package dataapi

import (
	"context"
	"encoding/json"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// A fine-grained token's row permissions (gqlbase.TokenPermissions) are per table, while a
// typed schema is per database: so each operation checks every table its plan reads (root,
// relationships, EXISTS conditions, sorts through links) and the table each mutation writes.
// Principals without permissions pay nothing: the check stops at once.

// restricted reports whether the principal of ctx has per-table permissions to check.
func restricted(ctx context.Context) bool { return gqlbase.PrincipalFrom(ctx).Permissions != nil }

// requirePlanRead checks the read permission on every table a plan reads.
func requirePlanRead(ctx context.Context, p *plan.Plan) error {
	if !restricted(ctx) {
		return nil
	}
	seen := map[int64]bool{}
	var tables []*gqlbase.Table
	add := func(t *gqlbase.Table) {
		if t != nil && !seen[t.ID] {
			seen[t.ID] = true
			tables = append(tables, t)
		}
	}
	var rowSet func(rs *plan.RowSet)
	var cond func(c *plan.Cond)
	var node func(n *plan.Node)
	cond = func(c *plan.Cond) {
		if c == nil {
			return
		}
		for _, x := range c.And {
			cond(x)
		}
		for _, x := range c.Or {
			cond(x)
		}
		cond(c.Not)
		if c.Exists != nil {
			add(c.Exists.Target)
			cond(c.Exists.Where)
		}
	}
	rowSet = func(rs *plan.RowSet) {
		if rs == nil {
			return
		}
		add(rs.Table)
		cond(rs.Where)
		for _, k := range rs.Order {
			for _, h := range k.Via {
				add(h.Target)
			}
		}
	}
	node = func(n *plan.Node) {
		if n == nil {
			return
		}
		add(n.Target)
		rowSet(n.Rows)
		node(n.Child)
		for _, c := range n.Children {
			node(c)
		}
	}
	rowSet(&p.Rows)
	node(p.Node)
	return requireTables(ctx, tables, gqlbase.OpRead)
}

// requireCondRead checks the read permission on the tables a mutation's where reaches.
func requireCondRead(ctx context.Context, t *gqlbase.Table, c *plan.Cond) error {
	if !restricted(ctx) {
		return nil
	}
	return requirePlanRead(ctx, &plan.Plan{Rows: plan.RowSet{Table: t, Where: c}})
}

func requireTables(ctx context.Context, tables []*gqlbase.Table, op gqlbase.RowOp) error {
	p := gqlbase.PrincipalFrom(ctx)
	for _, t := range tables {
		if err := p.RequireRows(t, op); err != nil {
			return err
		}
	}
	return nil
}

// requireWrite checks a mutation's operation on its table.
func requireWrite(ctx context.Context, t *gqlbase.Table, op gqlbase.RowOp) error {
	if !restricted(ctx) {
		return nil
	}
	return gqlbase.PrincipalFrom(ctx).RequireRows(t, op)
}

// runPlan runs a mutation's response plan once the principal may read what it reads.
func runPlan(ctx context.Context, w *storage.WriteTx, p *plan.Plan) (json.RawMessage, error) {
	if err := requirePlanRead(ctx, p); err != nil {
		return nil, err
	}
	return w.RunPlan(ctx, p)
}

// requireRootWrite checks what a mutation root field does to its table: insert creates (and
// updates too with on_conflict), update updates, delete deletes.
func requireRootWrite(ctx context.Context, rf *rootField, args map[string]any) error {
	if !restricted(ctx) {
		return nil
	}
	t := rf.table.t
	switch rf.kind {
	case rootInsert, rootInsertOne:
		if err := requireWrite(ctx, t, gqlbase.OpCreate); err != nil {
			return err
		}
		if args["on_conflict"] != nil {
			return requireWrite(ctx, t, gqlbase.OpUpdate)
		}
	case rootUpdate, rootUpdateByPK:
		return requireWrite(ctx, t, gqlbase.OpUpdate)
	case rootDelete, rootDeleteByPK:
		return requireWrite(ctx, t, gqlbase.OpDelete)
	}
	return nil
}
