// Running compiled plans, and the tables a plan reads (see plan.go).

package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gqlbase/gqlbase"
)

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

// RunPlan runs a plan and returns its JSON result (null for PlanOne without a row). The
// statement stays prepared: a query asked again costs no parse and no planning.
func (s *Store) RunPlan(ctx context.Context, p *Plan) (json.RawMessage, error) {
	query, params, err := CompilePlan(p)
	if err != nil {
		return nil, err
	}
	return s.RunCompiledPlan(ctx, p.Rows.Table.DatabaseID, query, params)
}

// RunCompiledPlan runs the statement CompilePlan made of a plan over the tables of a database
// (callers may cache it), as that database's role.
func (s *Store) RunCompiledPlan(ctx context.Context, databaseID int64, query string, params []any) (json.RawMessage, error) {
	ctx, err := s.tenant(ctx, databaseID)
	if err != nil {
		return nil, err
	}
	rows, err := s.queryPrepared(ctx, query, params...)
	if err != nil {
		return nil, planRunError(err)
	}
	defer rows.Close()
	var out []byte
	if rows.Next() {
		if err := rows.Scan(&out); err != nil {
			return nil, planRunError(err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, planRunError(err)
	}
	if out == nil {
		return json.RawMessage("null"), nil
	}
	return json.RawMessage(out), nil
}

func runPlan(ctx context.Context, q queryer, p *Plan) (json.RawMessage, error) {
	query, params, err := CompilePlan(p)
	if err != nil {
		return nil, err
	}
	var out []byte
	if err := q.QueryRowxContext(ctx, query, params...).Scan(&out); err != nil {
		return nil, planRunError(err)
	}
	if out == nil {
		return json.RawMessage("null"), nil
	}
	return json.RawMessage(out), nil
}

// planRunError turns the errors a well-formed plan can still meet into caller-facing ones.
func planRunError(err error) error {
	switch pgCode(err) {
	case sqlstateNumericOutOfRange: // a sum beyond its type
		return gqlbase.BadInput("a value is out of range: %s", pgMessage(err))
	case sqlstateQueryCanceled: // statement timeout
		return gqlbase.Errorf(gqlbase.CodeBadUserInput, "the query took too long and was cancelled")
	}
	return fmt.Errorf("run plan: %w", err)
}
