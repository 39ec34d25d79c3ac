package airsequel

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// bindSQL adds the SQL endpoint. Its body may hold a bulk of statements (restkit.MaxBulkBody).
func (a *api) bindSQL(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "POST", Path: "/dbs/{dbId}/sql", Summary: "Run SQL", Op: restkit.Handle(a.sql), MaxBody: restkit.MaxBulkBody,
			Description: "Runs SQL in one transaction as the database's own role. Reads need the read scope, data changes write, DDL schema. " +
				"Errors of the SQL come back in errors with HTTP 200, and nothing is changed then. " +
				"A workspace runs only a few SQL requests at once: one more waits briefly for its turn, then gets 429 RATE_LIMITED. " +
				"A request that runs past its deadline is cancelled (400 BAD_USER_INPUT), and one whose rows are over the byte cap gets " +
				"413 PAYLOAD_TOO_LARGE; nothing is changed then either."},
	)
}

type sqlIn struct {
	dbPath
	Query string `json:"query" required:"true" doc:"the SQL to run"`
}

type sqlOut struct {
	AffectedTables []string          `json:"affectedTables"`
	Rows           []json.RawMessage `json:"rows" doc:"the rows of the last statement that returns rows, as objects"`
	NumChanges     int64             `json:"numChanges"`
	RuntimeSeconds float64           `json:"runtimeSeconds"`
	Errors         []string          `json:"errors" doc:"the database's error when a statement failed (nothing was changed then)"`
}

// sql runs the query. Its answer is spliced from the rows Postgres encoded (restkit.Raw), as
// the rows can be many megabytes.
func (a *api) sql(ctx context.Context, r *restkit.Request, in sqlIn) (restkit.Raw[sqlOut], error) {
	db, err := a.database(ctx, in.dbPath, gqlbase.ScopeRead)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res, err := a.res.RunSQL(r.Context(), db.ID, in.Query)
	if err != nil {
		return nil, err
	}
	elapsed := time.Since(start).Seconds()
	// The answer is the rows plus a little: sized once, it is never copied while it grows.
	size := 256 + len(res.AffectedTables)*64
	for _, row := range res.Rows {
		size += len(row) + 1
	}
	b := make([]byte, 0, size)
	b = append(b, `{"affectedTables":`...)
	tables, _ := json.Marshal(res.AffectedTables)
	b = append(b, tables...)
	b = append(b, `,"rows":[`...)
	for i, row := range res.Rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, row...)
	}
	b = append(b, `],"numChanges":`...)
	b = strconv.AppendInt(b, res.NumChanges, 10)
	b = append(b, `,"runtimeSeconds":`...)
	b = strconv.AppendFloat(b, elapsed, 'f', 6, 64)
	errs := append([]string{}, res.Errors...)
	if res.Truncated {
		errs = append(errs, "the result has more rows than the "+strconv.Itoa(len(res.Rows))+" returned: add a LIMIT")
	}
	b = append(b, `,"errors":`...)
	e, _ := json.Marshal(errs)
	b = append(b, e...)
	return restkit.Raw[sqlOut](append(b, "}\n"...)), nil
}
