package gqlbase

import (
	"regexp"
	"strings"
	"unicode"
)

// identPattern is the shape of table and column identifiers: a valid GraphQL name that fits a
// Postgres identifier (63 bytes).
var identPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// CheckIdentifier validates a table or column identifier; what names the kind ("table",
// "column") in messages.
func CheckIdentifier(name, what string) error {
	field := "name"
	switch {
	case name == "":
		return BadInput("%s name must not be empty", what).WithField(field)
	case len(name) > 63:
		return BadInput("%s name %q is %d bytes long; the limit is 63", what, shorten(name, 70), len(name)).WithField(field)
	case !isASCII(name):
		return BadInput("%s name %q has non-ASCII characters: use letters, digits and underscores (put other text in the label)", what, name).WithField(field)
	case !identPattern.MatchString(name):
		return BadInput("%s name %q must start with a letter or underscore and hold only letters, digits and underscores", what, name).WithField(field)
	case strings.HasPrefix(name, "__"):
		return BadInput("%s name %q must not start with two underscores (reserved by GraphQL)", what, name).WithField(field)
	}
	return nil
}

// CheckTableName validates a table identifier: CheckIdentifier, not an SQL reserved word and
// not a name the typed GraphQL API needs for itself.
func CheckTableName(name string) error {
	if err := CheckIdentifier(name, "table"); err != nil {
		return err
	}
	if sqlReserved[strings.ToLower(name)] {
		return BadInput("table name %q is an SQL reserved word", name).WithField("name")
	}
	if graphqlReserved[name] {
		return BadInput("table name %q is reserved by the GraphQL API", name).WithField("name")
	}
	return nil
}

// CheckTypedTableName refuses a table name whose typed GraphQL API names (<name>_row,
// <name>_bool_exp, ...) would start with two underscores, which GraphQL reserves for
// introspection: graphql-js and the clients built on it reject a schema with such a type.
// Raw SQL may still create such a table; the typed API leaves it out.
func CheckTypedTableName(name string) error {
	if TypedNamesReserved(name) {
		return BadInput("table name %q would give the GraphQL types %s_row, %s_bool_exp, ..., and names starting with two underscores are reserved by GraphQL",
			name, name, name).WithField("name")
	}
	return nil
}

// TypedNamesReserved reports whether the typed API's names derived from a table or column
// name by appending "_" and a suffix start with two underscores: for "_" (names that
// already start with two are refused by CheckIdentifier, and by GraphQL itself).
func TypedNamesReserved(name string) bool { return strings.HasPrefix(name+"_", "__") }

// CheckColumnName validates a column identifier: CheckIdentifier and not a system column.
// SQL keywords are allowed: identifiers are always quoted.
func CheckColumnName(name string) error {
	if err := CheckIdentifier(name, "column"); err != nil {
		return err
	}
	for _, c := range SystemColumns {
		if strings.EqualFold(c.Name, name) {
			return BadInput("column name %q is reserved for the system column %s", name, c.Name).WithField("name")
		}
	}
	return nil
}

// DeriveIdentifier turns a display label ("First name", "Prénom") into an identifier
// ("First_name", "Pr_nom").
func DeriveIdentifier(label string) string {
	var b strings.Builder
	lastUnderscore := false
	for _, r := range strings.TrimSpace(label) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			lastUnderscore = false
		} else if !lastUnderscore {
			b.WriteByte('_')
			lastUnderscore = true
		}
	}
	id := strings.Trim(b.String(), "_")
	if id == "" {
		id = "field"
	}
	if id[0] >= '0' && id[0] <= '9' {
		id = "_" + id
	}
	if len(id) > 63 {
		id = id[:63]
	}
	return id
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// graphqlReserved are type names the typed API's schema defines itself.
var graphqlReserved = map[string]bool{
	"Query": true, "Mutation": true, "Subscription": true, "String": true, "Int": true, "Float": true,
	"Boolean": true, "ID": true, "JSON": true, "Date": true, "DateTime": true, "Decimal": true, "BigInt": true,
}

// sqlReserved are PostgreSQL's reserved key words (those that cannot be table names unquoted).
var sqlReserved = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric authorization binary both
		case cast check collate collation column concurrently constraint create cross current_catalog
		current_date current_role current_schema current_time current_timestamp current_user default
		deferrable desc distinct do else end except false fetch for foreign freeze from full grant group
		having ilike in initially inner intersect into is isnull join lateral leading left like limit
		localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing
		primary references returning right select session_user similar some symmetric system_user table
		tablesample then to trailing true union unique user using variadic verbose when where window with`) {
		sqlReserved[w] = true
	}
}
