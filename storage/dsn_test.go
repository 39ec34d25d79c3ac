package storage

import (
	"strings"
	"testing"
)

func TestConnectionParametersAreAdded(t *testing.T) {
	for _, dsn := range []string{
		"host=/tmp port=5432 user=postgres dbname=x sslmode=disable",
		"postgres://u@localhost/db?sslmode=disable",
	} {
		got := connectionDSN(dsn, 0)
		for _, want := range []string{"timezone=UTC", "binary_parameters=yes"} {
			if !strings.Contains(got, want) {
				t.Errorf("%q became %q, missing %s", dsn, got, want)
			}
		}
	}
	// A DSN that sets them keeps its own.
	if got := connectionDSN("dbname=x timezone=Europe/Paris binary_parameters=no", 0); strings.Contains(got, "UTC") || strings.Contains(got, "=yes") {
		t.Errorf("explicit parameters were overridden: %q", got)
	}
}
