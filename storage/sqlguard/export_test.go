package sqlguard

import (
	"maps"
	"slices"
)

// AllowedFunctions exposes the function allowlist to the tests of package sqlguard_test.
func AllowedFunctions() []string { return slices.Sorted(maps.Keys(allowedFunctions)) }

// AllowedCatalogRelations exposes the pg_catalog relations raw SQL may read.
func AllowedCatalogRelations() []string { return slices.Sorted(maps.Keys(catalogRelations)) }
