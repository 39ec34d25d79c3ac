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
	// Skipped are the input rows that were neither inserted nor updated, each with why: a key
	// that matches several rows (possible when the key column is not unique).
	Skipped []*UpsertSkip `json:"skipped"`
}

// UpsertSkip is an input row an upsert left alone.
type UpsertSkip struct {
	// Index is the row's position in the input (0-based).
	Index   int    `json:"index"`
	Message string `json:"message"`
}

type DeleteRowsResult struct {
	Count int     `json:"count"`
	Ids   []int64 `json:"ids"`
}
