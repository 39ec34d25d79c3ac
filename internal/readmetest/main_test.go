package readmetest_test

import (
	"testing"

	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
