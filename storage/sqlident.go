package storage

import "strings"

// quoteIdent quotes an SQL identifier. Every identifier that comes from users (schema, table
// and column names) goes through it, even after validation.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// qualified is "schema"."table".
func qualified(schema, table string) string {
	return quoteIdent(schema) + "." + quoteIdent(table)
}

// args collects positional parameters while SQL is being built.
type args struct{ list []any }

// add appends a parameter and returns its placeholder ($n).
func (a *args) add(v any) string {
	a.list = append(a.list, v)
	return "$" + itoa(len(a.list))
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
