package sqlguard_test

import (
	"flag"
	"os"
	"testing"

	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// TestMain starts the throwaway cluster the catalog tests (pg_test.go) need, except when
// fuzzing: the fuzz target needs no database, and every fuzz worker is a process of its own
// that runs TestMain again, so each would start a cluster.
func TestMain(m *testing.M) {
	flag.Parse()
	if flagSet("test.fuzz") || flagSet("test.fuzzworker") {
		os.Exit(m.Run())
	}
	pgtest.Main(m)
}

func flagSet(name string) bool {
	f := flag.Lookup(name)
	return f != nil && f.Value.String() != "" && f.Value.String() != "false"
}
