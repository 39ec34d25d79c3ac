package airsequel_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// The Airsequel token routes call the platform's token resolvers, so they keep the same
// rules: no token beyond its creator's rights or expiry, and the lifetime cap. A refused
// request says why and changes nothing.
func TestTokenRoutesKeepTokenRights(t *testing.T) {
	e := newEnv(t)
	shop := e.createDB(t, "shop", "")
	other := e.createDB(t, "other", "")
	perm := func(db, name string) []any { return []any{map[string]any{"db_id": db, "name": name}} }
	platformToken := func(in map[string]any) (string, string) {
		t.Helper()
		in["name"] = "t"
		data := e.srv.Platform(t, e.token, `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret token { id } } }`,
			map[string]any{"in": in}).OK(t)
		return testserver.Str(data, "createToken", "secret"), testserver.Str(data, "createToken", "token", "id")
	}
	as := func(token string, sc apitest.Scenario, status int, code, message string) apitest.Scenario {
		sc.Client = e.client(token)
		return fail(sc, status, code, message)
	}
	req := func(method, path string, body any) apitest.Scenario {
		return apitest.Scenario{Method: method, Path: path, Body: body}
	}

	// The cap holds for expiration_utc on creation and update.
	const farAway = "9999-12-31T00:00:00Z"
	id := e.ok(t, 200, "POST", "/api/tokens", map[string]any{"name": "x", "permissions": perm(shop, "read")}).str("id")
	const capped = "a token expires at most 3650 days from now"
	rn := e.runner()
	rn.Run(t,
		bad("POST", "/api/tokens", map[string]any{"name": "x", "expiration_utc": farAway, "permissions": perm(shop, "read")},
			400, "BAD_USER_INPUT", capped),
		bad("PATCH", "/api/tokens/"+id, map[string]any{"expiration_utc": map[string]any{"tag": "TextValue", "contents": farAway}},
			400, "BAD_USER_INPUT", capped),
	)

	// A token expiring in an hour makes no token that outlives it.
	hour := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	short, _ := platformToken(map[string]any{"scopes": []string{"READ", "WRITE", "ADMIN"}, "expiresAt": hour})
	rn.Run(t,
		as(short, req("POST", "/api/tokens", map[string]any{"name": "x", "expiration_utc": nil, "permissions": perm(shop, "read")}),
			403, "FORBIDDEN", "never expiring is beyond the caller's own expiry"),
		as(short, req("POST", "/api/tokens", map[string]any{"name": "x", "expiration_utc": time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339),
			"permissions": perm(shop, "read")}), 403, "FORBIDDEN", "is beyond the caller's own expiry"),
		as(short, req("PATCH", "/api/tokens/"+id, map[string]any{"expiration_utc": map[string]any{"tag": "TextNull"}}),
			403, "FORBIDDEN", "which grants more than the caller: never expiring is beyond the caller's own expiry"),
		apitest.Scenario{Name: "a shorter token", Client: e.client(short), Method: "POST", Path: "/api/tokens",
			Body: map[string]any{"name": "x", "expiration_utc": time.Now().Add(30 * time.Minute).UTC().Format(time.RFC3339),
				"permissions": perm(shop, "write")}, Status: 200, Changes: true},
	)

	// A token restricted to shop hands on shop only and does not manage the team's tokens.
	restricted, _ := platformToken(map[string]any{"scopes": []string{"READ", "WRITE", "ADMIN"}, "neverExpires": true,
		"databases": []any{map[string]any{"databaseId": shop, "access": "WRITE"}}})
	_, wide := platformToken(map[string]any{"scopes": []string{"READ"}, "neverExpires": true})
	beyond := "a token restricted to some databases reaches only tokens within its own rights, and token " + wide + " is not"
	rn.Run(t,
		as(restricted, req("POST", "/api/tokens", map[string]any{"name": "x", "permissions": perm(other, "read")}),
			403, "FORBIDDEN", "cannot create this token: read access to database "+other+" is beyond the caller's own"),
		as(restricted, req("GET", "/api/teams/Owner/tokens", nil),
			403, "FORBIDDEN", "a token restricted to some databases cannot act on the workspace as a whole"),
		as(restricted, req("GET", "/api/tokens/"+wide, nil), 403, "FORBIDDEN", beyond),
		as(restricted, req("PATCH", "/api/tokens/"+wide, map[string]any{"name": "mine"}), 403, "FORBIDDEN", beyond),
		as(restricted, req("DELETE", "/api/tokens/"+wide, nil), 403, "FORBIDDEN", beyond),
		// A token within its rights it may see, but not widen.
		apitest.Scenario{Name: "a token within its rights", Client: e.client(restricted), Method: "GET", Path: "/api/tokens/" + id,
			Status: 200, JSON: map[string]any{"id": json.Number(id)}},
		as(restricted, req("PATCH", "/api/tokens/"+id, map[string]any{"permissions": perm(other, "write")}),
			403, "FORBIDDEN", "cannot give token "+id+" these rights: write access to database "+other+" is beyond the caller's own"),
	)
	made := e.do(t, "POST", "/api/tokens", restricted, map[string]any{"name": "x", "permissions": perm(shop, "read")})
	if made.status != 200 {
		t.Fatalf("a restricted token making a narrower one: %d %s", made.status, made.raw)
	}
	rn.Run(t,
		apitest.Scenario{Name: "the narrower token reads shop", Client: e.client(made.str("body")), Method: "GET", Path: "/api/dbs/" + shop,
			Status: 200, JSON: map[string]any{"id": shop}},
		as(made.str("body"), req("GET", "/api/dbs/"+other, nil), 403, "FORBIDDEN", "this token has no access to database "+other),
	)
}
