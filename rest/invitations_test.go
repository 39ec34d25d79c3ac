package rest_test

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestInvitationSquattingNeedsTheSecret: an invitation to an address nobody uses yet does not
// go to whoever signs up first with that address. Only the invitation's own secret, returned
// once to the inviter, joins; and sign-up does not tell whether an address is registered.
func TestInvitationSquattingNeedsTheSecret(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	owner := signUp(t, srv, "owner@example.com")
	ws := owner.workspaceID
	const invite = `mutation($ws: ID!, $email: String!, $role: Role!) {
		inviteMember(workspaceId: $ws, email: $email, role: $role) { member { id email status user { id } } secret } }`
	data := srv.Platform(t, owner.session, invite, map[string]any{"ws": ws, "email": "victim@example.com", "role": "ADMIN"}).OK(t)
	memberID := testserver.Str(data, "inviteMember", "member", "id")
	secret := testserver.Str(data, "inviteMember", "secret")
	if !strings.HasPrefix(secret, "gqi_") || len(secret) < 50 {
		t.Fatalf("invitation secret %q: want a long random gqi_ secret", secret)
	}
	if testserver.Get(data, "inviteMember", "member", "user") != nil {
		t.Errorf("a fresh invitation already belongs to a user: %v", data)
	}
	// Only the secret's SHA-256 is stored.
	sum := sha256.Sum256([]byte(secret))
	if n := count(t, srv, `SELECT count(*) FROM memberships WHERE id = $1 AND invitation_hash = $2`, memberID, sum[:]); n != 1 {
		t.Errorf("the invitation is not stored by the hash of its secret")
	}
	if n := count(t, srv, `SELECT count(*) FROM memberships m WHERE row_to_json(m)::text LIKE '%' || $1 || '%'`, secret); n != 0 {
		t.Errorf("the invitation secret is stored in clear")
	}

	// The squatter signs up first with the invited address: it joins nothing, sees nothing,
	// and cannot accept without the secret.
	squatter := signUp(t, srv, "victim@example.com")
	refused(t, srv, squatter.session, `query($id: ID!) { workspace(id: $id) { name } }`, map[string]any{"id": ws}, "NOT_FOUND")
	mine := srv.Platform(t, squatter.session, `{ me { user { memberships { id } } } }`, nil).OK(t)
	for _, m := range testserver.Get(mine, "me", "user", "memberships").([]any) {
		if testserver.Str(m, "id") == memberID {
			t.Fatalf("signing up with the invited address attached the invitation")
		}
	}
	const accept = `mutation($s: String!) { acceptInvitation(secret: $s) { id email status role user { email } } }`
	refused(t, srv, squatter.session, accept, map[string]any{"s": "gqi_" + strings.Repeat("A", 52)}, "NOT_FOUND")
	refused(t, srv, squatter.session, `mutation($id: String!) { acceptInvitation(secret: $id) { id } }`, map[string]any{"id": memberID}, "NOT_FOUND")
	if n := count(t, srv, `SELECT count(*) FROM memberships WHERE id = $1 AND status = 'PENDING' AND user_id IS NULL`, memberID); n != 1 {
		t.Fatalf("the invitation is no longer pending and unattached")
	}

	// The person the secret was delivered to accepts it, whatever address they signed up with.
	invitee := signUp(t, srv, "victim.real@example.org")
	data = srv.Platform(t, invitee.session, accept, map[string]any{"s": secret}).OK(t)
	if testserver.Str(data, "acceptInvitation", "id") != memberID || testserver.Str(data, "acceptInvitation", "status") != "ACTIVE" ||
		testserver.Str(data, "acceptInvitation", "role") != "ADMIN" || testserver.Str(data, "acceptInvitation", "user", "email") != invitee.email ||
		testserver.Str(data, "acceptInvitation", "email") != invitee.email {
		t.Errorf("accepted invitation: %v", data)
	}
	srv.Platform(t, invitee.session, `query($id: ID!) { workspace(id: $id) { name } }`, map[string]any{"id": ws}).OK(t)
	// The secret works once; the squatter is still out.
	refused(t, srv, squatter.session, accept, map[string]any{"s": secret}, "NOT_FOUND")
	refused(t, srv, squatter.session, `query($id: ID!) { workspace(id: $id) { name } }`, map[string]any{"id": ws}, "NOT_FOUND")

	// An address that already has an account is no different: logging in as it joins nothing.
	data = srv.Platform(t, owner.session, invite, map[string]any{"ws": ws, "email": squatter.email, "role": "VIEWER"}).OK(t)
	second := testserver.Str(data, "inviteMember", "secret")
	if testserver.Get(data, "inviteMember", "member", "user") != nil {
		t.Errorf("an invitation to a registered address went to its account at once: %v", data)
	}
	refused(t, srv, squatter.session, `query($id: ID!) { workspace(id: $id) { name } }`, map[string]any{"id": ws}, "NOT_FOUND")
	// A member cannot take a second membership with another invitation's secret.
	refused(t, srv, invitee.session, accept, map[string]any{"s": second}, "CONFLICT")

	// Sign-up does not say whether an address is registered: a taken address (in any case)
	// gets exactly the answer of an address sign-up cannot use at all.
	const signUpQ = `mutation($in: SignUpInput!) { signUp(input: $in) { token } }`
	answer := func(email, password string) string {
		resp := refused(t, srv, "", signUpQ, map[string]any{"in": map[string]any{"email": email, "password": password}}, "BAD_USER_INPUT")
		e := resp.Errors[0]
		return e.Code() + "|" + e.Message + "|" + testserver.Str(e.Extensions, "field") + "|" + jsonOf(resp.Data)
	}
	malformed := answer("not-an-address", "long enough password")
	for _, taken := range []string{"victim@example.com", "VICTIM@example.com", owner.email} {
		if got := answer(taken, "long enough password"); got != malformed {
			t.Errorf("sign-up with the registered %s answers\n%s\nbut with a malformed address\n%s", taken, got, malformed)
		}
		if strings.Contains(strings.ToLower(answer(taken, "another password")), "exist") {
			t.Errorf("sign-up with the registered %s says it exists", taken)
		}
		// Other input is checked first, exactly as for a fresh address.
		if got, fresh := answer(taken, "short"), answer("fresh@example.com", "short"); got != fresh {
			t.Errorf("a short password with the registered %s answers %s, with a fresh address %s", taken, got, fresh)
		}
	}
}
