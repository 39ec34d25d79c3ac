package sqlguard

import "strings"

// The allowlists of the raw SQL guard (sqlguard.go). Anything not named here is refused, so
// a built-in added by a later Postgres release stays out until someone decides it is harmless.

// allowedFunctions are the functions raw SQL may call, unqualified or qualified with pg_catalog.
// They compute on their arguments only: none reads the catalog, a setting, a file or another
// session, none runs SQL given as text, and none looks up an object by OID and prints its
// name. Functions the grammar itself calls for SQL syntax (EXTRACT, SUBSTRING ... FROM, TRIM,
// POSITION, OVERLAY, AT TIME ZONE, OVERLAPS, SIMILAR TO, COLLATION FOR, IS NORMALIZED) are here
// under the pg_catalog names the parser gives them (not SYSTEM_USER, which tells how
// gqlbase's own connection authenticated).
var allowedFunctions = setOf(
	// strings and bytes
	"ascii", "bit_count", "bit_length", "btrim", "char_length", "character_length", "chr",
	"concat", "concat_ws", "convert", "convert_from", "convert_to", "decode", "encode",
	"format", "get_bit", "get_byte", "initcap", "is_normalized", "left", "length", "lower",
	"lpad", "ltrim", "md5", "normalize", "octet_length", "overlay", "position", "quote_ident",
	"quote_literal", "quote_nullable", "regexp_count", "regexp_instr", "regexp_like",
	"regexp_match", "regexp_matches", "regexp_replace", "regexp_split_to_array",
	"regexp_split_to_table", "regexp_substr", "repeat", "replace", "reverse", "right", "rpad",
	"rtrim", "set_bit", "set_byte", "sha224", "sha256", "sha384", "sha512", "similar_to_escape",
	"split_part", "starts_with", "string_to_array", "string_to_table", "strpos", "substr",
	"substring", "to_ascii", "to_hex", "translate", "unistr", "upper",
	// numbers
	"abs", "acos", "acosd", "acosh", "asin", "asind", "asinh", "atan", "atan2", "atan2d", "atand",
	"atanh", "cbrt", "ceil", "ceiling", "cos", "cosd", "cosh", "cot", "cotd", "degrees", "div",
	"erf", "erfc", "exp", "factorial", "floor", "gcd", "lcm", "ln", "log", "log10", "min_scale",
	"mod", "pi", "power", "radians", "random", "random_normal", "round", "scale", "sign", "sin",
	"sind", "sinh", "sqrt", "tan", "tand", "tanh", "trim_scale", "trunc", "width_bucket",
	// dates and times
	"age", "clock_timestamp", "date_add", "date_bin", "date_part", "date_subtract", "date_trunc",
	"extract", "isfinite", "justify_days", "justify_hours", "justify_interval", "make_date",
	"make_interval", "make_time", "make_timestamp", "make_timestamptz", "now", "overlaps",
	"statement_timestamp", "timeofday", "timezone", "to_char", "to_date", "to_number",
	"to_timestamp", "transaction_timestamp",
	// JSON and JSONB
	"array_to_json", "json_agg", "json_agg_strict", "json_array_elements",
	"json_array_elements_text", "json_array_length", "json_build_array", "json_build_object",
	"json_each", "json_each_text", "json_extract_path", "json_extract_path_text", "json_object",
	"json_object_agg", "json_object_agg_strict", "json_object_agg_unique",
	"json_object_agg_unique_strict", "json_object_keys", "json_populate_record",
	"json_populate_recordset", "json_strip_nulls", "json_to_record", "json_to_recordset",
	"json_typeof", "jsonb_agg", "jsonb_agg_strict", "jsonb_array_elements",
	"jsonb_array_elements_text", "jsonb_array_length", "jsonb_build_array", "jsonb_build_object",
	"jsonb_each", "jsonb_each_text", "jsonb_extract_path", "jsonb_extract_path_text",
	"jsonb_insert", "jsonb_object", "jsonb_object_agg", "jsonb_object_agg_strict",
	"jsonb_object_agg_unique", "jsonb_object_agg_unique_strict", "jsonb_object_keys",
	"jsonb_path_exists", "jsonb_path_exists_tz", "jsonb_path_match", "jsonb_path_match_tz",
	"jsonb_path_query", "jsonb_path_query_array", "jsonb_path_query_array_tz",
	"jsonb_path_query_first", "jsonb_path_query_first_tz", "jsonb_path_query_tz",
	"jsonb_populate_record", "jsonb_populate_record_valid", "jsonb_populate_recordset",
	"jsonb_pretty", "jsonb_set", "jsonb_set_lax", "jsonb_strip_nulls", "jsonb_to_record",
	"jsonb_to_recordset", "jsonb_typeof", "row_to_json", "to_json", "to_jsonb",
	// aggregates
	"any_value", "array_agg", "avg", "bit_and", "bit_or", "bit_xor", "bool_and", "bool_or",
	"corr", "count", "covar_pop", "covar_samp", "every", "max", "min", "mode", "percentile_cont",
	"percentile_disc", "range_agg", "range_intersect_agg", "regr_avgx", "regr_avgy",
	"regr_count", "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy", "regr_syy",
	"stddev", "stddev_pop", "stddev_samp", "string_agg", "sum", "var_pop", "var_samp", "variance",
	// window functions
	"cume_dist", "dense_rank", "first_value", "lag", "last_value", "lead", "nth_value", "ntile",
	"percent_rank", "rank", "row_number",
	// conditionals (COALESCE, NULLIF, GREATEST and LEAST are syntax, not calls)
	"num_nonnulls", "num_nulls",
	// arrays
	"array_append", "array_cat", "array_dims", "array_fill", "array_length", "array_lower",
	"array_ndims", "array_position", "array_positions", "array_prepend", "array_remove",
	"array_replace", "array_sample", "array_shuffle", "array_to_string", "array_upper",
	"cardinality", "generate_subscripts", "trim_array", "unnest",
	// ranges
	"daterange", "int4range", "int8range", "numrange", "tsrange", "tstzrange", "datemultirange",
	"int4multirange", "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange",
	"isempty", "lower_inc", "lower_inf", "multirange", "range_merge", "upper_inc", "upper_inf",
	// full text search (not ts_stat and ts_rewrite, which run a query given as text)
	"array_to_tsvector", "numnode", "phraseto_tsquery", "plainto_tsquery", "querytree",
	"setweight", "strip", "to_tsquery", "to_tsvector", "ts_delete", "ts_filter", "ts_headline",
	"ts_rank", "ts_rank_cd", "tsvector_to_array", "websearch_to_tsquery",
	// series, identifiers, conversions written as calls
	"generate_series", "gen_random_uuid", "uuid_extract_timestamp", "uuid_extract_version",
	"bool", "date", "float4", "float8", "int2", "int4", "int8", "interval", "numeric", "text",
	"time", "timestamp", "timestamptz",
	// values of the request's own session: its schema, the collation of an expression, its
	// own backend's pid (harmless: it is the connection closed after the request)
	"current_schema", "pg_collation_for", "pg_backend_pid",
	// sequences: only with a string literal naming a sequence of the caller's schema
	// (sequenceFunctions, checked by the walk), and lastval, the session's own last value
	"nextval", "currval", "setval", "lastval",
)

// sequenceFunctions take a sequence as a regclass: the guard requires a string literal naming
// a sequence of the caller's schema, since an expression could name any relation by OID.
// nextval and setval change the sequence, so they make the statement a write.
var sequenceFunctions = map[string]bool{"nextval": true, "currval": false, "setval": true}

// catalogRelations are the pg_catalog relations raw SQL may read. A relation is harmless
// only if no other database can put a row in it: that rules out pg_class, pg_namespace,
// pg_attribute, pg_constraint, pg_index, pg_depend, pg_description, pg_sequence, the pg_stat_*
// and pg_statio_* views, pg_roles and pg_authid, pg_stat_activity and pg_locks, and also
// pg_type, because every table has a row type named after it in its own schema, so pg_type
// lists the tables of every database. The time zone views read the server's fixed time zone
// database.
var catalogRelations = setOf("pg_timezone_names", "pg_timezone_abbrevs")

// infoSchemaRefused are the information_schema views that show other databases' objects:
// Postgres filters information_schema by privilege, and every type (so the row type of
// every table of every database) has USAGE granted to PUBLIC, which udt_privileges lists.
var infoSchemaRefused = setOf("udt_privileges")

// regTypes are the OID alias types: their output function prints the name of whatever object
// an OID stands for, with no privilege check, so a value of one of them (a cast of a number,
// a column) would name other databases' tables, schemas and roles. Raw SQL may only cast a
// string literal to regclass (checked like a relation name) or to regconfig (text search
// configurations, which databases cannot create).
var regTypes = setOf("regclass", "regcollation", "regconfig", "regdictionary", "regnamespace",
	"regoper", "regoperator", "regproc", "regprocedure", "regrole", "regtype")

// catalogScalarTypes are the pg_-prefixed built-in types that are plain values; other
// pg_-prefixed type names are the row types of catalog relations, refused like the relations.
var catalogScalarTypes = setOf("pg_lsn", "pg_snapshot")

// indexMethods are the built-in index access methods.
var indexMethods = setOf("btree", "hash", "gist", "spgist", "gin", "brin")

// sampleMethods are the built-in TABLESAMPLE methods.
var sampleMethods = setOf("bernoulli", "system")

// projectionDenied are names refused even as column references: Postgres reads t.f as the
// call f(t) when t has no column f, so a column reference can be a function call. (Only
// functions of one composite argument can be called so, and none of these is one; the list
// is a second line behind the function allowlist, kept narrow so that ordinary column names
// pass.)
var projectionDenied = setOf(
	"set_config", "current_setting", "pg_notify", "ts_stat", "ts_rewrite", "query_to_xml",
	"query_to_xml_and_xmlschema", "query_to_xmlschema", "cursor_to_xml", "cursor_to_xmlschema",
	"table_to_xml", "table_to_xml_and_xmlschema", "table_to_xmlschema", "schema_to_xml",
	"schema_to_xml_and_xmlschema", "schema_to_xmlschema", "database_to_xml",
	"database_to_xml_and_xmlschema", "database_to_xmlschema", "lo_import", "lo_export",
	"lo_get", "lo_put", "lo_from_bytea", "lo_unlink", "lo_create", "lo_creat", "lo_open",
	"lo_close", "loread", "lowrite", "lo_truncate", "lo_truncate64", "lo_lseek", "lo_lseek64",
	"lo_tell", "lo_tell64", "pg_temp", "pg_stat_file", "pg_promote", "pg_settings",
)

var projectionDeniedPrefixes = []string{
	"pg_read_", "pg_ls_", "pg_file", "pg_terminate_", "pg_cancel_", "pg_reload_", "pg_rotate_",
	"pg_signal_", "pg_advisory", "pg_try_advisory", "pg_sleep", "pg_logical_", "pg_replication_",
	"pg_create_", "pg_drop_", "pg_copy_", "pg_switch_", "pg_backup_", "pg_import_", "pg_wal_",
	"pg_log_", "pg_stat_get_", "dblink",
}

func deniedProjection(name string) bool {
	name = strings.ToLower(name)
	if projectionDenied[name] {
		return true
	}
	for _, p := range projectionDeniedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
