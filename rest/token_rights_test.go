package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

const (
	createTokenQ = `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret token { id expiresAt } } }`
	updateTokenQ = `mutation($id: ID!, $in: UpdateTokenInput!) { updateToken(id: $id, input: $in) { id scopes expiresAt } }`
	rotateTokenQ = `mutation($id: ID!) { rotateToken(id: $id) { secret } }`
	revokeTokenQ = `mutation($id: ID!) { revokeToken(id: $id) { id } }`
	getTokenQ    = `query($id: ID!) { token(id: $id) { id } }`
	inviteQ      = `mutation($ws: ID!, $email: String!, $role: Role!) { inviteMember(workspaceId: $ws, email: $email, role: $role) { member { id } secret } }`
	setRoleQ     = `mutation($id: ID!, $role: Role!) { updateMemberRole(memberId: $id, role: $role) { id role } }`
	removeQ      = `mutation($id: ID!) { removeMember(memberId: $id) }`
	deleteWSQ    = `mutation($id: ID!) { deleteWorkspace(id: $id) }`
	meScopesQ    = `{ me { scopes } }`
)

// restGet sends GET path with a bearer token and returns the status.
func restGet(t *testing.T, srv *testserver.Server, path, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func myScopes(t *testing.T, srv *testserver.Server, secret string) string {
	t.Helper()
	return strings.Join(scopesOf(testserver.Get(srv.Platform(t, secret, meScopesQ, nil).OK(t), "me", "scopes")), ",")
}

func grant(db, access string) []any {
	return []any{map[string]any{"databaseId": db, "access": access}}
}

// An admin token restricted to one database must not step out of it: list, widen or rotate
// an unrestricted token, invite an outsider as owner, read the workspace's variables.
func TestRestrictedAdminTokenCannotEscapeRestriction(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	e := &dataEnv{srv: srv, token: srv.AdminToken}
	db := e.createDatabase(t, "mine")
	other := e.createDatabase(t, "other")
	ws := testserver.Str(srv.Platform(t, srv.AdminToken, `{ me { workspace { id } } }`, nil).OK(t), "me", "workspace", "id")
	restricted, restrictedID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "restricted admin",
		"scopes": []string{"READ", "WRITE", "SCHEMA", "FILES", "ADMIN"}, "databases": grant(db, "WRITE")})
	_, wideID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "unrestricted", "scopes": []string{"READ"}})
	member := testserver.Str(srv.Platform(t, srv.AdminToken, inviteQ, map[string]any{"ws": ws, "email": "m@example.com", "role": "VIEWER"}).OK(t), "inviteMember", "member", "id")

	cases := []struct {
		name, query string
		vars        map[string]any
	}{
		{"list tokens", `{ tokens { id } }`, nil},
		{"read another token", getTokenQ, map[string]any{"id": wideID}},
		{"widen another token", updateTokenQ, map[string]any{"id": wideID, "in": map[string]any{"scopes": []string{"READ", "WRITE", "ADMIN"}}}},
		{"rotate another token", rotateTokenQ, map[string]any{"id": wideID}},
		{"revoke another token", revokeTokenQ, map[string]any{"id": wideID}},
		{"lift its own restriction", updateTokenQ, map[string]any{"id": restrictedID, "in": map[string]any{"databases": []any{}}}},
		{"create an unrestricted token", createTokenQ, map[string]any{"in": map[string]any{"name": "x", "scopes": []string{"READ"}}}},
		{"create a token on another database", createTokenQ, map[string]any{"in": map[string]any{"name": "x", "scopes": []string{"READ"}, "databases": grant(other, "READ")}}},
		{"invite an owner", inviteQ, map[string]any{"ws": ws, "email": "outsider@example.com", "role": "OWNER"}},
		{"invite a viewer", inviteQ, map[string]any{"ws": ws, "email": "outsider@example.com", "role": "VIEWER"}},
		{"change a member's role", setRoleQ, map[string]any{"id": member, "role": "ADMIN"}},
		{"remove a member", removeQ, map[string]any{"id": member}},
		{"list members", `query($id: ID!) { workspace(id: $id) { members { id } } }`, map[string]any{"id": ws}},
		{"rename the workspace", `mutation($id: ID!) { renameWorkspace(id: $id, name: "x") { id } }`, map[string]any{"id": ws}},
		{"delete the workspace", deleteWSQ, map[string]any{"id": ws}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { refused(t, srv, restricted, c.query, c.vars, "FORBIDDEN") })
	}
	// The workspace's environment variables and settings (Airsequel routes).
	for _, path := range []string{"/api/settings/env", "/api/settings"} {
		if status := restGet(t, srv, path, restricted); status != http.StatusForbidden {
			t.Errorf("GET %s with a restricted admin token: %d, want 403", path, status)
		}
	}

	// What stays within its database still works: its data, its own token, narrower tokens.
	srv.Platform(t, restricted, `query($id: ID!) { database(id: $id) { id } }`, map[string]any{"id": db}).OK(t)
	srv.Platform(t, restricted, `query($id: ID!) { workspace(id: $id) { name } }`, map[string]any{"id": ws}).OK(t)
	srv.Platform(t, restricted, getTokenQ, map[string]any{"id": restrictedID}).OK(t)
	narrow, narrowID := newToken(t, srv, restricted, map[string]any{"name": "narrow", "scopes": []string{"READ"}, "databases": grant(db, "READ")})
	srv.Platform(t, narrow, `query($id: ID!) { database(id: $id) { id } }`, map[string]any{"id": db}).OK(t)
	// The tokens within its rights (those it could make) it may see and manage, not widen.
	srv.Platform(t, restricted, getTokenQ, map[string]any{"id": narrowID}).OK(t)
	srv.Platform(t, restricted, updateTokenQ, map[string]any{"id": narrowID, "in": map[string]any{"name": "narrow v2"}}).OK(t)
	refused(t, srv, restricted, updateTokenQ, map[string]any{"id": narrowID, "in": map[string]any{"databases": grant(other, "READ")}}, "FORBIDDEN")
	srv.Platform(t, restricted, revokeTokenQ, map[string]any{"id": narrowID}).OK(t)
	if status := restGet(t, srv, "/api/dbs/"+db+"/env", restricted); status != http.StatusOK {
		t.Errorf("GET its own database's variables: %d, want 200", status)
	}
	fresh := testserver.Str(srv.Platform(t, restricted, rotateTokenQ, map[string]any{"id": restrictedID}).OK(t), "rotateToken", "secret")
	srv.Platform(t, fresh, revokeTokenQ, map[string]any{"id": restrictedID}).OK(t)
}

// A principal may change, rotate or revoke only tokens whose rights it covers: a rotation
// hands out the token's secret.
func TestTokenManagementNeedsCoveringRights(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	limited, _ := newToken(t, srv, srv.AdminToken, map[string]any{"name": "limited admin", "scopes": []string{"READ", "ADMIN"}})
	_, writerID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "writer", "scopes": []string{"READ", "WRITE"}})
	// Created later with the default lifetime, it would outlive limited; expiry is a right too.
	_, readerID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "reader", "scopes": []string{"READ"}, "expiresInDays": 30})
	_, laterID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "later", "scopes": []string{"READ"}})
	bootstrapID := testserver.Str(srv.Platform(t, srv.AdminToken, `{ me { token { id } } }`, nil).OK(t), "me", "token", "id")

	for _, id := range []string{writerID, bootstrapID, laterID} {
		refused(t, srv, limited, rotateTokenQ, map[string]any{"id": id}, "FORBIDDEN")
		refused(t, srv, limited, revokeTokenQ, map[string]any{"id": id}, "FORBIDDEN")
		refused(t, srv, limited, updateTokenQ, map[string]any{"id": id, "in": map[string]any{"name": "mine"}}, "FORBIDDEN")
	}
	refused(t, srv, limited, updateTokenQ, map[string]any{"id": readerID, "in": map[string]any{"scopes": []string{"READ", "WRITE"}}}, "FORBIDDEN")
	// A token it covers, it manages.
	srv.Platform(t, limited, updateTokenQ, map[string]any{"id": readerID, "in": map[string]any{"name": "reader v2"}}).OK(t)
	srv.Platform(t, limited, rotateTokenQ, map[string]any{"id": readerID}).OK(t)
	srv.Platform(t, limited, revokeTokenQ, map[string]any{"id": readerID}).OK(t)
}
