package airsequel

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

type sqlIn struct {
	Query string `json:"query" required:"true"`
}

type sqlOut struct {
	AffectedTables []string          `json:"affectedTables"`
	Rows           []json.RawMessage `json:"rows" doc:"the rows of the last statement that returns rows, as objects"`
	NumChanges     int64             `json:"numChanges"`
	RuntimeSeconds float64           `json:"runtimeSeconds"`
	Errors         []string          `json:"errors" doc:"the database's error when a statement failed (nothing was changed then)"`
}

func (a *api) sql(w http.ResponseWriter, r *http.Request) error {
	var in sqlIn
	if err := restkit.DecodeJSON(r, &in, restkit.DecodeOptions{MaxBytes: restkit.MaxBulkBody, Unknown: restkit.RejectUnknown}); err != nil {
		return err
	}
	if strings.TrimSpace(in.Query) == "" {
		return gqlbase.BadInput("query is required: the SQL to run").WithField("query")
	}
	db, err := a.database(r, gqlbase.ScopeRead)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := a.res.RunSQL(r.Context(), db.ID, in.Query)
	if err != nil {
		return err
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
	restkit.WriteRawJSON(w, http.StatusOK, append(b, "}\n"...))
	return nil
}
