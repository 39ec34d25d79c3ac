package plan_test

import (
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/pgtest"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// The filter tests run compiled filters against a real Postgres, from one cluster per binary.
func TestMain(m *testing.M) { pgtest.Main(m) }

// compileFilter compiles a bound filter as storage's row reads do: the SQL expression over
// columns qualified by alias, and its parameters.
func compileFilter(b *gqlbase.BoundFilter, alias string) (string, []any) {
	var a plan.Args
	expr := plan.Filter(b, alias, &a)
	return expr, a.List
}
