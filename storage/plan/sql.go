package plan

import (
	"strconv"
	"strings"

	"github.com/gqlbase/gqlbase"
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

// TextOrder is the collation text sorts by unless a sort key asks for byte order: a copy of
// ICU's root locale (migration 0009), natural and case-insensitive at first level. Filters
// keep comparing under the columns' "C" collation, which their indexes serve.
const TextOrder = `public.gqlbase_text_order`

// SortExpr is expr as a sort key of a column of type t: text under TextOrder, or under "C"
// (byte order) when bytes is set; other types as they are. A keyset cursor must compare the
// same expression, or pages would skip or repeat rows.
func SortExpr(expr string, t gqlbase.ColumnType, bytes bool) string {
	if !t.IsText() {
		return expr
	}
	if bytes {
		// Explicit: a table raw SQL made may have columns of the database's collation.
		return expr + ` COLLATE "C"`
	}
	return expr + " COLLATE " + TextOrder
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
