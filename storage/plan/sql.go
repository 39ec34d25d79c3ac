package plan

import (
	"strconv"
	"strings"
)

// QuoteIdent quotes an SQL identifier. Every identifier that comes from users (schema, table
// and column names) goes through it, even after validation.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// Qualified is "schema"."table".
func Qualified(schema, table string) string {
	return QuoteIdent(schema) + "." + QuoteIdent(table)
}

// QuoteLiteral quotes a string as an SQL literal (standard_conforming_strings is on).
func QuoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Args collects positional parameters while SQL is being built.
type Args struct{ List []any }

// Add appends a parameter and returns its placeholder ($n).
func (a *Args) Add(v any) string {
	a.List = append(a.List, v)
	return "$" + strconv.Itoa(len(a.List))
}

// OrderTerm is one ORDER BY key: expr with its direction and its placement of nulls.
func OrderTerm(expr string, desc, nullsFirst bool) string {
	dir, nulls := "ASC", "NULLS LAST"
	if desc {
		dir = "DESC"
	}
	if nullsFirst {
		nulls = "NULLS FIRST"
	}
	return expr + " " + dir + " " + nulls
}
