// The cost of typed operations: default and maximum limits of lists, and the complexity gqlgen
// checks before execution.

package dataapi

import (
	"context"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlbase/gqlbase"
)

// Limits of the rows one list field returns: the root list <t>, array relationships
// <t>_by_<col> and the nodes of aggregates. Every list statement carries a LIMIT, so the rows
// a query can build are known before it runs (see Complexity).
const (
	// DefaultLimit is the limit of a list whose limit argument is absent or null.
	DefaultLimit = 100
	// MaxLimit is the largest limit a list accepts; a larger one is refused (BAD_USER_INPUT)
	// rather than clamped, so a client never takes a cut page for the whole.
	MaxLimit = 1000
)

// limitArg reads the limit argument. A list without one gets DefaultLimit; an aggregate keeps
// none (its aggregates cover every matching row).
func limitArg(args map[string]any, list bool) (*int, error) {
	v, ok := args["limit"]
	if !ok || v == nil {
		if !list {
			return nil, nil
		}
		n := DefaultLimit
		return &n, nil
	}
	n, err := intArg(v, "limit")
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, gqlbase.BadInput("limit must not be negative").WithField("limit")
	}
	if n > MaxLimit {
		return nil, gqlbase.BadInput("limit must be at most %d (got %d); page with offset", MaxLimit, n).WithField("limit")
	}
	return &n, nil
}

// Complexity is the cost gqlgen's complexity limit checks before an operation runs (the
// platform's COMPLEXITY_LIMIT_EXCEEDED when over). A field costs one value plus its children's
// cost, as gqlgen counts by default, except that a list field's children count once per row it
// may return: its effective limit (DefaultLimit when none is given, MaxLimit at most). Thus
// the cost of a query is the number of values it can build, whatever the data, and nesting
// multiplies it as it multiplies rows. The typed API's limit (Limits.TypedComplexity in
// package rest, 100,000 values by default) leaves room for a page of 100 rows with two nested
// levels of 10 and refuses what only a flood of aliases or of nested lists could build.
func (e *Executable) Complexity(_ context.Context, typeName, field string, childComplexity int, args map[string]any) (int, bool) {
	return e.schema.complexity(typeName, field, childComplexity, args)
}

func (s *Schema) complexity(typeName, field string, child int, args map[string]any) (int, bool) {
	var values int
	switch typeName {
	case "Query", "Subscription":
		op := ast.Query
		if typeName == "Subscription" {
			op = ast.Subscription
		}
		rf := s.roots[op][field]
		if rf == nil {
			return 0, false // introspection and placeholders: gqlgen's default
		}
		switch rf.kind {
		case rootList:
			values = listCost(child, costLimit(args))
		case rootAggregate:
			values = aggregateCost(child, args)
		default:
			values = addCost(1, child)
		}
	case "Mutation":
		rf := s.roots[ast.Mutation][field]
		if rf == nil {
			return 0, false
		}
		values = addCost(1, child)
		if rf.kind == rootInsert {
			// returning holds one row per object.
			objects, _ := asList(args["objects"])
			values = addCost(1, mulCost(len(objects), child))
		}
	default:
		if ti := s.rowTypes[typeName]; ti != nil {
			if f := ti.fields[field]; f != nil {
				switch f.kind {
				case fieldArrayRel:
					return listCost(child, costLimit(args)), true
				case fieldAggregateRel:
					return aggregateCost(child, args), true
				}
			}
		}
		if s.aggregateTypes[typeName] && field == "nodes" {
			// The aggregate's limit, when it has one, is applied by aggregateCost.
			return listCost(child, DefaultLimit), true
		}
		return 0, false
	}
	return min(values, maxCost), true
}

// listCost is the cost of a list of at most limit rows whose selection costs child per row.
func listCost(child, limit int) int { return addCost(1, mulCost(limit, child)) }

// aggregateCost is the cost of an aggregate field. Its nodes were counted with DefaultLimit
// rows; an explicit larger limit scales the whole selection up (the aggregates themselves are
// a few values, so the excess is small and errs on the side of refusing).
func aggregateCost(child int, args map[string]any) int {
	if v, ok := args["limit"]; ok && v != nil {
		limit := costLimit(args)
		factor := max(1, (limit+DefaultLimit-1)/DefaultLimit)
		return addCost(1, mulCost(factor, child))
	}
	return addCost(1, child)
}

// costLimit is the number of rows a list's limit argument lets it return: DefaultLimit when
// absent, MaxLimit when larger or unreadable (execution refuses those with a clear error).
func costLimit(args map[string]any) int {
	v, ok := args["limit"]
	if !ok || v == nil {
		return DefaultLimit
	}
	n, err := intArg(v, "limit")
	switch {
	case err != nil || n > MaxLimit:
		return MaxLimit
	case n < 0:
		return 0
	}
	return n
}

// maxCost is where costs saturate: far above any limit, and safe to add to.
const maxCost = 1 << 40

func addCost(a, b int) int { return min(a+b, maxCost) }

func mulCost(a, b int) int {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > maxCost/b {
		return maxCost
	}
	return min(a*b, maxCost)
}
