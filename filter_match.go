package gqlbase

import (
	"strings"
)

// Match reports whether a row satisfies the filter, with the semantics documented in
// filter_bind.go (the same as the SQL storage/plan compiles). row maps column names to values as
// decoded from the row's JSON (Postgres to_jsonb: numbers as json.Number or float64, dates
// "2026-01-02", date-times "2026-01-02T03:04:05.123456+00:00", arrays as []any, JSON columns
// as decoded values) or to the canonical Go values of CoerceValue. A missing column, or a value
// that cannot be read as the column's type, counts as null. A nil BoundFilter matches every row.
func (b *BoundFilter) Match(row map[string]any) bool {
	if b == nil || b.root == nil {
		return true
	}
	return b.root.match(row)
}

func (n *BoundNode) match(row map[string]any) bool {
	switch n.Kind {
	case BoundAnd:
		for _, c := range n.Children {
			if !c.match(row) {
				return false
			}
		}
		return true
	case BoundOr:
		for _, c := range n.Children {
			if c.match(row) {
				return true
			}
		}
		return false
	case BoundNot:
		return !n.Children[0].match(row)
	}
	return n.matchLeaf(row)
}

func (n *BoundNode) matchLeaf(row map[string]any) bool {
	if n.Link != nil {
		// A row's values hold no links: in memory (subscription filters) a link condition
		// is taken to hold, so no event of a row it might match is lost.
		return true
	}
	kind := kindOf(n.Column.Type)
	v := normalizeValue(kind, row[n.Column.Name])
	if v == nil {
		switch n.Op {
		case OpIsNull:
			return n.Value.(bool)
		case OpNeq, OpNin:
			return true
		}
		return false
	}
	switch n.Op {
	case OpIsNull:
		return !n.Value.(bool)
	case OpEq:
		return equalValues(kind, v, n.norm)
	case OpNeq:
		return !equalValues(kind, v, n.norm)
	case OpLt:
		return compareValues(kind, v, n.norm) < 0
	case OpLte:
		return compareValues(kind, v, n.norm) <= 0
	case OpGt:
		return compareValues(kind, v, n.norm) > 0
	case OpGte:
		return compareValues(kind, v, n.norm) >= 0
	case OpIn, OpNin:
		found := false
		for _, item := range n.normList {
			if equalValues(kind, v, item) {
				found = true
				break
			}
		}
		return found == (n.Op == OpIn)
	case OpLike:
		return likeMatch(n.like, v.(string))
	case OpIlike:
		return likeMatch(n.like, asciiLower(v.(string)))
	case OpStartsWith:
		return strings.HasPrefix(v.(string), n.Value.(string))
	case OpContains:
		switch kind {
		case kText:
			return strings.Contains(asciiLower(v.(string)), n.folded)
		case kJSON:
			return jsonContains(v, n.norm)
		case kStrArray, kIntArray:
			have := v.([]any)
			for _, want := range n.norm.([]any) {
				found := false
				for _, h := range have {
					if h != nil && h == want {
						found = true
						break
					}
				}
				if !found {
					return false
				}
			}
			return true
		}
	}
	return false
}
