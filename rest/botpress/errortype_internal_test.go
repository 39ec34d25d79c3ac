package botpress

import (
	"net/http"
	"testing"

	"github.com/gqlbase/gqlbase"
)

// TestConflictErrorTypes: Botpress's conflict types follow the error's Reason, not the field
// it names or its message.
func TestConflictErrorTypes(t *testing.T) {
	cases := []struct {
		err  *gqlbase.Error
		want string
	}{
		{gqlbase.Conflict("table \"t\" is frozen").WithReason(gqlbase.ReasonFrozen), "ResourceLockedConflict"},
		{gqlbase.Conflict("still referred to").WithReason(gqlbase.ReasonHasDependents), "ReferenceConstraint"},
		{gqlbase.Conflict("a table named \"t\" exists"), "AlreadyExists"},
		// A field named "frozen" alone is not the reason.
		{gqlbase.Conflict("x").WithField("frozen"), "AlreadyExists"},
		{gqlbase.NotFound("no"), "ResourceNotFound"},
		{gqlbase.Errorf(gqlbase.CodeRateLimited, "slow down"), "RateLimited"},
		{&gqlbase.Error{Code: gqlbase.CodeInternal, Message: "internal error"}, "Internal"},
	}
	for _, c := range cases {
		status, typ := errorType(c.err)
		if typ != c.want {
			t.Errorf("%s %q: type %s, want %s", c.err.Code, c.err.Message, typ, c.want)
		}
		if c.err.Code == gqlbase.CodeConflict && status != http.StatusConflict {
			t.Errorf("%q: status %d", c.err.Message, status)
		}
	}
}
