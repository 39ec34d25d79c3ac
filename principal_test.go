package gqlbase

import (
	"testing"
	"time"
)

func TestRightsCovers(t *testing.T) {
	now := time.Now()
	hour, day := now.Add(time.Hour), now.Add(24*time.Hour)
	all := Rights{Scopes: AllScopes, Role: RoleOwner}
	cases := []struct {
		name        string
		held, asked Rights
		field       string // "" when covered; else the field the refusal names
	}{
		{"equal", all, all, ""},
		{"fewer scopes", all, Rights{Scopes: []Scope{ScopeRead}, Role: RoleOwner}, ""},
		{"no scopes", Rights{}, Rights{}, ""},
		{"a scope more", Rights{Scopes: []Scope{ScopeRead}}, Rights{Scopes: []Scope{ScopeRead, ScopeWrite}}, "scopes"},
		{"a lower role", all, Rights{Scopes: AllScopes, Role: RoleAdmin}, ""},
		{"a higher role", Rights{Scopes: AllScopes, Role: RoleAdmin}, all, ""},
		{"a role without any", Rights{}, Rights{Role: RoleViewer}, ""},
		{"restricted under unrestricted", all, Rights{Scopes: AllScopes, Role: RoleOwner, Databases: map[int64]DatabaseAccess{1: AccessWrite}}, ""},
		{"unrestricted under restricted", Rights{Databases: map[int64]DatabaseAccess{1: AccessWrite}}, Rights{}, "databases"},
		{"same database", Rights{Databases: map[int64]DatabaseAccess{1: AccessWrite, 2: AccessRead}}, Rights{Databases: map[int64]DatabaseAccess{2: AccessRead}}, ""},
		{"read under write", Rights{Databases: map[int64]DatabaseAccess{1: AccessWrite}}, Rights{Databases: map[int64]DatabaseAccess{1: AccessRead}}, ""},
		{"write under read", Rights{Databases: map[int64]DatabaseAccess{1: AccessRead}}, Rights{Databases: map[int64]DatabaseAccess{1: AccessWrite}}, "databases"},
		{"another database", Rights{Databases: map[int64]DatabaseAccess{1: AccessWrite}}, Rights{Databases: map[int64]DatabaseAccess{2: AccessRead}}, "databases"},
		{"empty restriction under restricted", Rights{Databases: map[int64]DatabaseAccess{1: AccessRead}}, Rights{Databases: map[int64]DatabaseAccess{}}, ""},
		{"expiring under never", all, Rights{Scopes: AllScopes, Role: RoleOwner, ExpiresAt: &day}, ""},
		{"earlier expiry", Rights{ExpiresAt: &day}, Rights{ExpiresAt: &hour}, ""},
		{"same expiry", Rights{ExpiresAt: &hour}, Rights{ExpiresAt: &hour}, ""},
		{"later expiry", Rights{ExpiresAt: &hour}, Rights{ExpiresAt: &day}, "expiresAt"},
		{"never under expiring", Rights{ExpiresAt: &hour}, Rights{}, "expiresAt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.held.Covers(c.asked)
			// The role case has no field; tell it apart by the rank comparison.
			wantRefused := c.field != "" || roleRank(c.asked.Role) > roleRank(c.held.Role)
			if !wantRefused {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := AsError(err)
			if !ok || e.Code != CodeForbidden {
				t.Fatalf("got %v, want FORBIDDEN", err)
			}
			if e.Field != c.field {
				t.Errorf("field %q, want %q", e.Field, c.field)
			}
		})
	}
}

func TestTokenRightsFollowTheCreatorsRole(t *testing.T) {
	user := int64(7)
	tok := &Token{Scopes: AllScopes, CreatedBy: &user}
	for _, c := range []struct {
		role   Role
		scopes int
	}{{RoleOwner, 5}, {RoleAdmin, 5}, {RoleEditor, 4}, {RoleViewer, 1}, {"", 0}} {
		tok.CreatorRole = c.role
		r := tok.Rights()
		if len(r.Scopes) != c.scopes || r.Role != c.role {
			t.Errorf("creator %q: scopes %v role %q, want %d scopes acting as %q", c.role, r.Scopes, r.Role, c.scopes, c.role)
		}
	}
	// A token without a creator keeps its stored rights and acts as an owner.
	r := (&Token{Scopes: []Scope{ScopeRead, ScopeAdmin}}).Rights()
	if len(r.Scopes) != 2 || r.Role != RoleOwner {
		t.Errorf("creator-less token: %+v", r)
	}
}

func TestDatabaseRestrictedPrincipalHoldsNoWorkspaceAdmin(t *testing.T) {
	p := &Principal{Kind: PrincipalToken, WorkspaceID: 1, Scopes: AllScopes, Role: RoleOwner,
		Databases: map[int64]DatabaseAccess{10: AccessWrite}}
	if err := p.Require(1, ScopeAdmin); ErrorCode(err) != CodeForbidden {
		t.Errorf("Require(admin) of a restricted token: %v, want FORBIDDEN", err)
	}
	if err := p.RequireWorkspace(1, ScopeRead); ErrorCode(err) != CodeForbidden {
		t.Errorf("RequireWorkspace(read) of a restricted token: %v, want FORBIDDEN", err)
	}
	if err := p.RequireOwner(1, "delete a workspace"); ErrorCode(err) != CodeForbidden {
		t.Errorf("RequireOwner of a restricted token: %v, want FORBIDDEN", err)
	}
	// Within its databases it keeps what its scopes give, admin included.
	if err := p.RequireDatabase(1, 10, ScopeAdmin); err != nil {
		t.Errorf("RequireDatabase(admin) on its own database: %v", err)
	}
	if err := p.Require(1, ScopeRead); err != nil {
		t.Errorf("Require(read): %v", err)
	}
	p.Databases = nil
	if err := p.Require(1, ScopeAdmin); err != nil {
		t.Errorf("Require(admin) of an unrestricted token: %v", err)
	}
}

func TestRequireOwnerNeedsTheOwnerRole(t *testing.T) {
	admin := &Principal{Kind: PrincipalUser, UserID: 1, Roles: map[int64]Role{1: RoleAdmin}}
	owner := &Principal{Kind: PrincipalUser, UserID: 2, Roles: map[int64]Role{1: RoleOwner}}
	adminsToken := &Principal{Kind: PrincipalToken, WorkspaceID: 1, Scopes: AllScopes, Role: RoleAdmin, CreatorID: 1}
	ownersToken := &Principal{Kind: PrincipalToken, WorkspaceID: 1, Scopes: AllScopes, Role: RoleOwner, CreatorID: 2}
	for _, p := range []*Principal{admin, adminsToken} {
		if err := p.RequireOwner(1, "x"); ErrorCode(err) != CodeForbidden {
			t.Errorf("%s acting as %s: %v, want FORBIDDEN", p.Kind, p.RoleIn(1), err)
		}
	}
	for _, p := range []*Principal{owner, ownersToken} {
		if err := p.RequireOwner(1, "x"); err != nil {
			t.Errorf("%s acting as %s: %v", p.Kind, p.RoleIn(1), err)
		}
	}
}
