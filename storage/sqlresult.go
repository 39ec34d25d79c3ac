package storage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Reading the rows of a raw SQL statement: each row becomes a JSON object built from the
// scanned values, typed by the column's Postgres type.

// runStatement runs one statement; when it returns columns, they and its rows replace the
// result's.
func runStatement(ctx context.Context, tx *Tx, st SQLStatement, maxRows int, res *SQLResult) error {
	rows, err := tx.QueryContext(ctx, st.Text)
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
	for rows.Next() {
		if len(res.Rows) >= maxRows {
			res.Truncated = true
			continue
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		var b []byte
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
		res.Rows = append(res.Rows, b)
	}
	return rows.Err()
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
