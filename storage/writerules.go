package storage

import (
	"context"
	"fmt"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
	"github.com/lib/pq"
)

// Every user table carries the rules that make each write, whoever makes it (the API, raw SQL,
// a function, Postgres itself through a LINK's ON DELETE SET NULL), get the same guarantees:
//
//   - its columns' CHECK constraints (columnCheck), created, changed and dropped with the
//     column by the API's DDL;
//   - a BEFORE UPDATE row trigger that bumps version and updated_at when the statement left
//     the version alone (the API's updates bump both in the statement, so for them the
//     trigger's WHEN is false and no function runs), and one that refuses a change of a row's
//     id (history, trash, links and events all name rows by id);
//   - AFTER INSERT, UPDATE and DELETE statement triggers with transition tables, which write
//     the rows' history, trash (deletes) and outbox events and NOTIFY, one set-based
//     statement per statement (writeTail, trashSQL), and a BEFORE TRUNCATE statement trigger
//     that records a TRUNCATE as the deletion of every row.
//
// This is the one place history and events of rows are written: the API's statements only
// change rows. What the trigger cannot know it reads from transaction-local settings:
// gqlbase.actor (the API's statements set it with set_config in the statement itself, so a
// write stays one round trip; runSQLIn sets it to the raw SQL principal) and gqlbase.op
// (RESTORE for the insert of a row taken out of the trash; the trigger clears it). Raw SQL may
// not set a setting (sqlguard refuses SET and set_config), so it cannot pose as another actor.
//
// The statement triggers' function runs as gqlbase (SECURITY DEFINER: the tenant's role may
// not read the metadata), and takes the ids it writes into history and events from the
// metadata of the table that fired it (TG_TABLE_SCHEMA, TG_TABLE_NAME), never from trigger
// arguments or anything else a tenant sets: a tenant can make it record changes of its own
// tables only. No role but gqlbase's may execute it (a trigger's function is checked when the
// trigger is created, which gqlbase does).
//
// Existing tables get the triggers and missing CHECK constraints at start (ensureWriteRules);
// a table raw SQL creates or changes gets them when its metadata is reconciled, in the same
// transaction. A CHECK added to existing rows that way is NOT VALID: it holds every later
// write, without failing a start on old values that predate it. The trigger names carry the
// version of their definitions (writeRulesVersion): a table whose triggers are of another
// version gets today's at start, and the functions are replaced when their text changed.

const (
	actorSetting      = "gqlbase.actor"
	opSetting         = "gqlbase.op"
	rowsTriggerFunc   = "gqlbase_sql_rows"
	versionFunc       = "gqlbase_sql_version"
	fixedIDFunc       = "gqlbase_sql_fixed_id"
	truncateFunc      = "gqlbase_sql_truncate"
	writeRulesVersion = "2"
	writeRulesPrefix  = "gqlbase_sql_" // every write trigger's name starts with it
)

// writeTriggerNames are today's triggers of a user table, in creation order.
var writeTriggerNames = []string{
	writeRulesPrefix + "v" + writeRulesVersion + "_fixed_id",
	writeRulesPrefix + "v" + writeRulesVersion + "_version",
	writeRulesPrefix + "v" + writeRulesVersion + "_insert",
	writeRulesPrefix + "v" + writeRulesVersion + "_update",
	writeRulesPrefix + "v" + writeRulesVersion + "_delete",
	writeRulesPrefix + "v" + writeRulesVersion + "_truncate",
}

// actorFilter is the WHERE of an API write statement's final SELECT: it tells the statement
// triggers the statement's actor (param: the actor's placeholder) and is always true. As an
// uncorrelated subquery it runs once per statement (a one-time filter), and statement
// triggers fire at the end of the statement, after it ran. extra is further set_config calls
// to make with it ("" for none).
func actorFilter(param, extra string) string {
	set := `set_config('` + actorSetting + `', coalesce(` + param + `::text, ''), true)`
	if extra != "" {
		set += " || " + extra
	}
	return `(SELECT ` + set + `) IS NOT NULL`
}

// writeTriggerSQL is the statement the statement trigger runs for one operation, over the
// transition tables gqlbase_new and gqlbase_old (or, for TRUNCATE, the table itself), with
// writeTail's parameters.
func writeTriggerSQL(op string) string {
	switch op {
	case "INSERT", "RESTORE":
		histOp, kind := "CREATE", gqlbase.EventRowCreated
		if op == "RESTORE" {
			histOp, kind = "RESTORE", gqlbase.EventRowRestored
		}
		return `WITH rows_out AS (SELECT n.*, to_jsonb(n.*) AS after_row FROM gqlbase_new n),
	` + writeTail(histOp, kind, "rows_out", false, true) + `
	SELECT count(*) FROM notified`
	case "UPDATE":
		return `WITH changed AS (SELECT n.*, to_jsonb(n.*) AS after_row, to_jsonb(o.*) AS before_row
		FROM gqlbase_new n JOIN gqlbase_old o ON o.id = n.id),
	` + writeTail("UPDATE", gqlbase.EventRowUpdated, "changed", true, true) + `
	SELECT count(*) FROM notified`
	case "TRUNCATE":
		// %I is filled by format() with the table that fired the trigger.
		return `WITH changed AS (SELECT o.*, to_jsonb(o.*) AS before_row FROM %I.%I o),
	` + trashSQL("changed") + `,
	` + writeTail("DELETE", gqlbase.EventRowDeleted, "changed", true, false) + `
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
	lookup := `
    SELECT t.id, d.workspace_id, d.id AS database_id INTO tbl
        FROM public.tables_meta t JOIN public.databases d ON d.id = t.database_id
        WHERE d.schema_name = TG_TABLE_SCHEMA AND t.name = TG_TABLE_NAME;
    IF NOT FOUND THEN
        RETURN NULL; -- not in the metadata (yet): reconcile adopts it
    END IF;`
	rows := `
DECLARE
    tbl record;
    actor text := nullif(current_setting('` + actorSetting + `', true), '');
BEGIN` + lookup + `
    IF TG_OP = 'INSERT' AND current_setting('` + opSetting + `', true) = 'RESTORE' THEN
        PERFORM set_config('` + opSetting + `', '', true);
        EXECUTE $q$` + writeTriggerSQL("RESTORE") + `$q$ USING tbl.id, actor, tbl.workspace_id, tbl.database_id;
    ELSIF TG_OP = 'INSERT' THEN
        EXECUTE $q$` + writeTriggerSQL("INSERT") + `$q$ USING tbl.id, actor, tbl.workspace_id, tbl.database_id;
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE $q$` + writeTriggerSQL("UPDATE") + `$q$ USING tbl.id, actor, tbl.workspace_id, tbl.database_id;
    ELSE
        EXECUTE $q$` + writeTriggerSQL("DELETE") + `$q$ USING tbl.id, actor, tbl.workspace_id, tbl.database_id;
    END IF;
    RETURN NULL;
END
`
	truncate := `
DECLARE
    tbl record;
    actor text := nullif(current_setting('` + actorSetting + `', true), '');
BEGIN` + lookup + `
    EXECUTE format($q$` + writeTriggerSQL("TRUNCATE") + `$q$, TG_TABLE_SCHEMA, TG_TABLE_NAME)
        USING tbl.id, actor, tbl.workspace_id, tbl.database_id;
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
	fixedID := `
BEGIN
    RAISE EXCEPTION 'the id of a row cannot change (row %)', OLD.id USING ERRCODE = '` + sqlstateIntegrityViolation + `';
END
`
	definer := func(name, body string) [2]string {
		return [2]string{body, `CREATE OR REPLACE FUNCTION public.` + name + `() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$` + body + `$fn$`}
	}
	plain := func(name, body string) [2]string {
		return [2]string{body, `CREATE OR REPLACE FUNCTION public.` + name + `() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$` + body + `$fn$`}
	}
	return map[string][2]string{
		rowsTriggerFunc: definer(rowsTriggerFunc, rows),
		truncateFunc:    definer(truncateFunc, truncate),
		versionFunc:     plain(versionFunc, version),
		fixedIDFunc:     plain(fixedIDFunc, fixedID),
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

// writeTriggersDDL creates a table's triggers, after dropping the given ones (the table's
// write triggers of an earlier version, or today's, to recreate them).
func writeTriggersDDL(schema, name string, drop ...string) []string {
	tbl := plan.Qualified(schema, name)
	var out []string
	for _, d := range append(drop, writeTriggerNames...) {
		out = append(out, `DROP TRIGGER IF EXISTS `+plan.QuoteIdent(d)+` ON `+tbl)
	}
	n := writeTriggerNames
	return append(out,
		// The WHENs run in the executor, so an update that leaves the id alone and sets the
		// version itself (every API update) calls no function.
		`CREATE TRIGGER `+n[0]+` BEFORE UPDATE ON `+tbl+
			` FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id) EXECUTE FUNCTION public.`+fixedIDFunc+`()`,
		`CREATE TRIGGER `+n[1]+` BEFORE UPDATE ON `+tbl+
			` FOR EACH ROW WHEN (NEW.version IS NOT DISTINCT FROM OLD.version) EXECUTE FUNCTION public.`+versionFunc+`()`,
		`CREATE TRIGGER `+n[2]+` AFTER INSERT ON `+tbl+
			` REFERENCING NEW TABLE AS gqlbase_new FOR EACH STATEMENT EXECUTE FUNCTION public.`+rowsTriggerFunc+`()`,
		`CREATE TRIGGER `+n[3]+` AFTER UPDATE ON `+tbl+
			` REFERENCING OLD TABLE AS gqlbase_old NEW TABLE AS gqlbase_new FOR EACH STATEMENT EXECUTE FUNCTION public.`+rowsTriggerFunc+`()`,
		`CREATE TRIGGER `+n[4]+` AFTER DELETE ON `+tbl+
			` REFERENCING OLD TABLE AS gqlbase_old FOR EACH STATEMENT EXECUTE FUNCTION public.`+rowsTriggerFunc+`()`,
		`CREATE TRIGGER `+n[5]+` BEFORE TRUNCATE ON `+tbl+
			` FOR EACH STATEMENT EXECUTE FUNCTION public.`+truncateFunc+`()`,
	)
}

// ensureWriteRules gives the tables of a database (0: of every database) the triggers and
// column CHECK constraints they lack.
func ensureWriteRules(ctx context.Context, tx *Tx, databaseID int64) error {
	own := asRole(ctx, "")
	var bare []struct {
		Schema string         `db:"schema_name"`
		Name   string         `db:"name"`
		Stale  pq.StringArray `db:"stale"`
	}
	// A table lacks today's rules when one of today's triggers is missing; its triggers of
	// other versions are dropped as today's are created.
	err := tx.SelectContext(own, &bare, `SELECT d.schema_name, t.name,
		    coalesce((SELECT array_agg(g.tgname::text) FROM pg_trigger g WHERE g.tgrelid = r.rel
		        AND starts_with(g.tgname::text, $3) AND NOT g.tgname::text = ANY($2)), '{}') AS stale
		FROM tables_meta t JOIN databases d ON d.id = t.database_id
		CROSS JOIN LATERAL (SELECT to_regclass(quote_ident(d.schema_name) || '.' || quote_ident(t.name)) AS rel) r
		WHERE ($1 = 0 OR d.id = $1) AND r.rel IS NOT NULL
		  AND (SELECT count(*) FROM pg_trigger g WHERE g.tgrelid = r.rel AND g.tgname::text = ANY($2)) < cardinality($2::text[])
		ORDER BY d.id, t.id`, databaseID, stringArray(writeTriggerNames), writeRulesPrefix)
	if err != nil {
		return fmt.Errorf("find tables without write triggers: %w", err)
	}
	for _, b := range bare {
		for _, stmt := range writeTriggersDDL(b.Schema, b.Name, b.Stale...) {
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
