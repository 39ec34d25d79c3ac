package rest_test

import (
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

func TestWorkspaceLifecycle(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")

	data := srv.Platform(t, ann.session, `mutation { createWorkspace(input: {name: "  Acme  "}) { id name members { email role status user { email } } } }`, nil).OK(t)
	id := testserver.Str(data, "createWorkspace", "id")
	if n := testserver.Str(data, "createWorkspace", "name"); n != "Acme" {
		t.Errorf("name %q, want it trimmed", n)
	}
	if r := testserver.Str(data, "createWorkspace", "members", 0, "role"); r != "OWNER" {
		t.Errorf("creator's role %q, want OWNER", r)
	}
	if e := testserver.Str(data, "createWorkspace", "members", 0, "user", "email"); e != ann.email {
		t.Errorf("owner %q", e)
	}

	list := srv.Platform(t, ann.session, `{ workspaces { id name } }`, nil).OK(t)
	var names []string
	for _, w := range testserver.Get(list, "workspaces").([]any) {
		names = append(names, testserver.Str(w, "name"))
	}
	if got := strings.Join(names, ","); got != "ws of ann@example.com,Acme" {
		t.Errorf("workspaces %s, want both, oldest first", got)
	}
	// Tokens list their own workspace only.
	list = srv.Platform(t, srv.AdminToken, `{ workspaces { name } }`, nil).OK(t)
	if got := testserver.Str(list, "workspaces", 0, "name"); got != "Owner" || len(testserver.Get(list, "workspaces").([]any)) != 1 {
		t.Errorf("the admin token lists %v", list)
	}

	data = srv.Platform(t, ann.session, `mutation($id: ID!) { renameWorkspace(id: $id, name: "Acme Inc") { name } }`, map[string]any{"id": id}).OK(t)
	if n := testserver.Str(data, "renameWorkspace", "name"); n != "Acme Inc" {
		t.Errorf("renamed to %q", n)
	}
	if got := srv.Platform(t, ann.session, `mutation($id: ID!) { deleteWorkspace(id: $id) }`, map[string]any{"id": id}).OK(t); got["deleteWorkspace"] != true {
		t.Errorf("delete answered %v", got)
	}
	refused(t, srv, ann.session, `query($id: ID!) { workspace(id: $id) { name } }`, map[string]any{"id": id}, "NOT_FOUND")
	if n := count(t, srv, `SELECT count(*) FROM memberships WHERE workspace_id = $1`, id); n != 0 {
		t.Errorf("%d memberships outlived their workspace", n)
	}
}

func TestWorkspaceRefusals(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	tm := newTeam(t, srv)
	owner, admin, editor, viewer, stranger, ws := tm.owner, tm.admin, tm.editor, tm.viewer, tm.stranger, tm.ws

	const create = `mutation($name: String!) { createWorkspace(input: {name: $name}) { id } }`
	refused(t, srv, owner.session, create, map[string]any{"name": ""}, "BAD_USER_INPUT")
	refused(t, srv, owner.session, create, map[string]any{"name": "   "}, "BAD_USER_INPUT")
	refused(t, srv, owner.session, create, map[string]any{"name": strings.Repeat("w", 201)}, "BAD_USER_INPUT")
	refused(t, srv, srv.AdminToken, create, map[string]any{"name": "by a token"}, "FORBIDDEN")
	refused(t, srv, "", create, map[string]any{"name": "anonymous"}, "UNAUTHENTICATED")

	const rename = `mutation($id: ID!, $name: String!) { renameWorkspace(id: $id, name: $name) { name } }`
	refused(t, srv, owner.session, rename, map[string]any{"id": ws, "name": " "}, "BAD_USER_INPUT")
	refused(t, srv, editor.session, rename, map[string]any{"id": ws, "name": "x"}, "FORBIDDEN")
	refused(t, srv, viewer.session, rename, map[string]any{"id": ws, "name": "x"}, "FORBIDDEN")
	refused(t, srv, stranger.session, rename, map[string]any{"id": ws, "name": "x"}, "NOT_FOUND")
	refused(t, srv, owner.session, rename, map[string]any{"id": "999999", "name": "x"}, "NOT_FOUND")
	refused(t, srv, "", rename, map[string]any{"id": ws, "name": "x"}, "UNAUTHENTICATED")
	srv.Platform(t, admin.session, rename, map[string]any{"id": ws, "name": "renamed by an admin"}).OK(t)

	const del = `mutation($id: ID!) { deleteWorkspace(id: $id) }`
	refused(t, srv, admin.session, del, map[string]any{"id": ws}, "FORBIDDEN")
	refused(t, srv, editor.session, del, map[string]any{"id": ws}, "FORBIDDEN")
	refused(t, srv, stranger.session, del, map[string]any{"id": ws}, "NOT_FOUND")
	refused(t, srv, srv.AdminToken, del, map[string]any{"id": ws}, "NOT_FOUND")
	refused(t, srv, owner.session, del, map[string]any{"id": "999999"}, "NOT_FOUND")

	const read = `query($id: ID!) { workspace(id: $id) { name members { email role } } }`
	for _, member := range []*account{owner, admin, editor, viewer} {
		srv.Platform(t, member.session, read, map[string]any{"id": ws}).OK(t)
	}
	refused(t, srv, stranger.session, read, map[string]any{"id": ws}, "NOT_FOUND")
	refused(t, srv, stranger.session, read, map[string]any{"id": "999999"}, "NOT_FOUND")
}

// team is an owner's workspace with a member of each other role, each joined through an
// invitation, and a stranger outside it.
type team struct {
	ws                                     string
	owner, admin, editor, viewer, stranger *account
	adminM, editorM, viewerM               string // the members' membership ids
}

func newTeam(t *testing.T, srv *testserver.Server) *team {
	t.Helper()
	tm := &team{
		owner:    signUp(t, srv, "owner@example.com"),
		admin:    signUp(t, srv, "admin@example.com"),
		editor:   signUp(t, srv, "editor@example.com"),
		viewer:   signUp(t, srv, "viewer@example.com"),
		stranger: signUp(t, srv, "stranger@example.com"),
	}
	tm.ws = tm.owner.workspaceID
	tm.adminM = join(t, srv, tm.owner, tm.ws, tm.admin, "ADMIN")
	tm.editorM = join(t, srv, tm.owner, tm.ws, tm.editor, "EDITOR")
	tm.viewerM = join(t, srv, tm.owner, tm.ws, tm.viewer, "VIEWER")
	return tm
}

// join invites member into ws with role and accepts the invitation.
func join(t *testing.T, srv *testserver.Server, by *account, ws string, member *account, role string) string {
	t.Helper()
	data := srv.Platform(t, by.session, `mutation($ws: ID!, $email: String!, $role: Role!) { inviteMember(workspaceId: $ws, email: $email, role: $role) { member { id } secret } }`,
		map[string]any{"ws": ws, "email": member.email, "role": role}).OK(t)
	id := testserver.Str(data, "inviteMember", "member", "id")
	secret := testserver.Str(data, "inviteMember", "secret")
	data = srv.Platform(t, member.session, `mutation($s: String!) { acceptInvitation(secret: $s) { status role } }`, map[string]any{"s": secret}).OK(t)
	if s := testserver.Str(data, "acceptInvitation", "status"); s != "ACTIVE" {
		t.Fatalf("accepted invitation is %s", s)
	}
	return id
}

func TestRolesGiveScopes(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	owner := signUp(t, srv, "owner@example.com")
	want := map[string]string{
		"ADMIN":  "READ,WRITE,SCHEMA,FILES,ADMIN",
		"EDITOR": "READ,WRITE,SCHEMA,FILES",
		"VIEWER": "READ",
	}
	for role, scopes := range want {
		m := signUp(t, srv, strings.ToLower(role)+"@example.com")
		join(t, srv, owner, owner.workspaceID, m, role)
		// A user acts by default in its oldest workspace: the owner's, made before its own.
		me := srv.Platform(t, m.session, `{ me { scopes workspace { id } } }`, nil).OK(t)
		if got := testserver.Str(me, "me", "workspace", "id"); got != owner.workspaceID {
			t.Fatalf("%s: default workspace %s, want %s", role, got, owner.workspaceID)
		}
		if got := strings.Join(scopesOf(testserver.Get(me, "me", "scopes")), ","); got != scopes {
			t.Errorf("%s: scopes %s, want %s", role, got, scopes)
		}
		// Only admins (and owners) manage tokens.
		const createToken = `mutation { createToken(input: {name: "t", scopes: [READ]}) { secret } }`
		if role == "ADMIN" {
			srv.Platform(t, m.session, createToken, nil).OK(t)
		} else {
			refused(t, srv, m.session, createToken, nil, "FORBIDDEN")
		}
	}
}

func TestInvitations(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	owner := signUp(t, srv, "owner@example.com")
	admin := signUp(t, srv, "admin@example.com")
	editor := signUp(t, srv, "editor@example.com")
	stranger := signUp(t, srv, "stranger@example.com")
	ws := owner.workspaceID
	join(t, srv, owner, ws, admin, "ADMIN")
	join(t, srv, owner, ws, editor, "EDITOR")

	const invite = `mutation($ws: ID!, $email: String!, $role: Role!) { inviteMember(workspaceId: $ws, email: $email, role: $role) { member { id email role status user { id } workspace { id } } secret } }`
	// Inviting an email nobody uses yet makes a pending membership without a user.
	data := srv.Platform(t, owner.session, invite, map[string]any{"ws": ws, "email": " New@Example.com ", "role": "EDITOR"}).OK(t)
	pending := testserver.Get(data, "inviteMember", "member")
	secret := testserver.Str(data, "inviteMember", "secret")
	if testserver.Str(pending, "status") != "PENDING" || testserver.Str(pending, "email") != "new@example.com" ||
		testserver.Get(pending, "user") != nil || testserver.Str(pending, "role") != "EDITOR" {
		t.Errorf("invitation: %v", pending)
	}
	// The pending member cannot act in the workspace yet.
	invited := signUp(t, srv, "new@example.com")
	refused(t, srv, invited.session, `query($id: ID!) { workspace(id: $id) { name } }`, map[string]any{"id": ws}, "NOT_FOUND")
	// Signing up with the invited address does not attach the invitation: only its secret does.
	mine := srv.Platform(t, invited.session, `{ me { user { memberships { id status role workspace { id } } } } }`, nil).OK(t)
	for _, m := range testserver.Get(mine, "me", "user", "memberships").([]any) {
		if testserver.Str(m, "id") == testserver.Str(pending, "id") {
			t.Errorf("signing up with the invited address attached the invitation: %v", mine)
		}
	}

	cases := []struct {
		name, as string
		vars     map[string]any
		code     string
	}{
		{"bad email", owner.session, map[string]any{"ws": ws, "email": "nope", "role": "VIEWER"}, "BAD_USER_INPUT"},
		{"empty email", owner.session, map[string]any{"ws": ws, "email": "", "role": "VIEWER"}, "BAD_USER_INPUT"},
		{"already invited", owner.session, map[string]any{"ws": ws, "email": "NEW@example.com", "role": "VIEWER"}, "CONFLICT"},
		{"already a member", owner.session, map[string]any{"ws": ws, "email": editor.email, "role": "VIEWER"}, "CONFLICT"},
		{"unknown role", owner.session, map[string]any{"ws": ws, "email": "x@example.com", "role": "GOD"}, "GRAPHQL_VALIDATION_FAILED"},
		{"editor invites", editor.session, map[string]any{"ws": ws, "email": "x@example.com", "role": "VIEWER"}, "FORBIDDEN"},
		{"admin invites an owner", admin.session, map[string]any{"ws": ws, "email": "x@example.com", "role": "OWNER"}, "FORBIDDEN"},
		{"stranger invites", stranger.session, map[string]any{"ws": ws, "email": "x@example.com", "role": "VIEWER"}, "NOT_FOUND"},
		{"no such workspace", owner.session, map[string]any{"ws": "999999", "email": "x@example.com", "role": "VIEWER"}, "NOT_FOUND"},
		{"anonymous", "", map[string]any{"ws": ws, "email": "x@example.com", "role": "VIEWER"}, "UNAUTHENTICATED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { refused(t, srv, c.as, invite, c.vars, c.code) })
	}

	const accept = `mutation($s: String!) { acceptInvitation(secret: $s) { status } }`
	refused(t, srv, editor.session, accept, map[string]any{"s": secret}, "CONFLICT")
	refused(t, srv, srv.AdminToken, accept, map[string]any{"s": secret}, "FORBIDDEN")
	refused(t, srv, "", accept, map[string]any{"s": secret}, "UNAUTHENTICATED")
	refused(t, srv, invited.session, accept, map[string]any{"s": "gqi_nope"}, "NOT_FOUND")
	refused(t, srv, invited.session, accept, map[string]any{"s": " "}, "BAD_USER_INPUT")
	srv.Platform(t, invited.session, accept, map[string]any{"s": secret}).OK(t)
	refused(t, srv, invited.session, accept, map[string]any{"s": secret}, "NOT_FOUND")
	// Now an editor: can read, cannot administer.
	srv.Platform(t, invited.session, `query($id: ID!) { workspace(id: $id) { name } }`, map[string]any{"id": ws}).OK(t)
	refused(t, srv, invited.session, `mutation($id: ID!) { renameWorkspace(id: $id, name: "x") { id } }`, map[string]any{"id": ws}, "FORBIDDEN")

	// An admin token invites too; an owner invites owners.
	ownerWS := testserver.Str(srv.Platform(t, srv.AdminToken, `{ me { workspace { id } } }`, nil).OK(t), "me", "workspace", "id")
	srv.Platform(t, srv.AdminToken, invite, map[string]any{"ws": ownerWS, "email": "helper@example.com", "role": "ADMIN"}).OK(t)
	srv.Platform(t, owner.session, invite, map[string]any{"ws": ws, "email": "co-owner@example.com", "role": "OWNER"}).OK(t)
}

func TestMemberRolesAndRemoval(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	tm := newTeam(t, srv)
	owner, admin, editor, viewer, stranger, ws := tm.owner, tm.admin, tm.editor, tm.viewer, tm.stranger, tm.ws
	adminM, editorM, viewerM := tm.adminM, tm.editorM, tm.viewerM
	members := srv.Platform(t, owner.session, `query($id: ID!) { workspace(id: $id) { members { id role } } }`, map[string]any{"id": ws}).OK(t)
	ownerM := testserver.Str(members, "workspace", "members", 0, "id")
	strangerM := testserver.Str(srv.Platform(t, stranger.session, `query($id: ID!) { workspace(id: $id) { members { id } } }`,
		map[string]any{"id": stranger.workspaceID}).OK(t), "workspace", "members", 0, "id")

	const setRole = `mutation($id: ID!, $role: Role!) { updateMemberRole(memberId: $id, role: $role) { id role } }`
	const remove = `mutation($id: ID!) { removeMember(memberId: $id) }`
	cases := []struct {
		name, as, query string
		vars            map[string]any
		code            string
	}{
		{"the last owner demotes itself", owner.session, setRole, map[string]any{"id": ownerM, "role": "ADMIN"}, "CONFLICT"},
		{"the last owner leaves", owner.session, remove, map[string]any{"id": ownerM}, "CONFLICT"},
		{"an admin makes an owner", admin.session, setRole, map[string]any{"id": editorM, "role": "OWNER"}, "FORBIDDEN"},
		{"an admin demotes the owner", admin.session, setRole, map[string]any{"id": ownerM, "role": "VIEWER"}, "FORBIDDEN"},
		{"an admin removes the owner", admin.session, remove, map[string]any{"id": ownerM}, "FORBIDDEN"},
		{"an editor changes a role", editor.session, setRole, map[string]any{"id": viewerM, "role": "EDITOR"}, "FORBIDDEN"},
		{"an editor removes a viewer", editor.session, remove, map[string]any{"id": viewerM}, "FORBIDDEN"},
		{"a viewer promotes itself", viewer.session, setRole, map[string]any{"id": viewerM, "role": "ADMIN"}, "FORBIDDEN"},
		{"a stranger changes a role", stranger.session, setRole, map[string]any{"id": viewerM, "role": "EDITOR"}, "NOT_FOUND"},
		{"a stranger removes a member", stranger.session, remove, map[string]any{"id": viewerM}, "NOT_FOUND"},
		{"a member of another workspace", owner.session, setRole, map[string]any{"id": strangerM, "role": "VIEWER"}, "NOT_FOUND"},
		{"no such member", owner.session, remove, map[string]any{"id": "999999"}, "NOT_FOUND"},
		{"unknown role", owner.session, setRole, map[string]any{"id": viewerM, "role": "ROOT"}, "GRAPHQL_VALIDATION_FAILED"},
		{"anonymous", "", remove, map[string]any{"id": viewerM}, "UNAUTHENTICATED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { refused(t, srv, c.as, c.query, c.vars, c.code) })
	}

	// An admin changes roles below owner and removes members.
	data := srv.Platform(t, admin.session, setRole, map[string]any{"id": viewerM, "role": "EDITOR"}).OK(t)
	if r := testserver.Str(data, "updateMemberRole", "role"); r != "EDITOR" {
		t.Errorf("role %q", r)
	}
	srv.Platform(t, admin.session, remove, map[string]any{"id": editorM}).OK(t)
	refused(t, srv, editor.session, `query($id: ID!) { workspace(id: $id) { name } }`, map[string]any{"id": ws}, "NOT_FOUND")
	// A member may leave by itself.
	srv.Platform(t, viewer.session, remove, map[string]any{"id": viewerM}).OK(t)
	refused(t, srv, viewer.session, `query($id: ID!) { workspace(id: $id) { name } }`, map[string]any{"id": ws}, "NOT_FOUND")
	// With a second owner the first may step down.
	srv.Platform(t, owner.session, setRole, map[string]any{"id": adminM, "role": "OWNER"}).OK(t)
	srv.Platform(t, owner.session, setRole, map[string]any{"id": ownerM, "role": "VIEWER"}).OK(t)
	refused(t, srv, owner.session, `mutation($id: ID!) { renameWorkspace(id: $id, name: "x") { id } }`, map[string]any{"id": ws}, "FORBIDDEN")
	refused(t, srv, admin.session, setRole, map[string]any{"id": adminM, "role": "EDITOR"}, "CONFLICT")
}

func TestDeletingAWorkspaceEndsItsTokens(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	data := srv.Platform(t, ann.session, `mutation { createWorkspace(input: {name: "temp"}) { id } }`, nil).OK(t)
	ws := testserver.Str(data, "createWorkspace", "id")
	secret, _ := newToken(t, srv, ann.session, map[string]any{"workspaceId": ws, "name": "t", "scopes": []string{"READ"}})
	srv.Platform(t, secret, `{ me { kind } }`, nil).OK(t)
	srv.Platform(t, ann.session, `mutation($id: ID!) { deleteWorkspace(id: $id) }`, map[string]any{"id": ws}).OK(t)
	resp := srv.Platform(t, secret, `{ me { kind } }`, nil)
	if code := resp.ErrorCode(t); code != "UNAUTHENTICATED" {
		t.Errorf("token of a deleted workspace: %s", resp.Raw)
	}
	if n := count(t, srv, `SELECT count(*) FROM api_tokens WHERE workspace_id = $1`, ws); n != 0 {
		t.Errorf("%d tokens outlived their workspace", n)
	}
}
