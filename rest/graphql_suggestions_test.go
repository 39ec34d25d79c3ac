package rest_test

import (
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// Validation hints name fields, arguments and types near a guess: a caller without
// credentials gets the error without them.
func TestAnonymousValidationErrorsHaveNoSuggestions(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	for _, q := range []string{
		`{ versio }`,                       // unknown field
		`{ me { kin } }`,                   // unknown field on an object
		`query($r: Rol) { version }`,       // unknown type
		`{ workspace(idd: "1") { name } }`, // unknown argument
	} {
		anon := srv.Platform(t, "", q, nil)
		if len(anon.Errors) == 0 {
			t.Fatalf("%s: no error: %s", q, anon.Raw)
		}
		for _, e := range anon.Errors {
			if strings.Contains(e.Message, "Did you mean") {
				t.Errorf("%s: anonymous caller got a suggestion: %s", q, e.Message)
			}
			if e.Message == "" || e.Code() == "" {
				t.Errorf("%s: error lost its message or code: %s", q, anon.Raw)
			}
		}
		bad := srv.Platform(t, "gqb_"+strings.Repeat("Z", 52), q, nil)
		for _, e := range bad.Errors {
			if strings.Contains(e.Message, "Did you mean") {
				t.Errorf("%s: a caller with a bad token got a suggestion: %s", q, e.Message)
			}
		}
	}
	// An authenticated caller keeps them.
	if resp := srv.Platform(t, srv.AdminToken, `{ versio }`, nil); len(resp.Errors) != 1 || !strings.Contains(resp.Errors[0].Message, `Did you mean "version"?`) {
		t.Errorf("authenticated caller: %s", resp.Raw)
	}
}
