package realtime

import (
	"testing"

	"github.com/gqlbase/gqlbase"
)

// A watched credential keeps its subscriptions while it grants at least what it did when
// they began, and ends them as soon as it grants less.
func TestStillGrantsEndsOnlyWhenAccessNarrows(t *testing.T) {
	user := func(roles map[int64]gqlbase.Role) *gqlbase.Principal {
		return &gqlbase.Principal{Kind: gqlbase.PrincipalUser, UserID: 7, SessionID: 3, Roles: roles}
	}
	token := func(scopes []gqlbase.Scope, dbs map[int64]gqlbase.DatabaseAccess) *gqlbase.Principal {
		return &gqlbase.Principal{Kind: gqlbase.PrincipalToken, TokenID: 5, WorkspaceID: 1, Scopes: scopes, Databases: dbs}
	}
	rw := []gqlbase.Scope{gqlbase.ScopeRead, gqlbase.ScopeWrite}
	for _, c := range []struct {
		name        string
		held, fresh *gqlbase.Principal
		code        gqlbase.Code // "" when the subscription stays
	}{
		{"same user access", user(map[int64]gqlbase.Role{1: gqlbase.RoleEditor}), user(map[int64]gqlbase.Role{1: gqlbase.RoleEditor}), ""},
		{"promoted", user(map[int64]gqlbase.Role{1: gqlbase.RoleViewer}), user(map[int64]gqlbase.Role{1: gqlbase.RoleAdmin}), ""},
		{"joined another workspace", user(map[int64]gqlbase.Role{1: gqlbase.RoleViewer}), user(map[int64]gqlbase.Role{1: gqlbase.RoleViewer, 2: gqlbase.RoleOwner}), ""},
		{"demoted to viewer", user(map[int64]gqlbase.Role{1: gqlbase.RoleEditor}), user(map[int64]gqlbase.Role{1: gqlbase.RoleViewer}), gqlbase.CodeForbidden},
		{"removed from a workspace", user(map[int64]gqlbase.Role{1: gqlbase.RoleEditor, 2: gqlbase.RoleViewer}), user(map[int64]gqlbase.Role{1: gqlbase.RoleEditor}), gqlbase.CodeForbidden},
		{"logged out", user(map[int64]gqlbase.Role{1: gqlbase.RoleEditor}),
			&gqlbase.Principal{Kind: gqlbase.PrincipalAnonymous, AuthError: gqlbase.Unauthenticated("invalid or ended session")}, gqlbase.CodeUnauthenticated},
		{"same token", token(rw, nil), token(rw, nil), ""},
		{"token lost a scope", token(rw, nil), token([]gqlbase.Scope{gqlbase.ScopeRead}, nil), gqlbase.CodeForbidden},
		{"token restricted to databases", token(rw, nil), token(rw, map[int64]gqlbase.DatabaseAccess{9: gqlbase.AccessWrite}), gqlbase.CodeForbidden},
		{"database access lowered", token(rw, map[int64]gqlbase.DatabaseAccess{9: gqlbase.AccessWrite}), token(rw, map[int64]gqlbase.DatabaseAccess{9: gqlbase.AccessRead}), gqlbase.CodeForbidden},
		{"database restriction lifted", token(rw, map[int64]gqlbase.DatabaseAccess{9: gqlbase.AccessRead}), token(rw, nil), ""},
		{"another identity behind the hash", token(rw, nil), &gqlbase.Principal{Kind: gqlbase.PrincipalToken, TokenID: 6, WorkspaceID: 1, Scopes: rw}, gqlbase.CodeForbidden},
	} {
		err := stillGrants(c.held, c.fresh)
		if got := gqlbase.ErrorCode(err); (err == nil) != (c.code == "") || (err != nil && got != c.code) {
			t.Errorf("%s: %v, want code %q", c.name, err, c.code)
		}
	}
}
