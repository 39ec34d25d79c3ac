package gqlbase

// FilterOp is a comparison of a filter leaf.
type FilterOp string

const (
	OpEq         FilterOp = "eq"
	OpNeq        FilterOp = "neq"
	OpLt         FilterOp = "lt"
	OpLte        FilterOp = "lte"
	OpGt         FilterOp = "gt"
	OpGte        FilterOp = "gte"
	OpIn         FilterOp = "in"
	OpNin        FilterOp = "nin"
	OpLike       FilterOp = "like"
	OpIlike      FilterOp = "ilike"
	OpContains   FilterOp = "contains"
	OpStartsWith FilterOp = "starts_with"
	OpIsNull     FilterOp = "is_null"
)

// FilterOps lists every operator.
var FilterOps = []FilterOp{OpEq, OpNeq, OpLt, OpLte, OpGt, OpGte, OpIn, OpNin, OpLike, OpIlike, OpContains, OpStartsWith, OpIsNull, OpHas, OpHasNot, OpHasAny}

// Filter is the one filter AST every dialect translates into. A node is either a combination
// (And, Or, Not: all given ones must hold) or a leaf comparing Column with Value by Op.
type Filter struct {
	And    []*Filter `json:"and,omitempty"`
	Or     []*Filter `json:"or,omitempty"`
	Not    *Filter   `json:"not,omitempty"`
	Column *string   `json:"column,omitempty"`
	Op     *FilterOp `json:"op,omitempty"`
	Value  any       `json:"value,omitempty"`
}

// SortDirection orders a sort key.
type SortDirection string

const (
	SortAsc  SortDirection = "ASC"
	SortDesc SortDirection = "DESC"
)

// NullsOrder places nulls in a sort.
type NullsOrder string

const (
	NullsDefault NullsOrder = ""
	NullsFirst   NullsOrder = "FIRST"
	NullsLast    NullsOrder = "LAST"
)

// Sort is one key of an ordering.
type Sort struct {
	Column    string        `json:"column"`
	Direction SortDirection `json:"direction"`
	Nulls     NullsOrder    `json:"nulls,omitempty"`
	// Bytes orders text by its bytes (uppercase before lowercase, no locale) instead of the
	// natural order text sorts in by default (ICU's root locale).
	Bytes bool `json:"bytes,omitempty"`
}
