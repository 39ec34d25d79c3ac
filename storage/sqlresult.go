package storage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/sqlguard"
)

// Reading the rows of a raw SQL statement. Each row becomes a JSON object built here from the
// scanned values, and the rows kept are capped twice: by count (the extra rows are read and
// dropped, and the result says it was truncated) and by bytes. A result over the byte cap is
// an error, and the statement is cancelled as soon as the cap is passed: the rows kept plus
// one row are all that is ever held, whatever the query would have produced.

// DefaultSQLMaxBytes caps the JSON of the rows a raw SQL request returns when SQLOptions sets
// no cap.
const DefaultSQLMaxBytes = 16 << 20

// resultLimits are the caps of one statement's rows.
type resultLimits struct {
	maxRows  int
	maxBytes int
}

// resultTooLarge is the error of a result over the byte cap.
func resultTooLarge(maxBytes int) error {
	return gqlbase.Errorf(gqlbase.CodePayloadTooLarge,
		"the result of the SQL is larger than %s, the most a request may return: select fewer rows or columns (add a LIMIT); nothing was changed",
		formatBytes(maxBytes))
}

func formatBytes(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + " KiB"
	}
	return strconv.Itoa(n) + " bytes"
}

// runStatement runs one statement; when it returns columns, they and its rows replace the
// result's.
func runStatement(ctx context.Context, tx *Tx, st sqlguard.Statement, lim resultLimits, res *gqlbase.SQLResult) error {
	// The statement's own context: cancelling it stops Postgres from producing more rows once
	// the result is too large (closing the rows would otherwise read all of them first).
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := tx.QueryContext(qctx, st.Text)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	if len(cols) == 0 {
		for rows.Next() {
		}
		return rows.Err()
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	// The rows of an earlier statement are replaced: they no longer count against the cap.
	res.Columns, res.Rows, res.Truncated = cols, []json.RawMessage{}, false
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i], _ = json.Marshal(c)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	size := 0
	for rows.Next() {
		if len(res.Rows) >= lim.maxRows {
			res.Truncated = true
			continue
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		// The scanned values alone already tell a row that cannot fit: stop before encoding it.
		if size+rawSize(vals) > lim.maxBytes {
			cancel()
			res.Rows = nil
			return resultTooLarge(lim.maxBytes)
		}
		b := make([]byte, 0, 2+rawSize(vals)+8*len(cols))
		b = append(b, '{')
		for i := range cols {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, keys[i]...)
			b = append(b, ':')
			b = appendSQLValue(b, types[i].DatabaseTypeName(), vals[i])
		}
		b = append(b, '}')
		if size += len(b); size > lim.maxBytes {
			cancel()
			res.Rows = nil
			return resultTooLarge(lim.maxBytes)
		}
		res.Rows = append(res.Rows, b)
	}
	return rows.Err()
}

// rawSize is the size of a row's text and binary values as scanned.
func rawSize(vals []any) int {
	n := 0
	for _, v := range vals {
		switch x := v.(type) {
		case []byte:
			n += len(x)
		case string:
			n += len(x)
		}
	}
	return n
}

// appendSQLValue encodes a scanned value as JSON by its Postgres type: numbers as numbers,
// json as JSON, bytea as base64, times in RFC 3339, everything else as its text.
func appendSQLValue(b []byte, typ string, v any) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	switch x := v.(type) {
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		if x != x || x > 1.7976931348623157e308 || x < -1.7976931348623157e308 {
			return appendJSONString(b, strconv.FormatFloat(x, 'g', -1, 64))
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(b, x)
	case time.Time:
		if typ == "DATE" {
			return appendJSONString(b, x.Format("2006-01-02"))
		}
		return appendJSONString(b, x.Format(time.RFC3339Nano))
	case []byte:
		switch typ {
		case "JSON", "JSONB":
			if json.Valid(x) {
				return append(b, x...)
			}
		case "NUMERIC":
			if _, err := strconv.ParseFloat(string(x), 64); err == nil && !strings.ContainsAny(string(x), "NnIi") {
				return append(b, x...)
			}
		case "BYTEA":
			return appendJSONString(b, base64.StdEncoding.EncodeToString(x))
		}
		return appendJSONString(b, string(x))
	case string:
		return appendJSONString(b, x)
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return appendJSONString(b, fmt.Sprint(v))
	}
	return append(b, enc...)
}

func appendJSONString(b []byte, s string) []byte {
	enc, _ := json.Marshal(s)
	return append(b, enc...)
}
