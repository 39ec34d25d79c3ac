// The cost of typed operations: default and maximum limits of lists.

package typed

import (
	"github.com/gqlbase/gqlbase"
)

// Limits of the rows one list field returns: the root list <t>, array relationships
// <t>_by_<col> and the nodes of aggregates. Every list statement carries a LIMIT, so the rows
// a query can build are known before it runs.
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
