package resolvers

import (
	"maps"
	"sync"
	"time"

	"github.com/gqlbase/gqlbase"
)

// principalTTL is how long an authenticated credential is trusted without asking Postgres
// again. Changes made through this process (revoke, rotate, log-out, role changes) clear the
// cache at once; a change made through another process takes effect here within this time.
const principalTTL = 2 * time.Second

// maxCachedPrincipals bounds the cache; it is cleared when full.
const maxCachedPrincipals = 10000

// principalCache remembers the principals of recently presented credentials, keyed by the
// hash of the secret: most requests then cost no authentication query.
type principalCache struct {
	mu sync.Mutex
	m  map[string]cachedPrincipal
}

type cachedPrincipal struct {
	p     *gqlbase.Principal
	until time.Time
}

func (c *principalCache) get(hash []byte, now time.Time) (*gqlbase.Principal, bool) {
	c.mu.Lock()
	e, ok := c.m[string(hash)]
	c.mu.Unlock()
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
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedPrincipals {
		c.m = map[string]cachedPrincipal{}
	}
	c.m[string(hash)] = cachedPrincipal{p: &stored, until: until}
}

func (c *principalCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

// ForgetPrincipals drops every cached credential: call it after anything that changes what a
// credential grants (revocation, rotation, log-out, password or membership changes).
func (r *Resolver) ForgetPrincipals() { r.principals.clear() }
