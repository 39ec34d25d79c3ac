package realtime

import (
	"slices"

	"github.com/gqlbase/gqlbase"
)

// errAccessChanged ends a subscription whose credential still works but grants less than
// when it began (a lowered role, a removed membership, a narrowed token): what it delivers
// was authorised for the old access, so the client has to subscribe again.
var errAccessChanged = gqlbase.Forbidden("the access of this credential changed since the subscription began; subscribe again")

// stillGrants reports, as an error, whether fresh no longer grants everything held did: the
// same identity, every scope held in every workspace held, and no new database restriction.
// More access is fine: the subscription keeps delivering what it was authorised for.
func stillGrants(held, fresh *gqlbase.Principal) error {
	if err := fresh.Authenticated(); err != nil {
		return err
	}
	if held.Kind != fresh.Kind || held.UserID != fresh.UserID || held.TokenID != fresh.TokenID ||
		held.SessionID != fresh.SessionID {
		return errAccessChanged
	}
	switch held.Kind {
	case gqlbase.PrincipalUser:
		for ws, role := range held.Roles {
			now, ok := fresh.Roles[ws]
			if !ok || !containsAll(now.Scopes(), role.Scopes()) {
				return errAccessChanged
			}
		}
	default:
		if held.WorkspaceID != fresh.WorkspaceID || !containsAll(fresh.Scopes, held.Scopes) {
			return errAccessChanged
		}
	}
	if !gqlbase.CoversPermissions(fresh.Permissions, held.Permissions) {
		return errAccessChanged // fewer row permissions now
	}
	if fresh.Databases == nil {
		return nil
	}
	if held.Databases == nil {
		return errAccessChanged // restricted to some databases now
	}
	for id, access := range held.Databases {
		now, ok := fresh.Databases[id]
		if !ok || (access == gqlbase.AccessWrite && now != gqlbase.AccessWrite) {
			return errAccessChanged
		}
	}
	return nil
}

func containsAll(have, want []gqlbase.Scope) bool {
	for _, s := range want {
		if !slices.Contains(have, s) {
			return false
		}
	}
	return true
}
