package pgcluster

import (
	"context"
	"database/sql"
	"fmt"

	_ "github.com/lib/pq" // the driver the bootstrap connection talks through

	"github.com/gqlbase/gqlbase/storage/plan"
)

// AppRole is the Postgres role gqlbase's pool connects as. It is not a superuser: it owns
// gqlbase's database (the metadata) and creates the per-database roles that own the tenants'
// schemas. The cluster's superuser is used only here, to bootstrap it, so nothing a tenant
// defines (a DEFAULT, a CHECK, an index expression) can ever run with superuser rights.
const AppRole = "gqlbase"

// AppDSN returns a lib/pq connection string for the given database as the AppRole.
func (c *Cluster) AppDSN(database string) string {
	return fmt.Sprintf("host=%s port=5432 user=%s dbname=%s sslmode=disable", c.socketDir, AppRole, database)
}

// AppURL is AppDSN as a postgres:// URL, usable as DATABASE_URL.
func (c *Cluster) AppURL(database string) string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&port=5432&sslmode=disable", AppRole, database, c.socketDir)
}

// EnsureAppRole creates the AppRole when it is missing and hands it the given database: the
// database itself, every schema, table, view and sequence in it that the superuser owns (a
// cluster made before gqlbase stopped connecting as the superuser), and membership in the
// per-database roles the superuser created then. It is idempotent and runs at every start.
func (c *Cluster) EnsureAppRole(ctx context.Context, database string) error {
	return EnsureAppRoleAt(ctx, c.DSN(database), database)
}

// EnsureAppRoleAt is EnsureAppRole for any server, given a superuser DSN of the database.
func EnsureAppRoleAt(ctx context.Context, superuserDSN, database string) error {
	db, err := sql.Open("postgres", superuserDSN)
	if err != nil {
		return fmt.Errorf("connect as superuser: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect as superuser: %w", err)
	}
	defer conn.Close()
	// Two gqlbase processes may start together on one cluster (tests do): one at a time.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7166839475502161)`); err != nil {
		return fmt.Errorf("lock role bootstrap: %w", err)
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(7166839475502161)`) //nolint:errcheck // the session ends anyway

	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, AppRole).Scan(&exists); err != nil {
		return fmt.Errorf("find role %s: %w", AppRole, err)
	}
	stmts := []string{}
	if !exists {
		stmts = append(stmts, `CREATE ROLE `+AppRole+` LOGIN NOSUPERUSER NOCREATEDB CREATEROLE INHERIT NOREPLICATION NOBYPASSRLS`)
	}
	stmts = append(stmts, `ALTER DATABASE `+plan.QuoteIdent(database)+` OWNER TO `+AppRole)
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("bootstrap role %s: %w", AppRole, err)
		}
	}
	// Objects the superuser owns outside the system schemas go to the AppRole.
	rows, err := conn.QueryContext(ctx, `
		SELECT format('ALTER SCHEMA %I OWNER TO `+AppRole+`', n.nspname)
		FROM pg_namespace n
		WHERE n.nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\_%'
		UNION ALL
		SELECT format('ALTER %s %I.%I OWNER TO `+AppRole+`',
			CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
			n.nspname, c.relname)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
		  AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\_%'
		  AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
		UNION ALL
		SELECT format('GRANT %I TO `+AppRole+`', r.rolname)
		FROM pg_roles r
		WHERE r.rolname LIKE 'gqlbase\_sql\_%'
		  AND NOT pg_has_role('`+AppRole+`', r.oid, 'MEMBER')`)
	if err != nil {
		return fmt.Errorf("list objects to hand to %s: %w", AppRole, err)
	}
	var todo []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("list objects to hand to %s: %w", AppRole, err)
		}
		todo = append(todo, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list objects to hand to %s: %w", AppRole, err)
	}
	for _, s := range todo {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("hand over to %s (%s): %w", AppRole, s, err)
		}
	}
	return nil
}
