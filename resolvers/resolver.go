// Package resolvers implements the platform GraphQL API: each resolver authorizes the
// principal, validates its input, calls storage (through the dataloaders for reads) and
// returns domain values. No SQL here. The REST dialects call these resolvers too.
package resolvers

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gqlbase/gqlbase/dataloaders"
	"github.com/gqlbase/gqlbase/files"
	"github.com/gqlbase/gqlbase/functions"
	"github.com/gqlbase/gqlbase/internal/cache"
	"github.com/gqlbase/gqlbase/internal/netguard"
	"github.com/gqlbase/gqlbase/realtime"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/webhooks"
)

// Resolver is the root of the platform resolvers.
type Resolver struct {
	Store *storage.Store
	// Cache holds table metadata and rows across requests; writes invalidate it.
	Cache *dataloaders.Cache
	// Realtime fans committed events out to subscriptions.
	Realtime *realtime.Service
	// Webhooks manages webhooks and their deliveries (nil: the webhook API answers INTERNAL).
	Webhooks *webhooks.Service
	Logger   *slog.Logger
	Version  string
	// AllowSignUp lets anyone create a user; when false only invitations add people.
	AllowSignUp bool
	// SQL bounds raw SQL per workspace and per request.
	SQL SQLLimits

	// Files is the files capability (nil: no blob store, file operations answer
	// NOT_IMPLEMENTED); PublicURL prefixes the URLs of files in answers.
	Files     *files.Service
	PublicURL string
	// Functions runs server functions (made on first use when nil).
	FunctionRunner *functions.Runner
	// Outbound says which addresses functions' fetch may reach (private ones only for tests).
	Outbound netguard.Policy

	// OnTokenRevoked, when set, is called after a token is revoked or rotated.
	OnTokenRevoked func(tokenID int64)

	fnOnce     sync.Once
	principals principalCache
	jwt        jwtSigner
	tableNames tableNameCache
	logins     loginLimiter
	tokenRates tokenRateLimiter
	sqlTurns   sqlLimiter
	viewLimits viewLimiter
	viewCache  cache.Bounded[int64, cachedView] // view id → its settings, for reads (viewcache.go)
	lastTouch  cache.Bounded[int64, time.Time]  // token id → when its last use was recorded
	// background counts the writes started off the request path (token use), so that the
	// process waits for them before it closes the store (Wait).
	background sync.WaitGroup

	credentials credentialGuard
	argonRuns   atomic.Int64 // argon2id computations, see PasswordHashes
}
