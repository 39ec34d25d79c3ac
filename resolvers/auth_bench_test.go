package resolvers_test

import (
	"context"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/resolvers"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// authBench signs a user up and logs it in both ways: an opaque session token and a JWT.
func authBench(b *testing.B) (res *resolvers.Resolver, opaque, access string) {
	b.Helper()
	ctx := context.Background()
	res = &resolvers.Resolver{Store: pgtest.NewStore(b), AllowSignUp: true, Version: "bench"}
	in := gqlbase.SignUpInput{Email: "bench@example.com", Password: "correct horse battery"}
	s, err := res.SignUp(ctx, in)
	if err != nil {
		b.Fatal(err)
	}
	j, err := res.LogInJWT(ctx, gqlbase.LogInInput{Email: in.Email, Password: in.Password})
	if err != nil {
		b.Fatal(err)
	}
	return res, s.Token, j.AccessToken
}

func benchAuthenticate(b *testing.B, jwt, cached bool) {
	res, opaque, access := authBench(b)
	cred := opaque
	if jwt {
		cred = access
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if !cached {
			res.ForgetPrincipals()
		}
		if p := res.Authenticate(ctx, cred); p.AuthError != nil {
			b.Fatal(p.AuthError)
		}
	}
}

// Uncached: what a credential costs once per principal cache window (2 s): for a JWT the
// HS256 check plus the session and roles queries, for an opaque token the same queries.
func BenchmarkAuthenticateJWTUncached(b *testing.B)    { benchAuthenticate(b, true, false) }
func BenchmarkAuthenticateOpaqueUncached(b *testing.B) { benchAuthenticate(b, false, false) }
func BenchmarkAuthenticateJWTCached(b *testing.B)      { benchAuthenticate(b, true, true) }
func BenchmarkAuthenticateOpaqueCached(b *testing.B)   { benchAuthenticate(b, false, true) }
