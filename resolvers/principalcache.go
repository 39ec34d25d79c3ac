package resolvers

import (
	"maps"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/internal/cache"
)

// principalTTL is how long an authenticated credential is trusted without asking Postgres
// again. Changes made through this process (revoke, rotate, log-out, role changes) clear the
// cache at once; a change made through another process takes effect here within this time.
const principalTTL = 2 * time.Second

// principalCache remembers the principals of recently presented credentials, keyed by the
// hash of the secret: most requests then cost no authentication query. It is a bounded LRU
// (internal/cache); entries expire on read after principalTTL, which needs no goroutine.
type principalCache struct {
	lru cache.Bounded[string, cachedPrincipal]
}

type cachedPrincipal struct {
	p     *gqlbase.Principal
	until time.Time
}

func (c *principalCache) get(hash []byte, now time.Time) (*gqlbase.Principal, bool) {
	e, ok := c.lru.LRU().Get(string(hash))
	if !ok || now.After(e.until) {
		return nil, false
	}
	// Each request gets its own copy: resolvers may update a principal (a new workspace).
	p := *e.p
	p.Roles = maps.Clone(e.p.Roles)
	return &p, true
}

func (c *principalCache) put(hash []byte, p *gqlbase.Principal, now time.Time) {
	until := now.Add(principalTTL)
	if p.ExpiresAt != nil && p.ExpiresAt.Before(until) {
		until = *p.ExpiresAt
	}
	stored := *p
	stored.Roles = maps.Clone(p.Roles)
	c.lru.LRU().Put(string(hash), cachedPrincipal{p: &stored, until: until})
}

func (c *principalCache) clear() { c.lru.LRU().Purge() }

// ForgetPrincipals drops every cached credential: call it after anything that changes what a
// credential grants (revocation, rotation, log-out, password or membership changes).
func (r *Resolver) ForgetPrincipals() { r.principals.clear() }
