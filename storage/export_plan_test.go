package storage

// InlineParams exposes inlineParams to the tests of package storage_test.
func InlineParams(query string, params []any) (string, error) { return inlineParams(query, params) }
