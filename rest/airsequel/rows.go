package airsequel

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// bindRows adds the routes that read a table's rows: search and CSV export (rows are written
// through /sql and the typed GraphQL API).
func (a *api) bindRows(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "GET", Path: "/api/dbs/{dbId}/tables/{tableId}/export", Summary: "Export table as CSV",
			Op: restkit.Handle(a.exportTable), ResponseType: "text/csv",
			Description: "Streams every row of the table as CSV (attachment <table>.csv): a header of id, the user columns, created_at and updated_at, " +
				"then one line per row in id order, read 1,000 rows at a time."},
		restkit.Route{Method: "GET", Path: "/api/dbs/{dbId}/tables/{tableId}/search/{searchTerm}", Summary: "Search table",
			Op: restkit.Handle(a.searchTable),
			Description: "Returns the table (as Get table does) with the rows whose text columns contain searchTerm (full text, or a case-insensitive substring), " +
				"a page of limit rows (default 100, at most 1,000) after offset."},
	)
}

type searchIn struct {
	tablePath
	Term   string `json:"-" path:"searchTerm" doc:"the text to look for"`
	Limit  *int   `json:"-" query:"limit" doc:"rows to return (default 100, at most 1000)"`
	Offset *int   `json:"-" query:"offset" doc:"rows to skip"`
}

type searchOut struct {
	tableOut
	Rows []map[string]any `json:"rows" doc:"the matching rows, as column name to value"`
}

// rowObject is a row as Airsequel shows it: id, then the columns, then the timestamps.
func rowObject(row *gqlbase.Row) (map[string]any, error) {
	values, err := row.Values()
	if err != nil {
		return nil, err
	}
	values[gqlbase.ColID] = row.ID
	values[gqlbase.ColCreatedAt] = row.CreatedAt.UTC().Format(time.RFC3339Nano)
	values[gqlbase.ColUpdatedAt] = row.UpdatedAt.UTC().Format(time.RFC3339Nano)
	return values, nil
}

func (a *api) searchTable(ctx context.Context, r *restkit.Request, in searchIn) (searchOut, error) {
	t, err := a.table(ctx, in.tablePath, gqlbase.ScopeRead)
	if err != nil {
		return searchOut{}, err
	}
	limit, err := queryInt("limit", in.Limit, gqlbase.DefaultPageSize, 0, gqlbase.MaxPageSize)
	if err != nil {
		return searchOut{}, err
	}
	offset, err := queryInt("offset", in.Offset, 0, 0, 1_000_000)
	if err != nil {
		return searchOut{}, err
	}
	term := in.Term
	conn, err := a.res.ListRows(r.Context(), t, gqlbase.ListParams{Search: &term, First: &limit, Offset: &offset})
	if err != nil {
		return searchOut{}, err
	}
	out := searchOut{Rows: []map[string]any{}}
	if out.tableOut, err = a.encodeTable(ctx, t); err != nil {
		return searchOut{}, err
	}
	for _, row := range conn.Nodes {
		obj, err := rowObject(row)
		if err != nil {
			return searchOut{}, err
		}
		out.Rows = append(out.Rows, obj)
	}
	return out, nil
}

// queryInt is an integer query parameter that Handle decoded: def when absent, BAD_USER_INPUT
// when it is outside [min, max].
func queryInt(name string, v *int, def, min, max int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < min || *v > max {
		return 0, gqlbase.BadInput("query parameter %s must be an integer from %d to %d", name, min, max).WithField(name)
	}
	return *v, nil
}

// exportPage is how many rows each read of an export fetches.
const exportPage = 1000

// exportTable streams the table as CSV, a page of rows at a time: once the answer has started,
// an error can only cut it short (and is logged).
func (a *api) exportTable(ctx context.Context, r *restkit.Request, in tablePath) (restkit.Written, error) {
	t, err := a.table(ctx, in, gqlbase.ScopeRead)
	if err != nil {
		return restkit.Written{}, err
	}
	w := r.Writer()
	header := []string{gqlbase.ColID}
	for _, c := range t.Columns {
		header = append(header, c.Name)
	}
	header = append(header, gqlbase.ColCreatedAt, gqlbase.ColUpdatedAt)
	size := exportPage
	var after *string
	started := false
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	for {
		conn, err := a.res.ListRows(ctx, t, gqlbase.ListParams{First: &size, After: after})
		if err != nil {
			if started {
				a.logger.ErrorContext(ctx, "CSV export cut short", "table", t.ID, "error", err)
				return restkit.Written{}, nil
			}
			return restkit.Written{}, err
		}
		if !started {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, t.Name))
			w.WriteHeader(http.StatusOK)
			started = true
			_ = cw.Write(header)
		}
		for _, row := range conn.Nodes {
			values, err := row.Values()
			if err != nil {
				return restkit.Written{}, nil
			}
			rec := make([]string, 0, len(header))
			rec = append(rec, strconv.FormatInt(row.ID, 10))
			for _, c := range t.Columns {
				rec = append(rec, csvValue(values[c.Name]))
			}
			rec = append(rec, row.CreatedAt.UTC().Format(time.RFC3339Nano), row.UpdatedAt.UTC().Format(time.RFC3339Nano))
			_ = cw.Write(rec)
		}
		cw.Flush()
		if _, err := w.Write(buf.Bytes()); err != nil {
			return restkit.Written{}, nil
		}
		buf.Reset()
		if !conn.PageInfo.HasNextPage || conn.PageInfo.EndCursor == nil {
			return restkit.Written{}, nil
		}
		after = conn.PageInfo.EndCursor
	}
}

func csvValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
