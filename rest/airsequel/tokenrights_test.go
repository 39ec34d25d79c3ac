package airsequel_test

import (
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// The Airsequel token routes call the platform's token resolvers, so they keep the same
// rules: no token beyond its creator's rights or expiry, and the lifetime cap.
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
	status := func(method, path, token string, body any, want int) {
		t.Helper()
		if r := e.do(t, method, path, token, body); r.status != want {
			t.Errorf("%s %s %v: %d %s, want %d", method, path, body, r.status, r.raw, want)
		}
	}

	// The cap holds for expiration_utc on creation and update.
	const farAway = "9999-12-31T00:00:00Z"
	status("POST", "/api/tokens", e.token, map[string]any{"name": "x", "expiration_utc": farAway, "permissions": perm(shop, "read")}, 400)
	id := e.ok(t, 200, "POST", "/api/tokens", map[string]any{"name": "x", "permissions": perm(shop, "read")}).str("id")
	status("PATCH", "/api/tokens/"+id, e.token, map[string]any{"expiration_utc": map[string]any{"tag": "TextValue", "contents": farAway}}, 400)

	// A token expiring in an hour makes no token that outlives it.
	hour := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	short, _ := platformToken(map[string]any{"scopes": []string{"READ", "WRITE", "ADMIN"}, "expiresAt": hour})
	status("POST", "/api/tokens", short, map[string]any{"name": "x", "expiration_utc": nil, "permissions": perm(shop, "read")}, 403)
	status("POST", "/api/tokens", short, map[string]any{"name": "x", "expiration_utc": time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339),
		"permissions": perm(shop, "read")}, 403)
	status("PATCH", "/api/tokens/"+id, short, map[string]any{"expiration_utc": map[string]any{"tag": "TextNull"}}, 403)
	status("POST", "/api/tokens", short, map[string]any{"name": "x", "expiration_utc": time.Now().Add(30 * time.Minute).UTC().Format(time.RFC3339),
		"permissions": perm(shop, "write")}, 200)

	// A token restricted to shop hands on shop only and does not manage the team's tokens.
	restricted, _ := platformToken(map[string]any{"scopes": []string{"READ", "WRITE", "ADMIN"}, "neverExpires": true,
		"databases": []any{map[string]any{"databaseId": shop, "access": "WRITE"}}})
	status("POST", "/api/tokens", restricted, map[string]any{"name": "x", "permissions": perm(other, "read")}, 403)
	status("GET", "/api/teams/Owner/tokens", restricted, nil, 403)
	_, wide := platformToken(map[string]any{"scopes": []string{"READ"}, "neverExpires": true})
	status("GET", "/api/tokens/"+wide, restricted, nil, 403)
	status("PATCH", "/api/tokens/"+wide, restricted, map[string]any{"name": "mine"}, 403)
	status("DELETE", "/api/tokens/"+wide, restricted, nil, 403)
	// A token within its rights it may see, but not widen.
	status("GET", "/api/tokens/"+id, restricted, nil, 200)
	status("PATCH", "/api/tokens/"+id, restricted, map[string]any{"permissions": perm(other, "write")}, 403)
	made := e.do(t, "POST", "/api/tokens", restricted, map[string]any{"name": "x", "permissions": perm(shop, "read")})
	if made.status != 200 {
		t.Fatalf("a restricted token making a narrower one: %d %s", made.status, made.raw)
	}
	status("GET", "/api/dbs/"+shop, made.str("body"), nil, 200)
	status("GET", "/api/dbs/"+other, made.str("body"), nil, 403)
}
