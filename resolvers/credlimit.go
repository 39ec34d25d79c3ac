package resolvers

import (
	"context"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlbase/gqlbase"
)

// Every credential mutation costs at least one argon2id computation, which is meant to be
// expensive, and anyone may call logIn and signUp. What bounds that work:
//
//   - one credential mutation per operation (an operation of aliased log-ins would otherwise
//     ask for one hash per alias);
//   - per client address, a token bucket for sign-ups and one for log-ins and password changes;
//   - the argon slots in password.go, one per core, for all requests together.
//
// The failed log-ins of an email are limited separately, in loginlimit.go.
const (
	// A bucket holds a burst of tokens, and refills a whole burst evenly over its period.
	signUpBurst  = 10 // sign-ups per address
	signUpRefill = time.Hour
	logInBurst   = 20 // log-ins and password changes per address
	logInRefill  = time.Minute
	// rateTableSize bounds each table of buckets; the least recently used address goes first,
	// which only gives that address a full bucket again.
	rateTableSize = 100_000
)

// credentialMutations are the platform mutations that hash or verify a password or create a
// credential from one. A mutation of that kind added to the schema belongs here;
// TestCredentialMutationsAreListed fails when one taking a password is missing.
var credentialMutations = map[string]bool{
	"logIn":          true,
	"logInJwt":       true,
	"signUp":         true,
	"changePassword": true,
	"shareView":      true,
}

// credentialGuard holds the resolver's per-address buckets.
type credentialGuard struct {
	once    sync.Once
	signUps *addressRate
	logIns  *addressRate
}

func (g *credentialGuard) rates() (signUps, logIns *addressRate) {
	g.once.Do(func() {
		g.signUps = newAddressRate(signUpBurst, signUpRefill, rateTableSize)
		g.logIns = newAddressRate(logInBurst, logInRefill, rateTableSize)
	})
	return g.signUps, g.logIns
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
		names := strings.Join(slices.Sorted(maps.Keys(credentialMutations)), ", ")
		return gqlbase.BadInput("an operation may run at most one credential mutation (%s); "+
			"this one has %d: send them as separate requests", names, n).WithDetail("credentialMutations", n)
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

// beginLogIn admits a log-in for email: one credential mutation in the operation, a log-in
// token of the client's address, and a failure reserved for the email from that address
// (see loginLimiter.begin).
func (r *Resolver) beginLogIn(ctx context.Context, email string) (*loginAttempt, error) {
	if err := checkCredentialMutations(ctx); err != nil {
		return nil, err
	}
	addr := addressKey(ClientAddrFrom(ctx))
	now := time.Now()
	_, logIns := r.credentials.rates()
	if wait, ok := logIns.take(addr, now); !ok {
		return nil, rateLimited("too many log-ins from your address", wait)
	}
	return r.logins.begin(email, addr, now)
}

// beginPasswordChange admits a password change: it verifies a password like a log-in, so it
// shares the log-in tokens of the client's address.
func (r *Resolver) beginPasswordChange(ctx context.Context) error {
	if err := checkCredentialMutations(ctx); err != nil {
		return err
	}
	_, logIns := r.credentials.rates()
	if wait, ok := logIns.take(addressKey(ClientAddrFrom(ctx)), time.Now()); !ok {
		return rateLimited("too many log-ins and password changes from your address", wait)
	}
	return nil
}

// signUpHash admits a sign-up and hashes its password. It is called once the input is valid,
// so a mistyped form does not cost a sign-up of the address.
func (r *Resolver) signUpHash(ctx context.Context, password string) (string, error) {
	if err := checkCredentialMutations(ctx); err != nil {
		return "", err
	}
	signUps, _ := r.credentials.rates()
	if wait, ok := signUps.take(addressKey(ClientAddrFrom(ctx)), time.Now()); !ok {
		return "", rateLimited("too many sign-ups from your address", wait)
	}
	return r.hashPassword(ctx, password)
}

// addressRate is a token bucket per address key: burst tokens, refilled evenly over refill.
type addressRate struct {
	mu      sync.Mutex
	burst   float64
	perTok  time.Duration
	buckets *simplelru.LRU[netip.Prefix, *bucket]
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newAddressRate(burst int, refill time.Duration, size int) *addressRate {
	buckets, err := simplelru.NewLRU[netip.Prefix, *bucket](size, nil)
	if err != nil {
		panic(err) // only a size below 1, a constant here
	}
	return &addressRate{burst: float64(burst), perTok: refill / time.Duration(burst), buckets: buckets}
}

// take spends a token of key, or says how long until one is there.
func (l *addressRate) take(key netip.Prefix, now time.Time) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.buckets.Get(key)
	if !found {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets.Add(key, b)
	}
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+float64(elapsed)/float64(l.perTok))
		b.at = now
	}
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) * float64(l.perTok)), false
	}
	b.tokens--
	return 0, true
}
