package resolvers

import (
	"context"

	"github.com/gqlbase/gqlbase"
)

// readonlyIDScope is what it takes to regenerate a database's read-only id, and so to see it:
// the id is a credential on its own, and whoever can read it keeps reading the database after
// losing their own access (a revoked token, a removed member). Only those who can also end
// that access by regenerating it may learn it.
const readonlyIDScope = gqlbase.ScopeAdmin

// mayHoldReadonlyID reports whether the principal may see and regenerate db's read-only id.
func mayHoldReadonlyID(p *gqlbase.Principal, db *gqlbase.Database) bool {
	return p.RequireDatabase(db.WorkspaceID, db.ID, readonlyIDScope) == nil
}

// ReadonlyIDFor returns db's read-only id when the request's principal may hold it, else nil.
// Every API that shows a database (GraphQL, the REST dialects) goes through it.
func (r *Resolver) ReadonlyIDFor(ctx context.Context, db *gqlbase.Database) *string {
	if !mayHoldReadonlyID(gqlbase.PrincipalFrom(ctx), db) {
		return nil
	}
	id := db.ReadonlyID
	return &id
}
