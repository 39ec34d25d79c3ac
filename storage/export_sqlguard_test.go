package storage

import "sort"

// SQLAllowedFunctions exposes the function allowlist of the raw SQL guard to the tests of
// package storage_test.
func SQLAllowedFunctions() []string { return sortedKeys(sqlFunctions) }

// SQLAllowedCatalogRelations exposes the pg_catalog relations raw SQL may read.
func SQLAllowedCatalogRelations() []string { return sortedKeys(sqlCatalogRelations) }

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
