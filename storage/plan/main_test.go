package plan_test

import (
	"testing"

	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// The filter tests run compiled filters against a real Postgres, from one cluster per binary.
func TestMain(m *testing.M) { pgtest.Main(m) }
