package storage_test

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func newWorkspace(t *testing.T, st *storage.Store, name string) *gqlbase.Workspace {
	t.Helper()
	ws, err := st.CreateWorkspace(context.Background(), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func sameToken(t *testing.T, what string, got, want *gqlbase.Token) {
	t.Helper()
	if got.ID != want.ID || got.WorkspaceID != want.WorkspaceID || got.Name != want.Name || got.Prefix != want.Prefix ||
		!slices.Equal(got.Scopes, want.Scopes) || !reflect.DeepEqual(got.Databases, want.Databases) ||
		!sameTime(got.ExpiresAt, want.ExpiresAt) || !sameTime(got.RevokedAt, want.RevokedAt) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func TestTokenRoundTrips(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, st, "w")
	owner, err := st.CreateUser(ctx, "owner@example.com", "", "hash")
	if err != nil {
		t.Fatal(err)
	}

	secret := gqlbase.NewSecret(gqlbase.TokenPrefix)
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	in := &gqlbase.Token{
		WorkspaceID: ws.ID, Name: "restricted", Prefix: gqlbase.DisplayPrefix(secret),
		Scopes:    []gqlbase.Scope{gqlbase.ScopeRead, gqlbase.ScopeWrite},
		Databases: map[int64]gqlbase.DatabaseAccess{7: gqlbase.AccessRead, 9: gqlbase.AccessWrite},
		ExpiresAt: &exp,
	}
	created, err := st.CreateToken(ctx, in, gqlbase.HashSecret(secret), &owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == 0 || created.CreatedAt.IsZero() || created.LastUsedAt != nil || created.RevokedAt != nil {
		t.Errorf("created token: %+v", created)
	}
	in.ID = created.ID
	sameToken(t, "created", created, in)

	byHash, err := st.TokenByHash(ctx, gqlbase.HashSecret(secret))
	if err != nil {
		t.Fatal(err)
	}
	sameToken(t, "by hash", byHash, in)
	byID, err := st.GetToken(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameToken(t, "by id", byID, in)
	if _, err := st.TokenByHash(ctx, gqlbase.HashSecret(secret+"x")); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Errorf("unknown hash: %v, want NOT_FOUND", err)
	}
	if _, err := st.GetToken(ctx, created.ID+1000); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Errorf("unknown id: %v, want NOT_FOUND", err)
	}
	// The same secret twice is a conflict (and never stored twice).
	if _, err := st.CreateToken(ctx, in, gqlbase.HashSecret(secret), nil); gqlbase.ErrorCode(err) != gqlbase.CodeConflict {
		t.Errorf("duplicate hash: %v, want CONFLICT", err)
	}

	// An unrestricted, never-expiring token.
	plainSecret := gqlbase.NewSecret(gqlbase.TokenPrefix)
	plain, err := st.CreateToken(ctx, &gqlbase.Token{WorkspaceID: ws.ID, Name: "plain", Prefix: gqlbase.DisplayPrefix(plainSecret),
		Scopes: gqlbase.AllScopes}, gqlbase.HashSecret(plainSecret), nil)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Databases != nil || plain.ExpiresAt != nil {
		t.Errorf("plain token: databases %v, expiry %v; want none", plain.Databases, plain.ExpiresAt)
	}
	// An empty restriction (no database at all) stays distinct from none.
	noneSecret := gqlbase.NewSecret(gqlbase.TokenPrefix)
	none, err := st.CreateToken(ctx, &gqlbase.Token{WorkspaceID: ws.ID, Name: "nothing", Prefix: gqlbase.DisplayPrefix(noneSecret),
		Scopes: []gqlbase.Scope{gqlbase.ScopeRead}, Databases: map[int64]gqlbase.DatabaseAccess{}}, gqlbase.HashSecret(noneSecret), nil)
	if err != nil {
		t.Fatal(err)
	}
	if none.Databases == nil || len(none.Databases) != 0 {
		t.Errorf("empty restriction read back as %v", none.Databases)
	}

	other := newWorkspace(t, st, "other")
	otherSecret := gqlbase.NewSecret(gqlbase.TokenPrefix)
	if _, err := st.CreateToken(ctx, &gqlbase.Token{WorkspaceID: other.ID, Name: "elsewhere", Prefix: "x",
		Scopes: []gqlbase.Scope{gqlbase.ScopeRead}}, gqlbase.HashSecret(otherSecret), nil); err != nil {
		t.Fatal(err)
	}
	list, err := st.ListTokens(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tok := range list {
		names = append(names, tok.Name)
	}
	if !slices.Equal(names, []string{"restricted", "plain", "nothing"}) {
		t.Errorf("list: %v, want the workspace's tokens oldest first", names)
	}

	// Update: name, scopes, restriction lifted, expiry cleared.
	upd := *byID
	upd.Name, upd.Scopes, upd.Databases, upd.ExpiresAt = "renamed", []gqlbase.Scope{gqlbase.ScopeAdmin}, nil, nil
	updated, err := st.UpdateToken(ctx, &upd)
	if err != nil {
		t.Fatal(err)
	}
	sameToken(t, "updated", updated, &upd)
	if !updated.UpdatedAt.After(created.UpdatedAt) && !updated.UpdatedAt.Equal(created.UpdatedAt) {
		t.Errorf("updated_at went back")
	}
	upd.ID = 999999
	if _, err := st.UpdateToken(ctx, &upd); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Errorf("update of a missing token: %v", err)
	}

	// Touch records use.
	if err := st.TouchToken(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	touched, _ := st.GetToken(ctx, created.ID)
	if touched.LastUsedAt == nil {
		t.Errorf("TouchToken did not record the use")
	}

	// Rotate: new hash works, old does not, prefix follows.
	newSecret := gqlbase.NewSecret(gqlbase.TokenPrefix)
	rotated, err := st.RotateToken(ctx, created.ID, gqlbase.DisplayPrefix(newSecret), gqlbase.HashSecret(newSecret))
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Prefix != gqlbase.DisplayPrefix(newSecret) || rotated.ID != created.ID {
		t.Errorf("rotated: %+v", rotated)
	}
	if _, err := st.TokenByHash(ctx, gqlbase.HashSecret(secret)); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Errorf("old secret after rotation: %v, want NOT_FOUND", err)
	}
	if got, err := st.TokenByHash(ctx, gqlbase.HashSecret(newSecret)); err != nil || got.ID != created.ID {
		t.Errorf("new secret after rotation: %v %v", got, err)
	}

	// Revoke: stamped once; a revoked token is not rotated.
	revoked, err := st.RevokeToken(ctx, created.ID)
	if err != nil || revoked.RevokedAt == nil || revoked.Active(time.Now()) {
		t.Fatalf("revoke: %+v %v", revoked, err)
	}
	again, err := st.RevokeToken(ctx, created.ID)
	if err != nil || !again.RevokedAt.Equal(*revoked.RevokedAt) {
		t.Errorf("second revoke moved revoked_at: %v → %v (%v)", revoked.RevokedAt, again.RevokedAt, err)
	}
	if _, err := st.RotateToken(ctx, created.ID, "p", gqlbase.HashSecret("another")); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Errorf("rotating a revoked token: %v, want NOT_FOUND", err)
	}
	if _, err := st.RevokeToken(ctx, 999999); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Errorf("revoking a missing token: %v, want NOT_FOUND", err)
	}
}

func TestEnsureTokenHashIsIdempotent(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	ctx := context.Background()
	ws := newWorkspace(t, st, "w")
	secret := "an admin token given by environment, long enough"
	for range 3 {
		if err := st.EnsureTokenHash(ctx, ws.ID, "bootstrap", gqlbase.DisplayPrefix(secret), gqlbase.HashSecret(secret)); err != nil {
			t.Fatal(err)
		}
	}
	list, err := st.ListTokens(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || !slices.Equal(list[0].Scopes, gqlbase.AllScopes) || list[0].ExpiresAt != nil {
		t.Errorf("tokens after three registrations: %+v", list)
	}
}

// Two owners demoting each other at the same moment must not leave the workspace ownerless.
func TestConcurrentDemotionsKeepAnOwner(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	ctx := context.Background()
	for round := range 20 {
		a, err := st.CreateUser(ctx, "a"+string(rune('a'+round))+"@example.com", "", "h")
		if err != nil {
			t.Fatal(err)
		}
		b, err := st.CreateUser(ctx, "b"+string(rune('a'+round))+"@example.com", "", "h")
		if err != nil {
			t.Fatal(err)
		}
		ws, err := st.CreateWorkspace(ctx, "w", a)
		if err != nil {
			t.Fatal(err)
		}
		secret := gqlbase.HashSecret(b.Email)
		if _, err := st.Invite(ctx, ws.ID, b.Email, gqlbase.RoleOwner, secret); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AcceptInvitation(ctx, secret, b.ID); err != nil {
			t.Fatal(err)
		}
		members, err := st.ListMembers(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, m := range members {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if round%2 == 0 {
					_, _ = st.SetMemberRole(ctx, m.ID, gqlbase.RoleViewer)
				} else {
					_ = st.RemoveMember(ctx, m.ID)
				}
			}()
		}
		wg.Wait()
		var owners int
		if err := st.DB().Get(&owners, `SELECT count(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner' AND status = 'ACTIVE'`, ws.ID); err != nil {
			t.Fatal(err)
		}
		if owners != 1 {
			t.Fatalf("round %d: %d owners left after both owners stepped down at once, want 1", round, owners)
		}
	}
}

// A token is read with its creator's current role, which bounds what it grants; a creator who
// leaves makes it invalid, and a deleted creator takes it along.
func TestTokenCarriesItsCreatorsCurrentRole(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	ctx := context.Background()
	owner, err := st.CreateUser(ctx, "owner@example.com", "", "h")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := st.CreateUser(ctx, "admin@example.com", "", "h")
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.CreateWorkspace(ctx, "w", owner)
	if err != nil {
		t.Fatal(err)
	}
	invitation := gqlbase.HashSecret("invitation of the admin")
	inv, err := st.Invite(ctx, ws.ID, admin.Email, gqlbase.RoleAdmin, invitation)
	if err != nil {
		t.Fatal(err)
	}
	secret := gqlbase.NewSecret(gqlbase.TokenPrefix)
	tok, err := st.CreateToken(ctx, &gqlbase.Token{WorkspaceID: ws.ID, Name: "t", Prefix: gqlbase.DisplayPrefix(secret),
		Scopes: gqlbase.AllScopes}, gqlbase.HashSecret(secret), &admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	creator := func(what string, want gqlbase.Role) {
		t.Helper()
		got, err := st.TokenByHash(ctx, gqlbase.HashSecret(secret))
		if err != nil {
			t.Fatal(err)
		}
		if got.CreatedBy == nil || *got.CreatedBy != admin.ID || got.CreatorRole != want {
			t.Errorf("%s: created by %v as %q, want %d as %q", what, got.CreatedBy, got.CreatorRole, admin.ID, want)
		}
	}
	invalid := func() bool {
		t.Helper()
		bad, err := st.InvalidCredentials(ctx, []storage.Credential{{TokenID: tok.ID, Hash: gqlbase.HashSecret(secret)}})
		if err != nil {
			t.Fatal(err)
		}
		return len(bad) == 1
	}
	if tok.CreatorRole != "" {
		t.Errorf("created by a pending member: role %q, want none", tok.CreatorRole)
	}
	if _, err := st.AcceptInvitation(ctx, invitation, admin.ID); err != nil {
		t.Fatal(err)
	}
	creator("active admin", gqlbase.RoleAdmin)
	if invalid() {
		t.Error("the token of an active member is reported invalid")
	}
	if _, err := st.SetMemberRole(ctx, inv.ID, gqlbase.RoleViewer); err != nil {
		t.Fatal(err)
	}
	creator("demoted to viewer", gqlbase.RoleViewer)
	if err := st.RemoveMember(ctx, inv.ID); err != nil {
		t.Fatal(err)
	}
	creator("removed", "")
	if !invalid() {
		t.Error("the token of a creator who left is not reported invalid")
	}
	if _, err := st.DB().ExecContext(ctx, `DELETE FROM users WHERE id = $1`, admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetToken(ctx, tok.ID); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Errorf("token of a deleted creator: %v, want it deleted with the user", err)
	}
}
