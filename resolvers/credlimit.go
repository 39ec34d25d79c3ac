package resolvers

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlbase/gqlbase"
)

// Every credential mutation costs at least one argon2id computation, which is meant to be
// expensive, and anyone may call logIn and signUp. What bounds that work:
//
//   - one credential mutation per operation (an operation of aliased log-ins would otherwise
//     ask for one hash per alias);
//   - the argon slots in password.go, one per core, for all requests together.
//
// The failed log-ins of an email are limited separately, in loginlimit.go.
// credentialMutations are the platform mutations that hash or verify a password or create a
// credential from one. A mutation of that kind added to the schema belongs here;
// TestCredentialMutationsAreListed fails when one taking a password is missing.
var credentialMutations = map[string]bool{
	"logIn":          true,
	"signUp":         true,
	"changePassword": true,
}

// LimitCredentialMutations wraps the platform schema so that an operation with more than one
// credential mutation is refused whole, before any of its fields runs, on every transport.
func LimitCredentialMutations(es graphql.ExecutableSchema) graphql.ExecutableSchema {
	return oneCredentialMutation{es}
}

type oneCredentialMutation struct{ graphql.ExecutableSchema }

func (s oneCredentialMutation) Exec(ctx context.Context) graphql.ResponseHandler {
	if err := checkCredentialMutations(ctx); err != nil {
		// The executor answers with the errors added here and runs nothing.
		graphql.AddError(ctx, err)
		return graphql.OneShot(&graphql.Response{})
	}
	return s.ExecutableSchema.Exec(ctx)
}

// checkCredentialMutations refuses an operation with more than one credential mutation among
// its root fields, aliases and fragments included. Refusing is cheap and the caller can send
// them one by one, which the per-address limits then see.
func checkCredentialMutations(ctx context.Context) error {
	if !graphql.HasOperationContext(ctx) {
		return nil // a direct call (REST dialects, tests): one mutation by construction
	}
	op := graphql.GetOperationContext(ctx).Operation
	if op == nil || op.Operation != ast.Mutation {
		return nil
	}
	if n := countCredentialFields(op.SelectionSet, map[string]bool{}); n > 1 {
		return gqlbase.BadInput("an operation may run at most one credential mutation (logIn, signUp, changePassword); "+
			"this one has %d: send them as separate requests", n).WithDetail("credentialMutations", n)
	}
	return nil
}

// countCredentialFields counts the credential mutations among the root fields of set. A field
// under @skip or @include counts too: refusing it costs nothing, and the directives' variables
// are not worth evaluating here.
func countCredentialFields(set ast.SelectionSet, visiting map[string]bool) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if credentialMutations[s.Name] {
				n++
			}
		case *ast.InlineFragment:
			n += countCredentialFields(s.SelectionSet, visiting)
		case *ast.FragmentSpread:
			if s.Definition == nil || visiting[s.Name] {
				continue
			}
			visiting[s.Name] = true
			n += countCredentialFields(s.Definition.SelectionSet, visiting)
			delete(visiting, s.Name)
		}
	}
	return n
}

// beginLogIn admits a log-in for email: one credential mutation in the operation, and a
// failure reserved for the email from the client's address (see loginLimiter.begin).
func (r *Resolver) beginLogIn(ctx context.Context, email string) (*loginAttempt, error) {
	if err := checkCredentialMutations(ctx); err != nil {
		return nil, err
	}
	return r.logins.begin(email, addressKey(ClientAddrFrom(ctx)), time.Now())
}

// beginPasswordChange admits a password change.
func (r *Resolver) beginPasswordChange(ctx context.Context) error {
	return checkCredentialMutations(ctx)
}

// signUpHash admits a sign-up and hashes its password.
func (r *Resolver) signUpHash(ctx context.Context, password string) (string, error) {
	if err := checkCredentialMutations(ctx); err != nil {
		return "", err
	}
	return r.hashPassword(ctx, password)
}
