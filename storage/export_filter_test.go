package storage

import "github.com/gqlbase/gqlbase"

// CompileFilter exposes compileFilter to the tests of package storage_test: the SQL
// expression over columns qualified by alias, and its parameters.
func CompileFilter(b *gqlbase.BoundFilter, alias string) (string, []any) {
	var a args
	expr := compileFilter(b, alias, &a)
	return expr, a.list
}
