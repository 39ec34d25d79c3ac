package storage

import (
	"strings"

	"github.com/gqlbase/gqlbase"
)

// The guard of the raw SQL endpoint. Raw SQL runs inside a transaction as the database's own
// NOLOGIN role (SET LOCAL ROLE), which owns only the database's schema. A role switched to
// with SET ROLE can be switched back (RESET ROLE, set_config('role', ...)), and functions in
// column defaults run as whoever later writes the table, so the statements are checked
// before they run:
//
//   - only data statements (SELECT, WITH, VALUES, TABLE, EXPLAIN, INSERT, UPDATE, DELETE,
//     MERGE, TRUNCATE) and the DDL of tables, indexes, views, materialized views and
//     sequences (CREATE, ALTER, DROP, COMMENT ON, REFRESH, ANALYZE) are accepted: no SET,
//     RESET, transaction control, DO, CALL, functions, triggers, roles, COPY, LISTEN,
//     PREPARE, cursors;
//   - no temporary objects (they would outlive the request on a pooled connection);
//   - no call of the built-in functions that change settings, run SQL given as text, read or
//     write server files, signal backends or take advisory locks (blockedFunctions);
//   - U& escapes are refused, so names cannot be spelled around the checks.
//
// Each statement is classified as a read, a write or a schema change; the caller needs the
// matching scope, and reads run in a READ ONLY transaction.

// SQLKind classifies a statement by the scope it needs.
type SQLKind int

const (
	SQLRead SQLKind = iota + 1
	SQLWrite
	SQLSchema
)

func (k SQLKind) String() string {
	switch k {
	case SQLRead:
		return "read"
	case SQLWrite:
		return "write"
	case SQLSchema:
		return "schema"
	}
	return "unknown"
}

// SQLStatement is one statement of a raw SQL request.
type SQLStatement struct {
	Text    string
	Kind    SQLKind
	Command string // "SELECT", "CREATE TABLE", ...
}

// Limits of the SQL endpoint.
const (
	MaxSQLBytes      = 1 << 20
	MaxSQLStatements = 200
)

// ParseSQL splits src into statements and checks each one (see the package comment above).
// Errors are BAD_USER_INPUT with a message naming the statement.
func ParseSQL(src string) ([]SQLStatement, error) {
	if len(src) > MaxSQLBytes {
		return nil, gqlbase.BadInput("the SQL text is longer than %d bytes", MaxSQLBytes).WithField("query")
	}
	toks, err := lexSQL(src)
	if err != nil {
		return nil, err
	}
	var out []SQLStatement
	start := 0
	flush := func(end int, endPos int) error {
		part := toks[start:end]
		if len(part) == 0 {
			return nil
		}
		text := strings.TrimSpace(src[part[0].pos:endPos])
		st, err := checkStatement(part, text)
		if err != nil {
			return err
		}
		out = append(out, st)
		if len(out) > MaxSQLStatements {
			return gqlbase.BadInput("more than %d statements in one request", MaxSQLStatements).WithField("query")
		}
		return nil
	}
	for i, t := range toks {
		if t.kind == tokSemicolon {
			if err := flush(i, t.pos); err != nil {
				return nil, err
			}
			start = i + 1
		}
	}
	if err := flush(len(toks), len(src)); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, gqlbase.BadInput("the SQL text holds no statement").WithField("query")
	}
	return out, nil
}

type tokKind int

const (
	tokWord   tokKind = iota + 1 // unquoted identifier or keyword (lowercased in text)
	tokQuoted                    // quoted identifier (text as written, unescaped)
	tokString                    // string literal (contents not kept)
	tokNumber                    // numeric literal or positional parameter
	tokSymbol                    // operator or punctuation
	tokSemicolon
)

type sqlToken struct {
	kind tokKind
	text string
	pos  int
}

func sqlInputError(format string, args ...any) error {
	return gqlbase.BadInput(format, args...).WithField("query")
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$'
}

// lexSQL tokenizes PostgreSQL SQL: comments (nested /* */), strings (”, E”, B”, X”, N”,
// dollar-quoted), quoted identifiers, words, numbers and symbols.
func lexSQL(src string) ([]sqlToken, error) {
	var toks []sqlToken
	i, n := 0, len(src)
	for i < n {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < n && src[i+1] == '-':
			for i < n && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < n && src[i+1] == '*':
			depth := 0
			for i < n {
				if i+1 < n && src[i] == '/' && src[i+1] == '*' {
					depth++
					i += 2
				} else if i+1 < n && src[i] == '*' && src[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
			if depth != 0 {
				return nil, sqlInputError("unterminated /* comment")
			}
		case c == ';':
			toks = append(toks, sqlToken{kind: tokSemicolon, pos: i})
			i++
		case c == '\'':
			end, err := skipString(src, i, false)
			if err != nil {
				return nil, err
			}
			toks = append(toks, sqlToken{kind: tokString, pos: i})
			i = end
		case c == '"':
			text, end, err := readQuotedIdent(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, sqlToken{kind: tokQuoted, text: text, pos: i})
			i = end
		case c == '$':
			j := i + 1
			if j < n && src[j] >= '0' && src[j] <= '9' {
				for j < n && src[j] >= '0' && src[j] <= '9' {
					j++
				}
				toks = append(toks, sqlToken{kind: tokNumber, text: src[i:j], pos: i})
				i = j
				continue
			}
			for j < n && isIdentChar(src[j]) && src[j] != '$' {
				j++
			}
			if j < n && src[j] == '$' {
				tag := src[i : j+1]
				end := strings.Index(src[j+1:], tag)
				if end < 0 {
					return nil, sqlInputError("unterminated dollar-quoted string %s", tag)
				}
				toks = append(toks, sqlToken{kind: tokString, pos: i})
				i = j + 1 + end + len(tag)
				continue
			}
			toks = append(toks, sqlToken{kind: tokSymbol, text: "$", pos: i})
			i++
		case isIdentStart(c):
			j := i
			for j < n && isIdentChar(src[j]) {
				j++
			}
			word := strings.ToLower(src[i:j])
			// Prefixed strings: E'..' (backslash escapes), B'..', X'..', N'..'; U& is refused.
			if j < n && src[j] == '\'' && (word == "e" || word == "b" || word == "x" || word == "n") {
				end, err := skipString(src, j, word == "e")
				if err != nil {
					return nil, err
				}
				toks = append(toks, sqlToken{kind: tokString, pos: i})
				i = end
				continue
			}
			if word == "u" && j < n && src[j] == '&' {
				return nil, sqlInputError("U& escapes are not accepted: write names and strings plainly")
			}
			toks = append(toks, sqlToken{kind: tokWord, text: word, pos: i})
			i = j
		case c >= '0' && c <= '9' || (c == '.' && i+1 < n && src[i+1] >= '0' && src[i+1] <= '9'):
			j := i
			for j < n && (isIdentChar(src[j]) || src[j] == '.') {
				j++
			}
			toks = append(toks, sqlToken{kind: tokNumber, text: src[i:j], pos: i})
			i = j
		default:
			toks = append(toks, sqlToken{kind: tokSymbol, text: string(c), pos: i})
			i++
		}
	}
	return toks, nil
}

// skipString returns the index after the string literal starting at the quote at i.
func skipString(src string, i int, backslash bool) (int, error) {
	j := i + 1
	for j < len(src) {
		switch src[j] {
		case '\\':
			if backslash {
				j += 2
				continue
			}
		case '\'':
			if j+1 < len(src) && src[j+1] == '\'' {
				j += 2
				continue
			}
			return j + 1, nil
		}
		j++
	}
	return 0, sqlInputError("unterminated string literal")
}

func readQuotedIdent(src string, i int) (string, int, error) {
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		if src[j] == '"' {
			if j+1 < len(src) && src[j+1] == '"' {
				b.WriteByte('"')
				j += 2
				continue
			}
			return b.String(), j + 1, nil
		}
		b.WriteByte(src[j])
		j++
	}
	return "", 0, sqlInputError("unterminated quoted identifier")
}

// blockedFunctions are built-in functions raw SQL may not name: they change settings (and so
// the role), run SQL given as text, touch server files or large objects, signal backends, take
// advisory locks or notify listeners.
var blockedFunctions = map[string]bool{
	"set_config": true, "pg_notify": true, "ts_stat": true, "ts_rewrite": true,
	"query_to_xml": true, "query_to_xml_and_xmlschema": true, "query_to_xmlschema": true,
	"cursor_to_xml": true, "cursor_to_xmlschema": true,
	"table_to_xml": true, "table_to_xml_and_xmlschema": true, "table_to_xmlschema": true,
	"schema_to_xml": true, "schema_to_xml_and_xmlschema": true, "schema_to_xmlschema": true,
	"database_to_xml": true, "database_to_xml_and_xmlschema": true, "database_to_xmlschema": true,
	"lo_import": true, "lo_export": true, "lo_get": true, "lo_put": true, "lo_from_bytea": true,
	"lo_unlink": true, "lo_create": true, "lo_creat": true, "lo_open": true, "lo_close": true,
	"loread": true, "lowrite": true, "lo_truncate": true, "lo_truncate64": true, "lo_lseek": true,
	"lo_lseek64": true, "lo_tell": true, "lo_tell64": true,
	"pg_temp": true, "pg_stat_file": true, "pg_promote": true, "pg_start_backup": true, "pg_stop_backup": true,
	// An UPDATE of pg_settings calls set_config for the session: it would change settings
	// (search_path, statement_timeout) beyond the request.
	"pg_settings": true,
}

var blockedPrefixes = []string{
	"pg_read_", "pg_ls_", "pg_file", "pg_terminate_", "pg_cancel_", "pg_reload_", "pg_rotate_",
	"pg_signal_", "pg_advisory", "pg_try_advisory", "pg_sleep", "pg_logical_", "pg_replication_",
	"pg_create_", "pg_drop_", "pg_copy_", "pg_switch_", "pg_backup_", "pg_import_", "pg_wal_",
	"pg_log_", "dblink",
}

func blockedName(name string) bool {
	name = strings.ToLower(name)
	if blockedFunctions[name] {
		return true
	}
	for _, p := range blockedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// ddlObjects are the objects CREATE, ALTER and DROP may name.
var ddlObjects = map[string]bool{"table": true, "index": true, "view": true, "sequence": true, "materialized": true}

func checkStatement(toks []sqlToken, text string) (SQLStatement, error) {
	st := SQLStatement{Text: text}
	short := text
	if len(short) > 60 {
		short = short[:60] + "…"
	}
	for _, t := range toks {
		if (t.kind == tokWord || t.kind == tokQuoted) && blockedName(t.text) {
			return st, sqlInputError("%q is not available through the SQL endpoint (in %q)", t.text, short)
		}
	}
	if toks[0].kind != tokWord {
		return st, sqlInputError("a statement must start with a command word (in %q)", short)
	}
	words := make([]string, 0, len(toks))
	for _, t := range toks {
		if t.kind == tokWord {
			words = append(words, t.text)
		} else {
			words = append(words, "")
		}
	}
	word := func(i int) string {
		if i < len(words) {
			return words[i]
		}
		return ""
	}
	has := func(ws ...string) bool {
		for _, w := range words {
			for _, x := range ws {
				if w == x {
					return true
				}
			}
		}
		return false
	}
	first := words[0]
	st.Command = strings.ToUpper(first)
	refuse := func(why string) (SQLStatement, error) {
		return st, sqlInputError("%s statements are not available through the SQL endpoint: %s (in %q)", st.Command, why, short)
	}
	switch first {
	case "select", "with", "values", "table", "explain":
		st.Kind = SQLRead
		if has("insert", "update", "delete", "merge", "truncate") {
			st.Kind = SQLWrite
		}
		for i, w := range words {
			if w == "into" && first != "explain" && !has("insert", "merge") {
				next := word(i + 1)
				if next == "temp" || next == "temporary" {
					return refuse("temporary tables would outlive the request")
				}
				st.Kind = SQLSchema // SELECT ... INTO creates a table
			}
		}
		if first == "explain" && has("create") {
			st.Kind = SQLSchema
		}
	case "insert", "update", "delete", "merge", "truncate":
		st.Kind = SQLWrite
	case "refresh", "analyze", "analyse":
		st.Kind = SQLWrite
	case "comment":
		st.Kind = SQLSchema
	case "create", "alter", "drop":
		st.Kind = SQLSchema
		i := 1
		if first == "create" && word(1) == "or" && word(2) == "replace" {
			i = 3
		}
		for word(i) == "unique" || word(i) == "unlogged" || word(i) == "recursive" || word(i) == "temp" ||
			word(i) == "temporary" || word(i) == "global" || word(i) == "local" {
			switch word(i) {
			case "temp", "temporary", "global", "local":
				return refuse("temporary objects would outlive the request")
			}
			i++
		}
		obj := word(i)
		if !ddlObjects[obj] || (obj == "materialized" && word(i+1) != "view") {
			return refuse("only tables, indexes, views, materialized views and sequences can be created, altered or dropped")
		}
		st.Command += " " + strings.ToUpper(obj)
		if obj == "materialized" {
			st.Command += " VIEW"
		}
	case "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release":
		return refuse("the whole request already runs in one transaction")
	case "set", "reset", "show", "discard":
		return refuse("session settings are fixed")
	default:
		return refuse("only data statements and the DDL of tables, indexes, views and sequences are accepted")
	}
	return st, nil
}
