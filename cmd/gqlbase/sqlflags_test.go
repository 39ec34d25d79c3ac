package main

import (
	"io"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/resolvers"
)

func TestSQLFlags(t *testing.T) {
	c, err := parseServeFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.sql.maxConns != 4 || c.sql.perWorkspace != 2 || c.sql.deadline != 30*time.Second || c.sql.maxResultBytes != 16<<20 {
		t.Errorf("defaults: %+v", c.sql)
	}
	t.Setenv("GQLBASE_SQL_MAX_CONNS", "8")
	t.Setenv("GQLBASE_SQL_DEADLINE", "1m")
	c, err = parseServeFlags([]string{"--sql-per-workspace", "3", "--sql-max-result-bytes", "1048576"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := resolvers.SQLLimits{PerWorkspace: 3, Deadline: time.Minute, MaxResultBytes: 1 << 20}
	if c.sql.maxConns != 8 || c.sql.limits() != want {
		t.Errorf("from flags and env: %+v", c.sql)
	}
	for _, args := range [][]string{{"--sql-per-workspace", "0"}, {"--sql-deadline", "-1s"}, {"--sql-max-conns", "x"}} {
		if _, err := parseServeFlags(args, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	t.Setenv("GQLBASE_SQL_MAX_RESULT_BYTES", "lots")
	if _, err := parseServeFlags(nil, io.Discard); err == nil {
		t.Error("GQLBASE_SQL_MAX_RESULT_BYTES=lots accepted")
	}
}
