package storage

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// Every user table carries what the database itself enforces for writers other than the API
// (raw SQL above all), so that their changes get the same guarantees as the API's:
//
//   - its columns' CHECK constraints (columnCheck), created, changed and dropped with the
//     column by the API's DDL;
//   - a BEFORE UPDATE row trigger that bumps version and updated_at when the statement left
//     the version alone (the API's own updates set both themselves, and its sessions are
//     skipped);
//   - AFTER INSERT, UPDATE and DELETE statement triggers with transition tables, which write
//     the rows' history, trash (deletes) and outbox events and NOTIFY, one set-based
//     statement per statement, built from the same writeTail as the API's own statements.
//
// The API's statements write their history and events themselves, in the statement (one
// round trip, no transition tables to read back): the main pool's sessions start with
// gqlbase.writer = 'api' (apiSessionDSN), and the statement triggers skip their sessions.
// The raw SQL pool's sessions do not have it, and raw SQL may not set a setting
// (sqlguard refuses SET and set_config), so it cannot pass as the API.
//
// The statement trigger's function runs as gqlbase (SECURITY DEFINER: the tenant's role may
// not read the metadata), and takes the ids it writes into history and events from the
// metadata of the table that fired it (TG_TABLE_SCHEMA, TG_TABLE_NAME), never from trigger
// arguments or anything else a tenant sets: a tenant can make it record changes of its own
// tables only. No role but gqlbase's may execute it (a trigger's function is checked when the
// trigger is created, which gqlbase does). The actor is the raw SQL request's principal
// (gqlbase.actor, set by runSQLIn).
//
// Existing tables get the triggers and missing CHECK constraints at start (ensureWriteRules);
// a table raw SQL creates or changes gets them when its metadata is reconciled, in the same
// transaction. A CHECK added to existing rows that way is NOT VALID: it holds every later
// write, without failing a start on old values that predate it.

const (
	writerSetting     = "gqlbase.writer"
	actorSetting      = "gqlbase.actor"
	rowsTriggerFunc   = "gqlbase_sql_rows"
	versionTrigger    = "gqlbase_sql_version"
	insertTrigger     = "gqlbase_sql_insert"
	updateTrigger     = "gqlbase_sql_update"
	deleteTrigger     = "gqlbase_sql_delete"
	writeRulesTrigger = "gqlbase_sql_%" // LIKE pattern of the four triggers
)

// apiSessionDSN is the DSN of the main pool: its sessions are the API's (writerSetting).
func apiSessionDSN(dsn string) string {
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return dsn
		}
		q := u.Query()
		q.Set(writerSetting, "api")
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + writerSetting + "=api"
}

// writeTriggerSQL is the statement the statement trigger runs for one operation, over the
// transition tables gqlbase_new and gqlbase_old, with writeTail's parameters.
func writeTriggerSQL(op string) string {
	switch op {
	case "INSERT":
		return `WITH rows_out AS (SELECT n.*, to_jsonb(n.*) AS after_row FROM gqlbase_new n),
	` + writeTail("CREATE", gqlbase.EventRowCreated, "rows_out", false, true) + `
	SELECT count(*) FROM notified`
	case "UPDATE":
		return `WITH changed AS (SELECT n.*, to_jsonb(n.*) AS after_row, to_jsonb(o.*) AS before_row
		FROM gqlbase_new n JOIN gqlbase_old o ON o.id = n.id),
	` + writeTail("UPDATE", gqlbase.EventRowUpdated, "changed", true, true) + `
	SELECT count(*) FROM notified`
	default:
		return `WITH changed AS (SELECT o.*, to_jsonb(o.*) AS before_row FROM gqlbase_old o),
	` + trashSQL("changed") + `,
	` + writeTail("DELETE", gqlbase.EventRowDeleted, "changed", true, false) + `
	SELECT count(*) FROM notified`
	}
}

// writeFunctions are the trigger functions, by name: their bodies and definitions.
func writeFunctions() map[string][2]string {
	rows := `
DECLARE
    tbl record;
    actor text := nullif(current_setting('` + actorSetting + `', true), '');
BEGIN
    IF current_setting('` + writerSetting + `', true) = 'api' THEN
        RETURN NULL;
    END IF;
    SELECT t.id, d.workspace_id, d.id AS database_id INTO tbl
        FROM public.tables_meta t JOIN public.databases d ON d.id = t.database_id
        WHERE d.schema_name = TG_TABLE_SCHEMA AND t.name = TG_TABLE_NAME;
    IF NOT FOUND THEN
        RETURN NULL; -- not in the metadata (yet): reconcile adopts it
    END IF;
    IF TG_OP = 'INSERT' THEN
        EXECUTE $q$` + writeTriggerSQL("INSERT") + `$q$ USING tbl.id, actor, tbl.workspace_id, tbl.database_id;
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE $q$` + writeTriggerSQL("UPDATE") + `$q$ USING tbl.id, actor, tbl.workspace_id, tbl.database_id;
    ELSE
        EXECUTE $q$` + writeTriggerSQL("DELETE") + `$q$ USING tbl.id, actor, tbl.workspace_id, tbl.database_id;
    END IF;
    RETURN NULL;
END
`
	version := `
BEGIN
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    RETURN NEW;
END
`
	return map[string][2]string{
		rowsTriggerFunc: {rows, `CREATE OR REPLACE FUNCTION public.` + rowsTriggerFunc + `() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$` + rows + `$fn$`},
		versionTrigger: {version, `CREATE OR REPLACE FUNCTION public.` + versionTrigger + `() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$` + version + `$fn$`},
	}
}

// installWriteFunctions creates or replaces the trigger functions whose bodies changed.
func installWriteFunctions(ctx context.Context, tx *Tx) error {
	for name, f := range writeFunctions() {
		var body []string
		if err := tx.SelectContext(ctx, &body, `SELECT prosrc FROM pg_proc WHERE proname = $1
			AND pronamespace = 'public'::regnamespace`, name); err != nil {
			return fmt.Errorf("read function %s: %w", name, err)
		}
		if len(body) == 1 && body[0] == f[0] {
			continue
		}
		for _, stmt := range []string{f[1], `REVOKE ALL ON FUNCTION public.` + name + `() FROM PUBLIC`} {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("install function %s: %w", name, err)
			}
		}
	}
	return nil
}

// writeTriggersDDL (re)creates a table's triggers.
func writeTriggersDDL(schema, name string) []string {
	tbl := plan.Qualified(schema, name)
	return []string{
		`DROP TRIGGER IF EXISTS ` + versionTrigger + ` ON ` + tbl,
		`DROP TRIGGER IF EXISTS ` + insertTrigger + ` ON ` + tbl,
		`DROP TRIGGER IF EXISTS ` + updateTrigger + ` ON ` + tbl,
		`DROP TRIGGER IF EXISTS ` + deleteTrigger + ` ON ` + tbl,
		// The WHEN runs in the executor, so an update that sets the version itself (every
		// API update) costs no function call. The API's sessions are left alone also where
		// Postgres updates rows for them (a LINK's ON DELETE SET NULL), as before.
		`CREATE TRIGGER ` + versionTrigger + ` BEFORE UPDATE ON ` + tbl +
			` FOR EACH ROW WHEN (NEW.version IS NOT DISTINCT FROM OLD.version AND current_setting('` + writerSetting +
			`', true) IS DISTINCT FROM 'api') EXECUTE FUNCTION public.` + versionTrigger + `()`,
		`CREATE TRIGGER ` + insertTrigger + ` AFTER INSERT ON ` + tbl +
			` REFERENCING NEW TABLE AS gqlbase_new FOR EACH STATEMENT EXECUTE FUNCTION public.` + rowsTriggerFunc + `()`,
		`CREATE TRIGGER ` + updateTrigger + ` AFTER UPDATE ON ` + tbl +
			` REFERENCING OLD TABLE AS gqlbase_old NEW TABLE AS gqlbase_new FOR EACH STATEMENT EXECUTE FUNCTION public.` + rowsTriggerFunc + `()`,
		`CREATE TRIGGER ` + deleteTrigger + ` AFTER DELETE ON ` + tbl +
			` REFERENCING OLD TABLE AS gqlbase_old FOR EACH STATEMENT EXECUTE FUNCTION public.` + rowsTriggerFunc + `()`,
	}
}

// ensureWriteRules gives the tables of a database (0: of every database) the triggers and
// column CHECK constraints they lack.
func ensureWriteRules(ctx context.Context, tx *Tx, databaseID int64) error {
	own := asRole(ctx, "")
	var bare []struct {
		Schema string `db:"schema_name"`
		Name   string `db:"name"`
	}
	err := tx.SelectContext(own, &bare, `SELECT d.schema_name, t.name FROM tables_meta t JOIN databases d ON d.id = t.database_id
		CROSS JOIN LATERAL (SELECT to_regclass(quote_ident(d.schema_name) || '.' || quote_ident(t.name)) AS rel) r
		WHERE ($1 = 0 OR d.id = $1) AND r.rel IS NOT NULL
		  AND (SELECT count(*) FROM pg_trigger g WHERE g.tgrelid = r.rel AND g.tgname LIKE $2) < 4
		ORDER BY d.id, t.id`, databaseID, writeRulesTrigger)
	if err != nil {
		return fmt.Errorf("find tables without write triggers: %w", err)
	}
	for _, b := range bare {
		for _, stmt := range writeTriggersDDL(b.Schema, b.Name) {
			if _, err := tx.ExecContext(own, stmt); err != nil {
				return fmt.Errorf("write triggers of %s.%s: %w", b.Schema, b.Name, err)
			}
		}
	}
	var unchecked []struct {
		ColumnID   int64 `db:"column_id"`
		TableID    int64 `db:"table_id"`
		DatabaseID int64 `db:"database_id"`
	}
	err = tx.SelectContext(own, &unchecked, `SELECT c.id AS column_id, t.id AS table_id, d.id AS database_id
		FROM columns_meta c JOIN tables_meta t ON t.id = c.table_id JOIN databases d ON d.id = t.database_id
		CROSS JOIN LATERAL (SELECT to_regclass(quote_ident(d.schema_name) || '.' || quote_ident(t.name)) AS rel) r
		WHERE ($1 = 0 OR d.id = $1) AND r.rel IS NOT NULL AND c.type = ANY($2)
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = r.rel AND k.conname = 'ck_' || c.id)
		ORDER BY c.id`, databaseID, stringArray(checkedTypes()))
	if err != nil {
		return fmt.Errorf("find columns without checks: %w", err)
	}
	if len(unchecked) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(unchecked))
	for _, u := range unchecked {
		ids = append(ids, u.TableID)
	}
	tables, err := loadTables(own, tx, `WHERE t.id = ANY($1)`, int64Array(ids))
	if err != nil {
		return err
	}
	for _, u := range unchecked {
		t := tables[u.TableID]
		if t == nil {
			continue
		}
		var col *gqlbase.Column
		for _, c := range t.Columns {
			if c.ID == u.ColumnID {
				col = c
			}
		}
		con := ""
		if col != nil {
			con = checkConstraint(col)
		}
		if con == "" {
			continue
		}
		// Added as the database's role, which owns the table (its expression is ours).
		tctx, err := tenantIn(ctx, tx, u.DatabaseID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(tctx, fmt.Sprintf("ALTER TABLE %s ADD %s NOT VALID", plan.Qualified(t.Schema, t.Name), con)); err != nil {
			return fmt.Errorf("check of column %q of %s: %w", col.Name, t.Name, err)
		}
	}
	return nil
}

// checkedTypes are the column types that have a CHECK (columnCheck).
func checkedTypes() []string {
	var out []string
	for _, t := range []gqlbase.ColumnType{gqlbase.TypeRating, gqlbase.TypeSelect, gqlbase.TypeMultiSelect,
		gqlbase.TypeEmail, gqlbase.TypeURL, gqlbase.TypePhone} {
		if columnCheck(&gqlbase.Column{Name: "x", Type: t}) != "" {
			out = append(out, string(t))
		}
	}
	return out
}

// ensureAllWriteRules installs the trigger functions and gives every table its triggers and
// checks, at start, under the migrations' lock (so processes starting together take turns).
func (s *Store) ensureAllWriteRules(ctx context.Context) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if err := installWriteFunctions(ctx, tx); err != nil {
			return err
		}
		return ensureWriteRules(ctx, tx, 0)
	})
}
