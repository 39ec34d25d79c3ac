package rest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// An ADMIN member must not mint a token and with it make itself OWNER, demote or remove the
// owner, or delete the workspace; the token's rights follow its creator's current role.
func TestAdminTokenCannotTakeOverTheWorkspace(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	owner := signUp(t, srv, "owner@example.com")
	admin := signUp(t, srv, "admin@example.com")
	ws := owner.workspaceID
	adminM := join(t, srv, owner, ws, admin, "ADMIN")
	ownerM := testserver.Str(srv.Platform(t, owner.session, `query($id: ID!) { workspace(id: $id) { members { id } } }`, map[string]any{"id": ws}).OK(t), "workspace", "members", 0, "id")
	all := []string{"READ", "WRITE", "SCHEMA", "FILES", "ADMIN"}
	tok, tokID := newToken(t, srv, admin.session, map[string]any{"workspaceId": ws, "name": "mine", "scopes": all})
	// A token made by that token acts for the admin too.
	child, _ := newToken(t, srv, tok, map[string]any{"name": "child", "scopes": all})
	_, ownersTokenID := newToken(t, srv, owner.session, map[string]any{"workspaceId": ws, "name": "owner's", "scopes": all})

	for _, as := range []string{tok, child} {
		refused(t, srv, as, setRoleQ, map[string]any{"id": adminM, "role": "OWNER"}, "FORBIDDEN")
		refused(t, srv, as, setRoleQ, map[string]any{"id": ownerM, "role": "VIEWER"}, "FORBIDDEN")
		refused(t, srv, as, removeQ, map[string]any{"id": ownerM}, "FORBIDDEN")
		refused(t, srv, as, inviteQ, map[string]any{"ws": ws, "email": "accomplice@example.com", "role": "OWNER"}, "FORBIDDEN")
		refused(t, srv, as, deleteWSQ, map[string]any{"id": ws}, "FORBIDDEN")
		// The owner's token acts as an owner: its secret must stay out of an admin's reach.
		refused(t, srv, as, rotateTokenQ, map[string]any{"id": ownersTokenID}, "FORBIDDEN")
	}
	// What an admin may do, its token does.
	viewerM := testserver.Str(srv.Platform(t, tok, inviteQ, map[string]any{"ws": ws, "email": "viewer@example.com", "role": "VIEWER"}).OK(t), "inviteMember", "member", "id")
	srv.Platform(t, tok, setRoleQ, map[string]any{"id": viewerM, "role": "EDITOR"}).OK(t)

	// Demoting the creator shrinks its tokens at once.
	srv.Platform(t, owner.session, setRoleQ, map[string]any{"id": adminM, "role": "EDITOR"}).OK(t)
	for _, as := range []string{tok, child} {
		if got := myScopes(t, srv, as); got != "READ,WRITE,SCHEMA,FILES" {
			t.Errorf("token of a demoted editor acts with %s", got)
		}
		refused(t, srv, as, inviteQ, map[string]any{"ws": ws, "email": "late@example.com", "role": "VIEWER"}, "FORBIDDEN")
	}
	srv.Platform(t, owner.session, setRoleQ, map[string]any{"id": adminM, "role": "VIEWER"}).OK(t)
	if got := myScopes(t, srv, tok); got != "READ" {
		t.Errorf("token of a viewer acts with %s", got)
	}
	// The creator leaves: its tokens stop working.
	srv.Platform(t, owner.session, removeQ, map[string]any{"id": adminM}).OK(t)
	for _, as := range []string{tok, child} {
		resp := srv.Platform(t, as, meScopesQ, nil)
		if code := resp.ErrorCode(t); code != "UNAUTHENTICATED" || !strings.Contains(resp.Errors[0].Message, "no longer a member") {
			t.Errorf("token of a removed member: %s", resp.Raw)
		}
	}
	active := srv.Platform(t, owner.session, `query($id: ID!) { token(id: $id) { active } }`, map[string]any{"id": tokID}).OK(t)
	if testserver.Get(active, "token", "active") != false {
		t.Errorf("the token of a removed member is listed as active: %v", active)
	}

	// An owner's token does what an owner does.
	ownersToken, _ := newToken(t, srv, owner.session, map[string]any{"workspaceId": ws, "name": "owner's 2", "scopes": all})
	srv.Platform(t, ownersToken, inviteQ, map[string]any{"ws": ws, "email": "co-owner@example.com", "role": "OWNER"}).OK(t)
	srv.Platform(t, ownersToken, rotateTokenQ, map[string]any{"id": ownersTokenID}).OK(t)
	// The bootstrap token, made without a creator, keeps its rights.
	if got := myScopes(t, srv, srv.AdminToken); got != "READ,WRITE,SCHEMA,FILES,ADMIN" {
		t.Errorf("the bootstrap token acts with %s", got)
	}
	srv.Platform(t, ownersToken, deleteWSQ, map[string]any{"id": ws}).OK(t)
}

// A subscription made with a token ends when the token's creator leaves the workspace.
func TestTokenOfARemovedCreatorEndsSubscription(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "age", "type": "INTEGER"})
	ws := testserver.Str(e.ok(t, `{ me { workspace { id } } }`, nil), "me", "workspace", "id")
	member := signUp(t, e.srv, "member@example.com")
	invited := e.ok(t, inviteQ, map[string]any{"ws": ws, "email": member.email, "role": "ADMIN"})
	memberID := testserver.Str(invited, "inviteMember", "member", "id")
	e.srv.Platform(t, member.session, `mutation($s: String!) { acceptInvitation(secret: $s) { id } }`,
		map[string]any{"s": testserver.Str(invited, "inviteMember", "secret")}).OK(t)
	secret, _ := newToken(t, e.srv, member.session, map[string]any{"workspaceId": ws, "name": "reader", "scopes": []string{"READ"}})
	c := subscribe(t, e.srv, secret, "s1", rowEventsSub, map[string]any{"t": table})
	e.waitSubscribed(t, c, table, map[string]any{"name": "probe", "age": 0})

	e.ok(t, removeQ, map[string]any{"id": memberID})
	m := c.expectType("error", 10*time.Second)
	if !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
		t.Fatalf("subscription of a removed creator's token ended with %s", m.Payload)
	}
}
