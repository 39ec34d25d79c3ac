package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/gqlbase/gqlbase/resolvers"
	"github.com/gqlbase/gqlbase/storage"
)

// sqlConfig bounds raw SQL (POST /dbs/{db}/sql): its pool, its turns per workspace, the
// deadline of a request and the size of a result.
type sqlConfig struct {
	maxConns       int
	perWorkspace   int
	deadline       time.Duration
	maxResultBytes int
}

func addSQLFlags(fs *flag.FlagSet, c *sqlConfig) error {
	maxConns, err := positiveIntFromEnv("GQLBASE_SQL_MAX_CONNS", storage.DefaultRawSQLMaxConns)
	if err != nil {
		return err
	}
	perWorkspace, err := positiveIntFromEnv("GQLBASE_SQL_PER_WORKSPACE", resolvers.DefaultSQLPerWorkspace)
	if err != nil {
		return err
	}
	maxResultBytes, err := positiveIntFromEnv("GQLBASE_SQL_MAX_RESULT_BYTES", storage.DefaultSQLMaxBytes)
	if err != nil {
		return err
	}
	deadline := resolvers.DefaultSQLDeadline
	if v := os.Getenv("GQLBASE_SQL_DEADLINE"); v != "" {
		if deadline, err = time.ParseDuration(v); err != nil || deadline <= 0 {
			return fmt.Errorf("GQLBASE_SQL_DEADLINE=%q: want a positive duration such as 30s", v)
		}
	}
	fs.IntVar(&c.maxConns, "sql-max-conns", maxConns, "Postgres connections raw SQL may use at once, all workspaces together; the platform's own pool is apart (env GQLBASE_SQL_MAX_CONNS)")
	fs.IntVar(&c.perWorkspace, "sql-per-workspace", perWorkspace, "raw SQL requests one workspace may run at once; one more waits 2s for a turn, then gets RATE_LIMITED (env GQLBASE_SQL_PER_WORKSPACE)")
	fs.DurationVar(&c.deadline, "sql-deadline", deadline, "the longest one raw SQL request may take, all its statements together; past it, it is cancelled and rolled back (env GQLBASE_SQL_DEADLINE)")
	fs.IntVar(&c.maxResultBytes, "sql-max-result-bytes", maxResultBytes, "the most bytes of JSON the rows of a raw SQL result may take; a larger result fails with PAYLOAD_TOO_LARGE (env GQLBASE_SQL_MAX_RESULT_BYTES)")
	return nil
}

func (c sqlConfig) check() error {
	if c.maxConns <= 0 || c.perWorkspace <= 0 || c.maxResultBytes <= 0 || c.deadline <= 0 {
		return fmt.Errorf("--sql-max-conns, --sql-per-workspace, --sql-max-result-bytes and --sql-deadline must be positive")
	}
	return nil
}

func (c sqlConfig) limits() resolvers.SQLLimits {
	return resolvers.SQLLimits{PerWorkspace: c.perWorkspace, Deadline: c.deadline, MaxResultBytes: c.maxResultBytes}
}

func positiveIntFromEnv(key string, def int) (int, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive whole number", key, v)
	}
	return n, nil
}
