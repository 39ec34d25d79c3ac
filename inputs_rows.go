package gqlbase

// Inputs and results of the row operations that are not rows themselves.

type AggregateInput struct {
	Fn AggregateFn `json:"fn"`
	// Omitted for COUNT: counts rows.
	Column *string `json:"column,omitempty"`
	// Key of the value in the result; default fn_column (e.g. sum_price, count).
	Alias *string `json:"alias,omitempty"`
}

type UpsertResult struct {
	Inserted []*Row `json:"inserted"`
	Updated  []*Row `json:"updated"`
}

type DeleteRowsResult struct {
	Count int     `json:"count"`
	Ids   []int64 `json:"ids"`
}
