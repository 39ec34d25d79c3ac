package storage

import (
	"context"
	"fmt"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// bookkeepingGrants are the rights a database's role has outside its own schema: the row
// writes it runs record their history, trash rows and outbox events in the same statement.
// It may add such rows, never read or change the ones already there (a trash row of the same
// row id is replaced by the trash_replace trigger, which runs as gqlbase): every other
// statement on these tables is gqlbase's own. Identity columns need no sequence privilege;
// the outbox's ids come back through RETURNING, which needs SELECT on that column alone, and
// its transaction ids come from the column's default, pg_current_xact_id(), open to all roles.
var bookkeepingGrants = []string{
	`GRANT INSERT ON row_history, events, trash TO %[1]s`,
	`GRANT SELECT (id) ON events TO %[1]s`,
}

func grantBookkeeping(ctx context.Context, q queryer, role string) error {
	for _, g := range bookkeepingGrants {
		if _, err := q.ExecContext(ctx, fmt.Sprintf(g, plan.QuoteIdent(role))); err != nil {
			return fmt.Errorf("grant bookkeeping to %s: %w", role, err)
		}
	}
	return nil
}

// checkLeastPrivilege warns when the pool connects as a superuser: then anything a tenant
// defines would run with every right on the server. gqlbase's embedded cluster never does;
// README lists the grants a dedicated role needs.
func (s *Store) checkLeastPrivilege(ctx context.Context) error {
	var super bool
	if err := s.db.GetContext(ctx, &super, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`); err != nil {
		return fmt.Errorf("read own role: %w", err)
	}
	if super {
		s.logger.Warn("DATABASE_URL CONNECTS AS A POSTGRES SUPERUSER: tenants' table defaults, checks and " +
			"index expressions would run with superuser rights. Connect as a dedicated role without " +
			"SUPERUSER (see README, 'A dedicated Postgres role').")
	}
	return nil
}

// ensureDatabaseRoles gives every database its role (databases made before roles existed get
// one now) and every role its bookkeeping grants, so each tenant statement can run as its
// database's role from the first request on.
func (s *Store) ensureDatabaseRoles(ctx context.Context) error {
	var missing []gqlbase.Database
	err := s.db.SelectContext(ctx, &missing, `SELECT `+databaseColumns+` FROM databases d
		WHERE NOT EXISTS (SELECT 1 FROM database_roles r WHERE r.database_id = d.id) ORDER BY id`)
	if err != nil {
		return fmt.Errorf("find databases without a role: %w", err)
	}
	for i := range missing {
		if _, err := s.SQLRole(ctx, &missing[i]); err != nil {
			return fmt.Errorf("role of database %d: %w", missing[i].ID, err)
		}
	}
	var ungranted []string
	err = s.db.SelectContext(ctx, &ungranted, `SELECT r.role_name FROM database_roles r
		JOIN pg_roles p ON p.rolname = r.role_name
		WHERE NOT has_table_privilege(p.oid, 'events', 'INSERT')`)
	if err != nil {
		return fmt.Errorf("find roles without grants: %w", err)
	}
	for _, role := range ungranted {
		if err := grantBookkeeping(ctx, s.db, role); err != nil {
			return err
		}
	}
	return nil
}
