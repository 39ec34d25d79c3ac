package rest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// The per-address limits of the resolvers (resolvers/credlimit.go).
const (
	signUpBurst = 10
	logInBurst  = 20
)

// aliased repeats a root field n times under aliases a0, a1, ...
func aliased(n int, field string) string {
	var b strings.Builder
	b.WriteString("mutation {")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	b.WriteString(" }")
	return b.String()
}

// Finding 7: one anonymous request of aliased logIn ran one argon2id hash per alias, and
// aliased signUp created an account per alias; nothing limited a client address.
func TestUnauthenticatedCPUExhaustion(t *testing.T) {
	srv := startBehindProxy(t)
	postFrom(t, srv, "203.0.113.1", "", `mutation { signUp(input: {email: "ann@example.com", password: "correct horse"}) { token } }`, nil).OK(t)
	users := func() int { return count(t, srv, `SELECT count(*) FROM users`) }
	const logInAnn = `logIn(input: {email: "ann@example.com", password: "wrong password"}) { token }`

	// refusedWhole checks that an operation was refused before any of its fields ran: one
	// error with the code, no data, no hash computed and no account created.
	refusedWhole := func(t *testing.T, resp *testserver.Response, hashesBefore int64, usersBefore int) {
		t.Helper()
		if len(resp.Errors) != 1 || codeOf(resp) != "BAD_USER_INPUT" || !strings.Contains(resp.Errors[0].Message, "at most one credential mutation") {
			t.Fatalf("want one BAD_USER_INPUT error about credential mutations: %s", resp.Raw)
		}
		for k, v := range resp.Data {
			if v != nil {
				t.Fatalf("field %s ran: %s", k, resp.Raw)
			}
		}
		if n := srv.Resolver.PasswordHashes() - hashesBefore; n != 0 {
			t.Fatalf("%d password hashes computed for a refused operation", n)
		}
		if n := users() - usersBefore; n != 0 {
			t.Fatalf("%d accounts created by a refused operation", n)
		}
	}

	t.Run("aliased log-ins run no hash", func(t *testing.T) {
		h, u := srv.Resolver.PasswordHashes(), users()
		refusedWhole(t, postFrom(t, srv, "203.0.113.2", "", aliased(200, logInAnn), nil), h, u)
	})

	t.Run("aliased sign-ups create no account", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("mutation {")
		for i := 0; i < 20; i++ {
			fmt.Fprintf(&b, ` a%d: signUp(input: {email: "bulk%d@example.com", password: "long enough"}) { token }`, i, i)
		}
		b.WriteString(" }")
		h, u := srv.Resolver.PasswordHashes(), users()
		refusedWhole(t, postFrom(t, srv, "203.0.113.3", "", b.String(), nil), h, u)
	})

	t.Run("fragments and mixed credential mutations count", func(t *testing.T) {
		h, u := srv.Resolver.PasswordHashes(), users()
		q := `mutation { ...F ... on Mutation { ` + logInAnn + ` } }
			fragment F on Mutation { signUp(input: {email: "frag@example.com", password: "long enough"}) { token } }`
		refusedWhole(t, postFrom(t, srv, "203.0.113.4", "", q, nil), h, u)
		q = `mutation { ` + logInAnn + ` changePassword(input: {currentPassword: "correct horse", newPassword: "another one"}) }`
		refusedWhole(t, postFrom(t, srv, "203.0.113.4", "", q, nil), h, u)
	})

	t.Run("one credential mutation with other fields runs", func(t *testing.T) {
		h := srv.Resolver.PasswordHashes()
		resp := postFrom(t, srv, "203.0.113.5", "", `mutation { ping `+logInAnn+` }`, nil)
		if codeOf(resp) != "UNAUTHENTICATED" {
			t.Fatalf("a single log-in with a wrong password: %s", resp.Raw)
		}
		if n := srv.Resolver.PasswordHashes() - h; n != 1 {
			t.Fatalf("%d hashes for one log-in, want 1", n)
		}
	})

	t.Run("over a WebSocket", func(t *testing.T) {
		h, u := srv.Resolver.PasswordHashes(), users()
		c := dialWS(t, srv, transportWS, http.Header{"X-Forwarded-For": {"203.0.113.6"}})
		c.init(transportWS, nil)
		resp := c.query(transportWS, "1", aliased(2, logInAnn))
		refusedWhole(t, &resp, h, u)
	})

	t.Run("a batch of operations is not run", func(t *testing.T) {
		h, u := srv.Resolver.PasswordHashes(), users()
		one, _ := json.Marshal(map[string]any{"query": "mutation { " + logInAnn + " }"})
		batch := []byte("[" + string(one) + "," + string(one) + "]")
		resp := postRawFrom(t, srv, "203.0.113.7", "", batch)
		if resp.Status != http.StatusBadRequest {
			t.Fatalf("batch answered %d: %s", resp.Status, resp.Raw)
		}
		if n := srv.Resolver.PasswordHashes() - h; n != 0 || users() != u {
			t.Fatalf("a batch computed %d hashes", n)
		}
	})

	// The limits below refuse before hashing, so requests sent together all meet them before
	// the admitted ones finish; the buckets refill over minutes, far slower than this runs.
	t.Run("sign-ups are limited per address", func(t *testing.T) {
		u := users()
		codes := together(15, func(i int) string {
			return codeOf(postFrom(t, srv, "198.51.100.1", "", `mutation($e: String!) { signUp(input: {email: $e, password: "long enough"}) { token } }`,
				map[string]any{"e": fmt.Sprintf("rush%d@example.com", i)}))
		})
		created := users() - u
		if created > signUpBurst || codes[""] != created || codes["RATE_LIMITED"] != 15-created {
			t.Fatalf("15 sign-ups from one address: %d accounts created, answers %v; want at most %d, the rest RATE_LIMITED",
				created, codes, signUpBurst)
		}
		postFrom(t, srv, "198.51.100.2", "", `mutation { signUp(input: {email: "elsewhere@example.com", password: "long enough"}) { token } }`, nil).OK(t)
	})

	t.Run("log-ins are limited per address", func(t *testing.T) {
		h := srv.Resolver.PasswordHashes()
		// Distinct unknown emails: only the address's own limit applies.
		codes := together(60, func(i int) string {
			return codeOf(postFrom(t, srv, "198.51.100.3", "", `mutation($e: String!) { logIn(input: {email: $e, password: "guess"}) { token } }`,
				map[string]any{"e": fmt.Sprintf("nobody%d@example.com", i)}))
		})
		hashes := srv.Resolver.PasswordHashes() - h
		if evaluated := codes["UNAUTHENTICATED"]; evaluated > logInBurst+1 || int64(evaluated) != hashes || codes["RATE_LIMITED"] != 60-evaluated {
			t.Fatalf("60 log-ins from one address: answers %v, %d hashes; want at most %d evaluated, the rest RATE_LIMITED",
				codes, hashes, logInBurst)
		}
		if code := codeOf(postFrom(t, srv, "198.51.100.4", "", `mutation { `+logInAnn+` }`, nil)); code != "UNAUTHENTICATED" {
			t.Fatalf("a log-in from another address: %s, want UNAUTHENTICATED", code)
		}
	})
}
