package gqlbase

import "context"

// RowConnection is a page of rows in the Relay connection shape.
type RowConnection struct {
	Edges    []*RowEdge
	Nodes    []*Row
	PageInfo *PageInfo
	// Count counts every row matching the list's filter; it runs only when a client asks for
	// totalCount.
	Count func(ctx context.Context) (int64, error)
}

// RowEdge is a row with its cursor.
type RowEdge struct {
	Cursor string
	Node   *Row
}

// PageInfo tells a client where a page sits in its list.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Page sizes of row lists.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// ListParams are the arguments of a row list, as every API spells them.
type ListParams struct {
	Where   *Filter
	OrderBy []*Sort
	First   *int
	After   *string
	Last    *int
	Before  *string
	Offset  *int
	Search  *string
	Columns []string
}
