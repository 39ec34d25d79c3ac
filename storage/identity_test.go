package storage_test

import (
	"context"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestCreateUserRejectsDuplicateEmail(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	if _, err := st.CreateUser(ctx, "Ann@Example.com", "Ann", "hash"); err != nil {
		t.Fatal(err)
	}
	_, err := st.CreateUser(ctx, "ann@example.com", "Ann 2", "hash")
	if gqlbase.ErrorCode(err) != gqlbase.CodeConflict {
		t.Fatalf("second sign-up with the same email (other case): got %v, want CONFLICT", err)
	}
}

func TestLastOwnerCannotBeRemoved(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	u, err := st.CreateUser(ctx, "owner@example.com", "", "hash")
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.CreateWorkspace(ctx, "w", u)
	if err != nil {
		t.Fatal(err)
	}
	members, err := st.ListMembers(ctx, ws.ID)
	if err != nil || len(members) != 1 {
		t.Fatalf("members: %v %v", members, err)
	}
	if err := st.RemoveMember(ctx, members[0].ID); gqlbase.ErrorCode(err) != gqlbase.CodeConflict {
		t.Fatalf("removing the last owner: got %v, want CONFLICT", err)
	}
	if _, err := st.SetMemberRole(ctx, members[0].ID, gqlbase.RoleViewer); gqlbase.ErrorCode(err) != gqlbase.CodeConflict {
		t.Fatalf("demoting the last owner: got %v, want CONFLICT", err)
	}
}
