package resolvers

import (
	"context"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
)

// AuthenticateAgain authenticates a credential that a long-lived connection holds, asking
// Postgres instead of the short cache, and puts the answer in the cache. The watcher of open
// subscriptions calls it each interval: a cached answer could be almost a cache lifetime old
// on top of that interval, so a change made through another process would take up to twice
// the promised time to end a subscription.
func (r *Resolver) AuthenticateAgain(ctx context.Context, credential string) *gqlbase.Principal {
	credential = strings.TrimSpace(credential)
	if credential == "" {
		return gqlbase.Anonymous()
	}
	hash := gqlbase.HashSecret(credential)
	p := r.lookUpCredential(ctx, credential, hash)
	if p.AuthError == nil {
		r.principals.put(hash, p, time.Now())
	}
	return p
}
