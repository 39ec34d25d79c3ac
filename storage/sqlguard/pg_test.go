package sqlguard_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/pgtest"
	"github.com/gqlbase/gqlbase/storage/sqlguard"
)

// These tests hold the guard against a real server: its catalog, and what the store runs
// of what the guard accepts.

// TestRawSQLCannotReadOtherDatabasesNames runs raw SQL through the real store: a database's
// role is refused the catalog, and everything the guard lets it read (every view of
// information_schema, the allowed catalog views) shows nothing of another database.
func TestRawSQLCannotReadOtherDatabasesNames(t *testing.T) {
	st, mine := pgtest.NewTenant(t)
	ctx := context.Background()
	ws2, err := st.CreateWorkspace(ctx, "victim", nil)
	if err != nil {
		t.Fatal(err)
	}
	victim, err := st.CreateDatabase(ctx, ws2.ID, "victim", "test")
	if err != nil {
		t.Fatal(err)
	}
	res := pgtest.RunSQL(t, st, victim, `CREATE TABLE payment_cards (card_number TEXT UNIQUE, holder TEXT CHECK (holder <> ''));
		INSERT INTO payment_cards VALUES ('4111111111111111', 'Vic');
		CREATE SEQUENCE victim_counter; CREATE VIEW victim_holders AS SELECT holder FROM payment_cards;
		CREATE INDEX victim_holder_idx ON payment_cards (holder); COMMENT ON TABLE payment_cards IS 'victim_comment'`, false)
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	res = pgtest.RunSQL(t, st, mine, `CREATE TABLE notes (body TEXT)`, false)
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	victimRole, err := st.SQLRole(ctx, victim)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"payment_cards", "card_number", "victim_counter", "victim_holders", "victim_holder_idx",
		"victim_comment", "4111111111111111", victim.Schema, victimRole}

	for _, q := range []string{
		`SELECT relname FROM pg_class`,
		`SELECT nspname FROM pg_catalog.pg_namespace`,
		`SELECT attname FROM pg_attribute`,
		`SELECT relname, n_live_tup FROM pg_stat_user_tables`,
		`SELECT rolname FROM pg_roles`,
		`SELECT query FROM pg_stat_activity`,
		`SELECT typname FROM pg_type`,
		`SELECT * FROM ` + victim.Schema + `.payment_cards`,
		`SELECT '` + victim.Schema + `.payment_cards'::regclass`,
		`SELECT (oid + 0)::regclass FROM (VALUES (16384::oid)) v(oid)`,
		`SELECT nextval('` + victim.Schema + `.victim_counter')`,
	} {
		if _, err := sqlguard.Check(q, mine.Schema); gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
			t.Errorf("%q: %v, want BAD_USER_INPUT", q, err)
		}
	}

	role, err := st.SQLRole(ctx, mine)
	if err != nil {
		t.Fatal(err)
	}
	var views []string
	if err := st.DB().SelectContext(ctx, &views, `SELECT c.relname FROM pg_class c
		WHERE c.relnamespace = 'information_schema'::regnamespace AND c.relkind IN ('r', 'v')
		  AND c.relname NOT LIKE '\_pg\_%' AND has_table_privilege($1, c.oid, 'SELECT') ORDER BY 1`, role); err != nil {
		t.Fatal(err)
	}
	if len(views) < 50 {
		t.Fatalf("information_schema has %d views the role may read", len(views))
	}
	// Every row readable that mentions a name of the other database, view by view (the guard
	// lets the filter through: it is ordinary SQL over what raw SQL may read).
	match := ` x WHERE row_to_json(x)::text ~ ` + pq.QuoteLiteral(strings.Join(secrets, "|"))
	queries := []string{`SELECT row_to_json(x)::text FROM pg_timezone_names` + match,
		`SELECT row_to_json(x)::text FROM pg_catalog.pg_timezone_abbrevs` + match}
	for _, v := range views {
		q := `SELECT * FROM information_schema.` + v
		_, err := sqlguard.Check(q, mine.Schema)
		if v == "udt_privileges" {
			// It lists the row type of every table, since types are PUBLIC: refused.
			if gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
				t.Errorf("%q: %v, want BAD_USER_INPUT", q, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", q, err)
		}
		queries = append(queries, `SELECT row_to_json(x)::text FROM information_schema.`+v+match)
	}
	for _, q := range queries {
		res := pgtest.RunSQL(t, st, mine, q, true)
		if len(res.Errors) > 0 || len(res.Rows) > 0 {
			t.Errorf("%.80s: shows names of another database: %v %s", q, res.Errors, res.Rows)
		}
	}
	// The filter finds what is there: the database's own table.
	if res := pgtest.RunSQL(t, st, mine, `SELECT row_to_json(x)::text FROM information_schema.tables x WHERE row_to_json(x)::text ~ 'notes'`, true); len(res.Rows) != 1 {
		t.Errorf("own table by the filter: %v %s", res.Errors, res.Rows)
	}
	// The database's own table is there.
	res = pgtest.RunSQL(t, st, mine, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'notes'`, true)
	if b, _ := json.Marshal(res.Rows); !strings.Contains(string(b), `{"column_name":"body"}`) {
		t.Errorf("information_schema.columns does not show the database's own table: %v %s", res.Errors, res.Rows)
	}
}

// TestRawSQLRefusesEveryCatalogRelation checks the guard against the server's catalog: every
// relation of pg_catalog starts with pg_ (which is why refusing unqualified pg_ names covers
// the implicit pg_catalog on the search_path), and each one not allowed is refused however
// it is named.
func TestRawSQLRefusesEveryCatalogRelation(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	var rels []string
	if err := st.DB().Select(&rels, `SELECT relname FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if len(rels) < 100 {
		t.Fatalf("pg_catalog has %d relations", len(rels))
	}
	allowed := sqlguard.AllowedCatalogRelations()
	for _, rel := range rels {
		if !strings.HasPrefix(rel, "pg_") {
			t.Errorf("pg_catalog relation %q does not start with pg_: unqualified, it would resolve to the catalog", rel)
		}
		if slices.Contains(allowed, rel) {
			continue
		}
		for _, q := range []string{
			`SELECT * FROM ` + pq.QuoteIdentifier(rel),
			`SELECT * FROM pg_catalog.` + pq.QuoteIdentifier(rel),
			`SELECT ` + pq.QuoteLiteral(rel) + `::regclass`,
			`SELECT NULL::` + pq.QuoteIdentifier(rel),
		} {
			if _, err := sqlguard.Check(q, db.Schema); gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
				t.Errorf("%q: %v, want BAD_USER_INPUT", q, err)
			}
		}
	}
}

// TestRawSQLFunctionsPrintNoObjectNames checks the function allowlist against the server's
// catalog: no allowed function returns an OID alias type (whose output names any object),
// and the only ones taking one are the text search functions (regconfig, configurations no
// database can create) and the sequence functions (regclass, which the guard requires as a
// literal naming a sequence of the caller's schema).
func TestRawSQLFunctionsPrintNoObjectNames(t *testing.T) {
	st, _ := pgtest.NewTenant(t)
	var bad []string
	err := st.DB().Select(&bad, `SELECT DISTINCT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
		FROM pg_proc p
		WHERE p.proname = ANY($1) AND p.pronamespace = 'pg_catalog'::regnamespace AND (
		  p.prorettype::regtype::text LIKE 'reg%' OR
		  EXISTS (SELECT 1 FROM unnest(p.proargtypes::oid[]) a
		          WHERE a::regtype::text LIKE 'reg%' AND NOT (a = 'regconfig'::regtype AND p.proname LIKE '%ts%')
		            AND NOT (a = 'regclass'::regtype AND p.proname IN ('nextval', 'currval', 'setval'))))
		ORDER BY 1`, pq.Array(sqlguard.AllowedFunctions()))
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("allowed functions that take or return an OID alias type: %v", bad)
	}
}
