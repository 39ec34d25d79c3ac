package rest_test

import (
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

func TestRepeatedFailedLoginsAreRateLimited(t *testing.T) {
	srv := testserver.Start(t)
	srv.Platform(t, "", `mutation { signUp(input: {email: "ann@example.com", password: "correct horse"}) { token } }`, nil).OK(t)
	login := func(pw string) *testserver.Response {
		return srv.Platform(t, "", `mutation($p: String!) { logIn(input: {email: "ann@example.com", password: $p}) { token } }`,
			map[string]any{"p": pw})
	}
	for i := 0; i < 10; i++ {
		if code := login("wrong password").ErrorCode(t); code != "UNAUTHENTICATED" {
			t.Fatalf("failure %d: %s", i, code)
		}
	}
	if code := login("wrong password").ErrorCode(t); code != "RATE_LIMITED" {
		t.Fatalf("11th failure: %s, want RATE_LIMITED", code)
	}
	// While limited, even the right password is refused (a guesser learns nothing).
	if code := login("correct horse").ErrorCode(t); code != "RATE_LIMITED" {
		t.Fatalf("right password while limited: %s, want RATE_LIMITED", code)
	}
}
