package resolvers

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/internal/cache"
)

// Fine-grained tokens: per-operation row permissions, an IP allowlist and a rate limit. The
// permissions are checked where row use cases authorise (Principal.RequireRows); the
// allowlist and the rate limit where a request's credential becomes a Principal
// (Authenticate), so every API and every WebSocket operation meets them.

const (
	maxAllowedNetworks = 50
	maxRateLimit       = 1_000_000
)

// tokenPermissions checks permissions given for a token of a workspace: Baserow's shape, and
// every database and table it names in that workspace. An empty object removes them when
// updating (nil result, true).
func (r *Resolver) tokenPermissions(ctx context.Context, workspaceID int64, raw map[string]any) (gqlbase.TokenPermissions, error) {
	if raw == nil {
		return nil, nil
	}
	perms, err := gqlbase.ParseTokenPermissions(raw)
	if err != nil {
		return nil, err
	}
	for _, g := range perms.Grants() {
		switch g.Kind {
		case "database":
			if err := r.checkDatabaseInWorkspace(ctx, workspaceID, g.ID); err != nil {
				return nil, gqlbase.NotFound("permissions name database %d, which is not in workspace %d", g.ID, workspaceID).WithField("permissions")
			}
		case "table":
			t, err := r.loaders(ctx).Table(ctx, g.ID)
			if err != nil || t.WorkspaceID != workspaceID {
				return nil, gqlbase.NotFound("permissions name table %d, which is not in workspace %d", g.ID, workspaceID).WithField("permissions")
			}
		}
	}
	return perms, nil
}

// tokenAllowlist checks an IP allowlist (CIDRs; a bare address counts as its own network).
func tokenAllowlist(list []string) ([]netip.Prefix, error) {
	if list == nil {
		return nil, nil
	}
	if len(list) > maxAllowedNetworks {
		return nil, gqlbase.BadInput("at most %d networks in allowedIps", maxAllowedNetworks).WithField("allowedIps")
	}
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		n, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, gqlbase.BadInput("allowedIps: %q is not a network in CIDR notation (such as 10.0.0.0/8)", s).WithField("allowedIps")
			}
			n = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, n.Masked())
	}
	return out, nil
}

// tokenLimit checks a rate limit (nil: none; 0 when updating: remove it).
func tokenLimit(n *int, updating bool) (int, error) {
	if n == nil {
		return 0, nil
	}
	if (*n == 0 && updating) || (*n >= 1 && *n <= maxRateLimit) {
		return *n, nil
	}
	return 0, gqlbase.BadInput("rateLimit must be between 1 and %d requests a minute", maxRateLimit).WithField("rateLimit")
}

func tokenNetworks(t *gqlbase.Token) []string {
	if t.AllowedIPs == nil {
		return nil
	}
	out := make([]string, len(t.AllowedIPs))
	for i, n := range t.AllowedIPs {
		out[i] = n.String()
	}
	return out
}

func tokenRateLimit(t *gqlbase.Token) *int {
	if t.RateLimit == 0 {
		return nil
	}
	n := t.RateLimit
	return &n
}

// checkTokenUse applies a token's allowlist and rate limit to one request. The answer is the
// principal to use: p itself, or a refusal carrying the reason.
func (r *Resolver) checkTokenUse(ctx context.Context, p *gqlbase.Principal, now time.Time) *gqlbase.Principal {
	if p.Kind != gqlbase.PrincipalToken || p.AuthError != nil {
		return p
	}
	if !gqlbase.AllowsAddr(p.AllowedIPs, ClientAddrFrom(ctx)) {
		return &gqlbase.Principal{Kind: gqlbase.PrincipalAnonymous,
			AuthError: gqlbase.Forbidden("this token may not be used from this address (it has an IP allowlist)")}
	}
	if p.RateLimit > 0 {
		if wait, ok := r.tokenRates.take(p.TokenID, p.RateLimit, now); !ok {
			return &gqlbase.Principal{Kind: gqlbase.PrincipalAnonymous, AuthError: RateLimited(
				"this token's rate limit (%d requests a minute) is reached", wait, p.RateLimit)}
		}
	}
	return p
}

// RateLimited is a RATE_LIMITED error that says when to try again: its detail retryAfterSeconds (whole
// seconds, at least 1) becomes the Retry-After header on HTTP.
func RateLimited(format string, wait time.Duration, args ...any) *gqlbase.Error {
	secs := int((wait + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return gqlbase.Errorf(gqlbase.CodeRateLimited, format+": try again in %ds", append(args, secs)...).
		WithDetail("retryAfterSeconds", secs)
}

// tokenRateLimiter is a token bucket per token, held in this process: a token may burst its
// whole minute's allowance, then gets one request every 60s/limit. Several processes each
// allow the limit (documented as per process).
type tokenRateLimiter struct {
	mu      sync.Mutex
	buckets cache.Bounded[int64, *tokenBucket]
}

type tokenBucket struct {
	tokens float64
	limit  int
	at     time.Time
}

// take spends one request of token id's allowance, or says how long until one is available.
func (l *tokenRateLimiter) take(id int64, limit int, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	perSecond := float64(limit) / 60
	b, ok := l.buckets.LRU().Get(id)
	if !ok || b.limit != limit {
		b = &tokenBucket{tokens: float64(limit), limit: limit, at: now}
		l.buckets.LRU().Put(id, b)
	}
	if elapsed := now.Sub(b.at).Seconds(); elapsed > 0 {
		b.tokens = min(float64(limit), b.tokens+elapsed*perSecond)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) / perSecond * float64(time.Second)), false
}

// updateRestrictions applies updateToken's permissions, allowlist and rate limit to t: each
// given one replaces the old ({} / [] / 0 removes it). Covers then checks the caller holds them.
func (r *Resolver) updateRestrictions(ctx context.Context, t *gqlbase.Token, input gqlbase.UpdateTokenInput) error {
	var err error
	if input.Permissions != nil {
		t.Permissions = nil
		if len(input.Permissions) > 0 {
			if t.Permissions, err = r.tokenPermissions(ctx, t.WorkspaceID, input.Permissions); err != nil {
				return err
			}
		}
	}
	if input.AllowedIPs != nil {
		t.AllowedIPs = nil
		if len(input.AllowedIPs) > 0 {
			if t.AllowedIPs, err = tokenAllowlist(input.AllowedIPs); err != nil {
				return err
			}
		}
	}
	if input.RateLimit != nil {
		if t.RateLimit, err = tokenLimit(input.RateLimit, true); err != nil {
			return err
		}
	}
	return nil
}
