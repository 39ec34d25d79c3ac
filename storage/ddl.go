package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// Constraint and index names derive from the column id, so they stay valid (and short) across
// table and column renames.
func uniqueName(c *gqlbase.Column) string { return fmt.Sprintf("uq_%d", c.ID) }
func fkName(c *gqlbase.Column) string     { return fmt.Sprintf("fk_%d", c.ID) }
func checkName(c *gqlbase.Column) string  { return fmt.Sprintf("ck_%d", c.ID) }
func indexName(c *gqlbase.Column) string  { return fmt.Sprintf("ix_%d", c.ID) }

// systemColumnsDDL are the built-in columns of every user table.
const systemColumnsDDL = `id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	created_by text,
	version integer NOT NULL DEFAULT 1`

// columnTypeDDL is the type of a column in DDL. Text columns use the "C" collation: filters
// compare text in byte order (the same in SQL and in memory, whatever the server's default),
// and an index can serve them only when the column's collation is the one compared with.
func columnTypeDDL(t gqlbase.ColumnType) string {
	if t.IsText() {
		return t.PGType() + ` COLLATE "C"`
	}
	return t.PGType()
}

// columnDefinition is `"name" type [NOT NULL] [DEFAULT ...]`.
func columnDefinition(c *gqlbase.Column) (string, error) {
	def := plan.QuoteIdent(c.Name) + " " + columnTypeDDL(c.Type)
	if !c.Nullable {
		def += " NOT NULL"
	}
	if c.Default != nil {
		lit, err := sqlLiteral(c, c.Default)
		if err != nil {
			return "", err
		}
		def += " DEFAULT " + lit
	}
	return def, nil
}

// columnConstraints are the table constraints a column needs: unique, foreign key, range.
func columnConstraints(c *gqlbase.Column, linkTarget *gqlbase.Table) []string {
	var out []string
	if c.Unique {
		out = append(out, fmt.Sprintf("CONSTRAINT %s UNIQUE (%s)", plan.QuoteIdent(uniqueName(c)), plan.QuoteIdent(c.Name)))
	}
	if c.Type == gqlbase.TypeLink && linkTarget != nil {
		out = append(out, fmt.Sprintf("CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (id) ON DELETE SET NULL",
			plan.QuoteIdent(fkName(c)), plan.QuoteIdent(c.Name), plan.Qualified(linkTarget.Schema, linkTarget.Name)))
	}
	if check := columnCheck(c); check != "" {
		out = append(out, checkConstraint(c))
	}
	return out
}

// checkConstraint is the CHECK constraint of a column's values (columnCheck), named
// ck_<column id>; "" when its type has none.
func checkConstraint(c *gqlbase.Column) string {
	check := columnCheck(c)
	if check == "" {
		return ""
	}
	return fmt.Sprintf("CONSTRAINT %s CHECK (%s)", plan.QuoteIdent(checkName(c)), check)
}

// columnCheck is the condition the database itself enforces on a column's values, so that
// every writer (raw SQL too) is held to the column's metadata: the options of a select, the
// range of a rating, the shape of an email, URL or phone number. It is never stricter than
// the API's own validation (gqlbase.CoerceValue), which runs first and words the API's
// errors; the formats are a loose outline of what CoerceValue accepts.
func columnCheck(c *gqlbase.Column) string {
	col := plan.QuoteIdent(c.Name)
	switch c.Type {
	case gqlbase.TypeRating:
		return fmt.Sprintf("%s BETWEEN 0 AND %d", col, maxRating(c))
	case gqlbase.TypeSelect:
		return fmt.Sprintf("%s = ANY (%s)", col, optionsArray(c))
	case gqlbase.TypeMultiSelect:
		return fmt.Sprintf("%s <@ %s", col, optionsArray(c))
	case gqlbase.TypeEmail:
		return fmt.Sprintf("%s = '' OR strpos(%s, '@') > 1", col, col)
	case gqlbase.TypeURL:
		return fmt.Sprintf("%s = '' OR (%s ~ '^[A-Za-z][A-Za-z0-9+.-]*:' AND %s !~ '[[:space:][:cntrl:]]')", col, col, col)
	case gqlbase.TypePhone:
		return fmt.Sprintf("%s = '' OR (%s ~ '^[0-9 +().xX-]{3,32}$' AND %s ~ '[0-9].*[0-9].*[0-9]')", col, col, col)
	}
	return ""
}

// optionsArray is the text[] literal of a select column's option values.
func optionsArray(c *gqlbase.Column) string {
	vals := make([]string, len(c.Options))
	for i, o := range c.Options {
		vals[i] = plan.QuoteLiteral(o.Value)
	}
	return "ARRAY[" + strings.Join(vals, ", ") + `]::text[]`
}

// columnIndex returns the CREATE INDEX statement for an indexed (or LINK) column, or "".
func columnIndex(t *gqlbase.Table, c *gqlbase.Column) string {
	if !c.Indexed && c.Type != gqlbase.TypeLink {
		return ""
	}
	using := ""
	if c.Type.IsArray() || c.Type == gqlbase.TypeJSON {
		using = " USING gin"
	}
	return fmt.Sprintf("CREATE INDEX %s ON %s%s (%s)", plan.QuoteIdent(indexName(c)), plan.Qualified(t.Schema, t.Name), using, plan.QuoteIdent(c.Name))
}

func maxRating(c *gqlbase.Column) int {
	if c.MaxRating <= 0 {
		return 5
	}
	return c.MaxRating
}

// createTableSQL is the CREATE TABLE statement of a table; links maps LINK columns' target
// table ids to their tables (a self-link maps to t itself).
func createTableSQL(t *gqlbase.Table, links map[int64]*gqlbase.Table) (string, []string, error) {
	parts := []string{systemColumnsDDL}
	var constraints, indexes []string
	for _, c := range t.Columns {
		def, err := columnDefinition(c)
		if err != nil {
			return "", nil, err
		}
		parts = append(parts, def)
		constraints = append(constraints, columnConstraints(c, linkTargetOf(c, links))...)
		if ix := columnIndex(t, c); ix != "" {
			indexes = append(indexes, ix)
		}
	}
	parts = append(parts, constraints...)
	return fmt.Sprintf("CREATE TABLE %s (\n\t%s\n)", plan.Qualified(t.Schema, t.Name), strings.Join(parts, ",\n\t")), indexes, nil
}

func linkTargetOf(c *gqlbase.Column, links map[int64]*gqlbase.Table) *gqlbase.Table {
	if c.Type != gqlbase.TypeLink || c.LinkTableID == nil {
		return nil
	}
	return links[*c.LinkTableID]
}

// sqlLiteral renders a canonical column value (as CoerceValue returns it) as an SQL literal,
// for DDL defaults, where parameters cannot be used.
func sqlLiteral(c *gqlbase.Column, v any) (string, error) {
	typ := c.Type.PGType()
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case string:
		if strings.ContainsRune(x, 0) {
			return "", gqlbase.BadInput("default of column %q holds a NUL character", c.Name)
		}
		return plan.QuoteLiteral(x) + "::" + typ, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int64:
		return strconv.FormatInt(x, 10) + "::" + typ, nil
	case int:
		return strconv.Itoa(x) + "::" + typ, nil
	case float64:
		return plan.QuoteLiteral(strconv.FormatFloat(x, 'g', -1, 64)) + "::" + typ, nil
	case json.Number:
		return plan.QuoteLiteral(x.String()) + "::" + typ, nil
	case time.Time:
		return plan.QuoteLiteral(x.UTC().Format(time.RFC3339Nano)) + "::" + typ, nil
	case []string:
		items := make([]string, len(x))
		for i, s := range x {
			items[i] = plan.QuoteLiteral(s)
		}
		return "ARRAY[" + strings.Join(items, ", ") + "]::text[]", nil
	case []int64:
		items := make([]string, len(x))
		for i, n := range x {
			items[i] = strconv.FormatInt(n, 10)
		}
		return "ARRAY[" + strings.Join(items, ", ") + "]::bigint[]", nil
	}
	if c.Type == gqlbase.TypeJSON {
		b, err := json.Marshal(v)
		if err != nil {
			return "", gqlbase.BadInput("default of column %q is not JSON-encodable", c.Name)
		}
		return plan.QuoteLiteral(string(b)) + "::jsonb", nil
	}
	return "", fmt.Errorf("no SQL literal for %T in column %q", v, c.Name)
}

// TableDDL returns the statements that create a table as it is now (CREATE TABLE and its
// indexes), as text for people and for schema exports.
func (s *Store) TableDDL(ctx context.Context, t *gqlbase.Table) (string, error) {
	links := map[int64]*gqlbase.Table{t.ID: t}
	var ids []int64
	for _, c := range t.Columns {
		if c.Type == gqlbase.TypeLink && c.LinkTableID != nil && links[*c.LinkTableID] == nil {
			ids = append(ids, *c.LinkTableID)
		}
	}
	if len(ids) > 0 {
		m, err := s.LoadTables(ctx, ids)
		if err != nil {
			return "", err
		}
		for id, lt := range m {
			links[id] = lt
		}
	}
	create, indexes, err := createTableSQL(t, links)
	if err != nil {
		return "", err
	}
	return strings.Join(append([]string{create}, indexes...), ";\n") + ";\n", nil
}
