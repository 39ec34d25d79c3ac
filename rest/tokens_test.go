package rest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

const tokenFields = `id name prefix scopes databases { databaseId access } expiresAt revokedAt lastUsedAt createdAt updatedAt active workspace { id name }`

func expiresIn(t *testing.T, v any) time.Duration {
	t.Helper()
	s, _ := v.(string)
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("expiresAt %v: %v", v, err)
	}
	return time.Until(at)
}

func TestCreateTokenShowsTheSecretOnce(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	data := srv.Platform(t, srv.AdminToken, `mutation { createToken(input: {name: " ci reader ", scopes: [READ, READ, FILES]}) { secret token { `+tokenFields+` } } }`, nil).OK(t)
	secret := testserver.Str(data, "createToken", "secret")
	tok := testserver.Get(data, "createToken", "token")
	if !strings.HasPrefix(secret, "gqb_") {
		t.Errorf("secret %q lacks the gqb_ prefix", secret)
	}
	if p := testserver.Str(tok, "prefix"); p == "" || !strings.HasPrefix(secret, p) || len(p) >= len(secret)/2 {
		t.Errorf("prefix %q: want a short start of the secret", p)
	}
	if n := testserver.Str(tok, "name"); n != "ci reader" {
		t.Errorf("name %q, want it trimmed", n)
	}
	if got := strings.Join(scopesOf(testserver.Get(tok, "scopes")), ","); got != "READ,FILES" {
		t.Errorf("scopes %s, want READ,FILES (deduplicated, in order)", got)
	}
	if testserver.Get(tok, "databases") != nil {
		t.Errorf("databases %v, want null (no restriction)", testserver.Get(tok, "databases"))
	}
	if d := expiresIn(t, testserver.Get(tok, "expiresAt")); d < 89*24*time.Hour || d > 91*24*time.Hour {
		t.Errorf("default expiry in %v, want 90 days", d)
	}
	if testserver.Get(tok, "active") != true || testserver.Get(tok, "revokedAt") != nil {
		t.Errorf("a new token is not active: %v", tok)
	}

	// The secret works with its scopes and is never shown again.
	me := srv.Platform(t, secret, `{ me { kind scopes } }`, nil).OK(t)
	if got := strings.Join(scopesOf(testserver.Get(me, "me", "scopes")), ","); got != "READ,FILES" {
		t.Errorf("the new token acts with scopes %s", got)
	}
	list := srv.Platform(t, srv.AdminToken, `{ tokens { `+tokenFields+` } }`, nil)
	list.OK(t)
	one := srv.Platform(t, srv.AdminToken, `query($id: ID!) { token(id: $id) { `+tokenFields+` } }`, map[string]any{"id": testserver.Str(tok, "id")})
	one.OK(t)
	for _, raw := range [][]byte{list.Raw, one.Raw} {
		if strings.Contains(string(raw), secret[len(testserver.Str(tok, "prefix")):]) {
			t.Errorf("the secret is shown again: %s", raw)
		}
	}
}

func TestCreateTokenExpiryChoices(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	const q = `mutation($in: CreateTokenInput!) { createToken(input: $in) { token { expiresAt active } } }`
	in := func(extra map[string]any) map[string]any {
		m := map[string]any{"name": "t", "scopes": []string{"READ"}}
		for k, v := range extra {
			m[k] = v
		}
		return map[string]any{"in": m}
	}
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	data := srv.Platform(t, srv.AdminToken, q, in(map[string]any{"expiresAt": at.Format(time.RFC3339)})).OK(t)
	if got := testserver.Str(data, "createToken", "token", "expiresAt"); got != at.Format(time.RFC3339) {
		t.Errorf("expiresAt %s, want %s", got, at.Format(time.RFC3339))
	}
	data = srv.Platform(t, srv.AdminToken, q, in(map[string]any{"expiresInDays": 7})).OK(t)
	if d := expiresIn(t, testserver.Get(data, "createToken", "token", "expiresAt")); d < 6*24*time.Hour || d > 8*24*time.Hour {
		t.Errorf("expiresInDays 7 gave an expiry in %v", d)
	}
	data = srv.Platform(t, srv.AdminToken, q, in(map[string]any{"neverExpires": true})).OK(t)
	if v := testserver.Get(data, "createToken", "token", "expiresAt"); v != nil {
		t.Errorf("neverExpires gave expiresAt %v", v)
	}
	data = srv.Platform(t, srv.AdminToken, q, in(map[string]any{"neverExpires": false})).OK(t)
	if d := expiresIn(t, testserver.Get(data, "createToken", "token", "expiresAt")); d < 89*24*time.Hour {
		t.Errorf("neverExpires: false gave an expiry in %v, want the 90-day default", d)
	}
}

func TestCreateTokenRefusesBadInput(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	reader, _ := newToken(t, srv, srv.AdminToken, map[string]any{"name": "reader", "scopes": []string{"READ"}})
	limitedAdmin, _ := newToken(t, srv, srv.AdminToken, map[string]any{"name": "limited admin", "scopes": []string{"READ", "ADMIN"}})
	other := signUp(t, srv, "other@example.com")
	const q = `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret } }`
	in := func(extra map[string]any) map[string]any {
		m := map[string]any{"name": "t", "scopes": []string{"READ"}}
		for k, v := range extra {
			m[k] = v
		}
		return map[string]any{"in": m}
	}
	past := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	cases := []struct {
		name, as string
		vars     map[string]any
		code     string
		field    string
	}{
		{"empty name", srv.AdminToken, in(map[string]any{"name": ""}), "BAD_USER_INPUT", "name"},
		{"blank name", srv.AdminToken, in(map[string]any{"name": "  \t"}), "BAD_USER_INPUT", "name"},
		{"long name", srv.AdminToken, in(map[string]any{"name": strings.Repeat("n", 201)}), "BAD_USER_INPUT", "name"},
		{"no scopes", srv.AdminToken, in(map[string]any{"scopes": []string{}}), "BAD_USER_INPUT", "scopes"},
		{"expiry in the past", srv.AdminToken, in(map[string]any{"expiresAt": past}), "BAD_USER_INPUT", "expiresAt"},
		{"zero days", srv.AdminToken, in(map[string]any{"expiresInDays": 0}), "BAD_USER_INPUT", "expiresInDays"},
		{"negative days", srv.AdminToken, in(map[string]any{"expiresInDays": -3}), "BAD_USER_INPUT", "expiresInDays"},
		{"over ten years", srv.AdminToken, in(map[string]any{"expiresInDays": 3651}), "BAD_USER_INPUT", "expiresInDays"},
		{"two expiry choices", srv.AdminToken, in(map[string]any{"expiresAt": future, "expiresInDays": 3}), "BAD_USER_INPUT", "expiresAt"},
		{"expiry and never", srv.AdminToken, in(map[string]any{"expiresInDays": 3, "neverExpires": true}), "BAD_USER_INPUT", "expiresAt"},
		{"database that does not exist", srv.AdminToken, in(map[string]any{"databases": []map[string]any{{"databaseId": "1", "access": "READ"}}}), "NOT_FOUND", "databases"},
		{"scope the caller lacks", limitedAdmin, in(map[string]any{"scopes": []string{"READ", "WRITE"}}), "FORBIDDEN", "scopes"},
		{"no admin scope", reader, in(nil), "FORBIDDEN", ""},
		{"workspace of someone else", srv.AdminToken, in(map[string]any{"workspaceId": other.workspaceID}), "NOT_FOUND", ""},
		{"workspace that does not exist", srv.AdminToken, in(map[string]any{"workspaceId": "999999"}), "NOT_FOUND", ""},
		{"anonymous", "", in(nil), "UNAUTHENTICATED", ""},
		{"unknown scope", srv.AdminToken, in(map[string]any{"scopes": []string{"SUPERUSER"}}), "GRAPHQL_VALIDATION_FAILED", ""},
		{"id that is not a number", srv.AdminToken, in(map[string]any{"workspaceId": "abc"}), "BAD_USER_INPUT", ""},
		{"days that are not whole", srv.AdminToken, in(map[string]any{"expiresInDays": 1.5}), "GRAPHQL_VALIDATION_FAILED", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := refused(t, srv, c.as, q, c.vars, c.code)
			if f, _ := resp.Errors[0].Extensions["field"].(string); f != c.field {
				t.Errorf("field %q, want %q", f, c.field)
			}
		})
	}
	// A user can make tokens for its own workspace, not for one it does not belong to.
	newToken(t, srv, other.session, map[string]any{"name": "mine", "scopes": []string{"READ", "WRITE"}})
	refused(t, srv, other.session, q, in(map[string]any{"workspaceId": "1"}), "NOT_FOUND")
}

func TestListAndGetTokens(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	reader, readerID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "reader", "scopes": []string{"READ"}})
	_, writerID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "writer", "scopes": []string{"READ", "WRITE"}})
	other := signUp(t, srv, "other@example.com")
	_, foreignID := newToken(t, srv, other.session, map[string]any{"name": "foreign", "scopes": []string{"READ"}})

	data := srv.Platform(t, srv.AdminToken, `{ tokens { id name } }`, nil).OK(t)
	var names []string
	for _, tok := range testserver.Get(data, "tokens").([]any) {
		names = append(names, testserver.Str(tok, "name"))
	}
	if got := strings.Join(names, ","); got != "bootstrap (GQLBASE_ADMIN_TOKEN),reader,writer" {
		t.Errorf("tokens %s, want the workspace's tokens oldest first", got)
	}
	// The other workspace's tokens are its own; asking for them by workspace is NOT_FOUND.
	data = srv.Platform(t, other.session, `{ tokens { name } }`, nil).OK(t)
	if n := len(testserver.Get(data, "tokens").([]any)); n != 1 {
		t.Errorf("the other workspace lists %d tokens, want 1", n)
	}
	refused(t, srv, srv.AdminToken, `query($ws: ID) { tokens(workspaceId: $ws) { id } }`, map[string]any{"ws": other.workspaceID}, "NOT_FOUND")
	refused(t, srv, reader, `{ tokens { id } }`, nil, "FORBIDDEN")
	refused(t, srv, "", `{ tokens { id } }`, nil, "UNAUTHENTICATED")

	const get = `query($id: ID!) { token(id: $id) { id name } }`
	if n := testserver.Str(srv.Platform(t, srv.AdminToken, get, map[string]any{"id": writerID}).OK(t), "token", "name"); n != "writer" {
		t.Errorf("token(id) name %q", n)
	}
	// A token may look at itself without the admin scope, not at others.
	if n := testserver.Str(srv.Platform(t, reader, get, map[string]any{"id": readerID}).OK(t), "token", "name"); n != "reader" {
		t.Errorf("token(id: self) name %q", n)
	}
	refused(t, srv, reader, get, map[string]any{"id": writerID}, "FORBIDDEN")
	refused(t, srv, srv.AdminToken, get, map[string]any{"id": foreignID}, "NOT_FOUND")
	refused(t, srv, srv.AdminToken, get, map[string]any{"id": "999999"}, "NOT_FOUND")
	refused(t, srv, "", get, map[string]any{"id": readerID}, "UNAUTHENTICATED")
}

func TestUpdateToken(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	secret, id := newToken(t, srv, srv.AdminToken, map[string]any{"name": "ci", "scopes": []string{"READ"}, "expiresInDays": 30})
	limitedAdmin, _ := newToken(t, srv, srv.AdminToken, map[string]any{"name": "limited admin", "scopes": []string{"READ", "ADMIN"}})
	other := signUp(t, srv, "other@example.com")
	const q = `mutation($id: ID!, $in: UpdateTokenInput!) { updateToken(id: $id, input: $in) { name scopes expiresAt databases { databaseId } } }`

	data := srv.Platform(t, srv.AdminToken, q, map[string]any{"id": id, "in": map[string]any{"name": "ci v2", "scopes": []string{"WRITE", "READ"}}}).OK(t)
	if n := testserver.Str(data, "updateToken", "name"); n != "ci v2" {
		t.Errorf("name %q", n)
	}
	if got := strings.Join(scopesOf(testserver.Get(data, "updateToken", "scopes")), ","); got != "READ,WRITE" {
		t.Errorf("scopes %s", got)
	}
	if d := expiresIn(t, testserver.Get(data, "updateToken", "expiresAt")); d < 29*24*time.Hour || d > 31*24*time.Hour {
		t.Errorf("an update without expiry fields moved the expiry to %v from now", d)
	}
	// The secret keeps working, with the new scopes.
	me := srv.Platform(t, secret, `{ me { scopes } }`, nil).OK(t)
	if got := strings.Join(scopesOf(testserver.Get(me, "me", "scopes")), ","); got != "READ,WRITE" {
		t.Errorf("the token acts with %s after the update", got)
	}

	// neverExpires: false is no choice at all: the expiry stays.
	data = srv.Platform(t, srv.AdminToken, q, map[string]any{"id": id, "in": map[string]any{"neverExpires": false}}).OK(t)
	if v := testserver.Get(data, "updateToken", "expiresAt"); v == nil {
		t.Fatalf("neverExpires: false made the token never expire")
	}
	at := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	data = srv.Platform(t, srv.AdminToken, q, map[string]any{"id": id, "in": map[string]any{"expiresAt": at}}).OK(t)
	if got := testserver.Str(data, "updateToken", "expiresAt"); got != at {
		t.Errorf("expiresAt %s, want %s", got, at)
	}
	data = srv.Platform(t, srv.AdminToken, q, map[string]any{"id": id, "in": map[string]any{"neverExpires": true}}).OK(t)
	if v := testserver.Get(data, "updateToken", "expiresAt"); v != nil {
		t.Errorf("neverExpires: true left expiresAt %v", v)
	}
	// An empty database list means no restriction.
	data = srv.Platform(t, srv.AdminToken, q, map[string]any{"id": id, "in": map[string]any{"databases": []any{}}}).OK(t)
	if v := testserver.Get(data, "updateToken", "databases"); v != nil {
		t.Errorf("databases %v, want null", v)
	}

	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	cases := []struct {
		name, as, id string
		in           map[string]any
		code         string
	}{
		{"blank name", srv.AdminToken, id, map[string]any{"name": " "}, "BAD_USER_INPUT"},
		{"long name", srv.AdminToken, id, map[string]any{"name": strings.Repeat("x", 201)}, "BAD_USER_INPUT"},
		{"no scopes", srv.AdminToken, id, map[string]any{"scopes": []string{}}, "BAD_USER_INPUT"},
		{"expiry in the past", srv.AdminToken, id, map[string]any{"expiresAt": past}, "BAD_USER_INPUT"},
		{"expiry and never", srv.AdminToken, id, map[string]any{"expiresAt": at, "neverExpires": true}, "BAD_USER_INPUT"},
		{"database that does not exist", srv.AdminToken, id, map[string]any{"databases": []map[string]any{{"databaseId": "5", "access": "WRITE"}}}, "NOT_FOUND"},
		{"scope the caller lacks", limitedAdmin, id, map[string]any{"scopes": []string{"SCHEMA"}}, "FORBIDDEN"},
		{"without admin, even itself", secret, id, map[string]any{"name": "mine"}, "FORBIDDEN"},
		{"token of another workspace", other.session, id, map[string]any{"name": "x"}, "NOT_FOUND"},
		{"token that does not exist", srv.AdminToken, "424242", map[string]any{"name": "x"}, "NOT_FOUND"},
		{"anonymous", "", id, map[string]any{"name": "x"}, "UNAUTHENTICATED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			refused(t, srv, c.as, q, map[string]any{"id": c.id, "in": c.in}, c.code)
		})
	}
}

func TestRevokeToken(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	secret, id := newToken(t, srv, srv.AdminToken, map[string]any{"name": "ci", "scopes": []string{"READ"}})
	self, selfID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "self", "scopes": []string{"READ"}})
	other := signUp(t, srv, "other@example.com")
	const q = `mutation($id: ID!) { revokeToken(id: $id) { id revokedAt active } }`

	refused(t, srv, self, q, map[string]any{"id": id}, "FORBIDDEN")
	refused(t, srv, other.session, q, map[string]any{"id": id}, "NOT_FOUND")
	refused(t, srv, srv.AdminToken, q, map[string]any{"id": "999999"}, "NOT_FOUND")
	refused(t, srv, "", q, map[string]any{"id": id}, "UNAUTHENTICATED")
	srv.Platform(t, secret, `{ me { kind } }`, nil).OK(t)

	data := srv.Platform(t, srv.AdminToken, q, map[string]any{"id": id}).OK(t)
	revokedAt := testserver.Str(data, "revokeToken", "revokedAt")
	if revokedAt == "" || testserver.Get(data, "revokeToken", "active") != false {
		t.Fatalf("revoked token: %v", data)
	}
	resp := srv.Platform(t, secret, `{ me { kind } }`, nil)
	if code := resp.ErrorCode(t); code != "UNAUTHENTICATED" || !strings.Contains(resp.Errors[0].Message, "revoked") {
		t.Errorf("revoked token: %s", resp.Raw)
	}
	// Revoking again keeps the first revocation time; a revoked token cannot be rotated back.
	data = srv.Platform(t, srv.AdminToken, q, map[string]any{"id": id}).OK(t)
	if again := testserver.Str(data, "revokeToken", "revokedAt"); again != revokedAt {
		t.Errorf("second revocation moved revokedAt from %s to %s", revokedAt, again)
	}
	refused(t, srv, srv.AdminToken, `mutation($id: ID!) { rotateToken(id: $id) { secret } }`, map[string]any{"id": id}, "NOT_FOUND")

	// A token may revoke itself without the admin scope.
	srv.Platform(t, self, q, map[string]any{"id": selfID}).OK(t)
	if code := srv.Platform(t, self, `{ me { kind } }`, nil).ErrorCode(t); code != "UNAUTHENTICATED" {
		t.Errorf("self-revoked token still works: %s", code)
	}
}

func TestRotateToken(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	old, id := newToken(t, srv, srv.AdminToken, map[string]any{"name": "ci", "scopes": []string{"READ"}})
	other := signUp(t, srv, "other@example.com")
	const q = `mutation($id: ID!) { rotateToken(id: $id) { secret token { id prefix name scopes } } }`

	refused(t, srv, other.session, q, map[string]any{"id": id}, "NOT_FOUND")
	refused(t, srv, "", q, map[string]any{"id": id}, "UNAUTHENTICATED")
	refused(t, srv, srv.AdminToken, q, map[string]any{"id": "999999"}, "NOT_FOUND")

	data := srv.Platform(t, srv.AdminToken, q, map[string]any{"id": id}).OK(t)
	fresh := testserver.Str(data, "rotateToken", "secret")
	if fresh == "" || fresh == old || !strings.HasPrefix(fresh, "gqb_") {
		t.Fatalf("rotated secret %q", fresh)
	}
	if got := testserver.Str(data, "rotateToken", "token", "id"); got != id {
		t.Errorf("rotation changed the id to %s", got)
	}
	if p := testserver.Str(data, "rotateToken", "token", "prefix"); !strings.HasPrefix(fresh, p) {
		t.Errorf("prefix %q is not the new secret's", p)
	}
	if code := srv.Platform(t, old, `{ me { kind } }`, nil).ErrorCode(t); code != "UNAUTHENTICATED" {
		t.Errorf("the old secret still works: %s", code)
	}
	me := srv.Platform(t, fresh, `{ me { scopes token { id name } } }`, nil).OK(t)
	if testserver.Str(me, "me", "token", "id") != id || strings.Join(scopesOf(testserver.Get(me, "me", "scopes")), ",") != "READ" {
		t.Errorf("the new secret acts as %v", me)
	}
	// A token may rotate itself.
	data = srv.Platform(t, fresh, q, map[string]any{"id": id}).OK(t)
	newest := testserver.Str(data, "rotateToken", "secret")
	srv.Platform(t, newest, `{ me { kind } }`, nil).OK(t)
	if code := srv.Platform(t, fresh, `{ me { kind } }`, nil).ErrorCode(t); code != "UNAUTHENTICATED" {
		t.Errorf("the secret a token rotated away still works: %s", code)
	}
}

func TestTokenScopesAreEnforced(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	reader, _ := newToken(t, srv, srv.AdminToken, map[string]any{"name": "reader", "scopes": []string{"READ"}})
	writer, _ := newToken(t, srv, srv.AdminToken, map[string]any{"name": "writer", "scopes": []string{"WRITE"}})
	ws := testserver.Str(srv.Platform(t, srv.AdminToken, `{ me { workspace { id } } }`, nil).OK(t), "me", "workspace", "id")

	srv.Platform(t, reader, `query($id: ID!) { workspace(id: $id) { name members { id } } }`, map[string]any{"id": ws}).OK(t)
	refused(t, srv, writer, `query($id: ID!) { workspace(id: $id) { name } }`, map[string]any{"id": ws}, "FORBIDDEN")
	refused(t, srv, reader, `mutation($id: ID!) { renameWorkspace(id: $id, name: "x") { id } }`, map[string]any{"id": ws}, "FORBIDDEN")
	refused(t, srv, reader, `mutation($id: ID!) { inviteMember(workspaceId: $id, email: "x@example.com", role: VIEWER) { secret } }`, map[string]any{"id": ws}, "FORBIDDEN")
	refused(t, srv, reader, `mutation($id: ID!) { deleteWorkspace(id: $id) }`, map[string]any{"id": ws}, "FORBIDDEN")
	refused(t, srv, srv.AdminToken, `mutation { createWorkspace(input: {name: "x"}) { id } }`, nil, "FORBIDDEN")
}

// TestTokenDescription: a token's description is part of the token, set with it and changed
// with it in one update, and bounded.
func TestTokenDescription(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	data := srv.Platform(t, srv.AdminToken, `mutation { createToken(input: {name: "ci", description: "for the nightly build", scopes: [READ]}) { token { id description } } }`, nil).OK(t)
	id := testserver.Str(data, "createToken", "token", "id")
	if d := testserver.Str(data, "createToken", "token", "description"); d != "for the nightly build" {
		t.Fatalf("description %q", d)
	}
	data = srv.Platform(t, srv.AdminToken, `mutation($id: ID!) { updateToken(id: $id, input: {name: "ci2", description: ""}) { name description } }`,
		map[string]any{"id": id}).OK(t)
	if testserver.Str(data, "updateToken", "name") != "ci2" || testserver.Str(data, "updateToken", "description") != "" {
		t.Fatalf("update: %v", data)
	}
	res := srv.Platform(t, srv.AdminToken, `mutation($id: ID!, $d: String!) { updateToken(id: $id, input: {name: "ci3", description: $d}) { name } }`,
		map[string]any{"id": id, "d": strings.Repeat("x", 5001)})
	if res.ErrorCode(t) != "BAD_USER_INPUT" {
		t.Fatalf("a long description: %v", res)
	}
	data = srv.Platform(t, srv.AdminToken, `query($id: ID!) { token(id: $id) { name } }`, map[string]any{"id": id}).OK(t)
	if testserver.Str(data, "token", "name") != "ci2" {
		t.Fatalf("a refused update changed the name: %v", data)
	}
}
