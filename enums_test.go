package gqlbase

import (
	"bytes"
	"testing"
)

func TestEnumsRefuseUnknownNames(t *testing.T) {
	var s Scope
	if err := s.UnmarshalGQL("READ"); err != nil || s != ScopeRead {
		t.Fatalf("READ: %v %q", err, s)
	}
	for _, bad := range []any{"read", "", "root", 3, nil} {
		if err := s.UnmarshalGQL(bad); ErrorCode(err) != CodeBadUserInput {
			t.Errorf("scope %v: got %v, want BAD_USER_INPUT", bad, err)
		}
	}
	var r Role
	if err := r.UnmarshalGQL("owner"); ErrorCode(err) != CodeBadUserInput {
		t.Errorf("role owner (lower case): got %v", err)
	}
	var op FilterOp
	if err := op.UnmarshalGQL("starts_with"); err != nil || op != OpStartsWith {
		t.Errorf("starts_with: %v %q", err, op)
	}
	if err := op.UnmarshalGQL("EQ"); ErrorCode(err) != CodeBadUserInput {
		t.Errorf("filter op EQ: got %v", err)
	}
	var b bytes.Buffer
	RoleViewer.MarshalGQL(&b)
	TypeMultiSelect.MarshalGQL(&b)
	if b.String() != `"VIEWER""MULTI_SELECT"` {
		t.Errorf("marshalled %s", b.String())
	}
}
