package rest_test

import (
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestEnumVariablesAreChecked: an enum value passed in a variable must be one of the enum's
// names; a near miss (lower case) is refused and changes nothing.
func TestEnumVariablesAreChecked(t *testing.T) {
	srv := testserver.Start(t)
	before := srv.Platform(t, srv.AdminToken, `{ tokens { id } }`, nil).OK(t)
	resp := srv.Platform(t, srv.AdminToken, `mutation($s: [Scope!]!) { createToken(input: {name: "x", scopes: $s}) { secret } }`,
		map[string]any{"s": []string{"read"}})
	if code := resp.ErrorCode(t); code != "BAD_USER_INPUT" {
		t.Fatalf("lower-case scope: code %s (%s)", code, resp.Raw)
	}
	after := srv.Platform(t, srv.AdminToken, `{ tokens { id } }`, nil).OK(t)
	if len(after["tokens"].([]any)) != len(before["tokens"].([]any)) {
		t.Fatal("a token was created with an invalid scope")
	}
	resp = srv.Platform(t, srv.AdminToken, `mutation($r: Role!) { inviteMember(workspaceId: "1", email: "a@b.co", role: $r) { member { id } } }`,
		map[string]any{"r": "owner"})
	if code := resp.ErrorCode(t); code != "BAD_USER_INPUT" {
		t.Fatalf("lower-case role: code %s (%s)", code, resp.Raw)
	}
}
