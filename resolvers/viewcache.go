package resolvers

import (
	"context"
	"time"

	"github.com/gqlbase/gqlbase"
)

// Reads of a view (viewRows, viewGroups, viewBuckets, view) take its settings from a small
// process cache for viewCacheTTL: loading them costs a statement of gqlbase's own role before
// the rows' statement of the tenant's role, and the switch of roles between the two would
// make a view's rows much dearer than the same filter spelled out. This process's changes to
// a view drop its entry at once; another process's show within viewCacheTTL, as for
// credentials (principalcache.go). Changes and public links always read the store.

const viewCacheTTL = 2 * time.Second

type cachedView struct {
	v  *gqlbase.View
	at time.Time
}

// readView returns a view's settings for a read, from the cache when fresh. The caller
// must not change what it gets.
func (r *Resolver) readView(ctx context.Context, id int64) (*gqlbase.View, error) {
	lru := r.viewCache.LRU()
	if c, ok := lru.Get(id); ok && time.Since(c.at) < viewCacheTTL {
		return c.v, nil
	}
	v, err := r.Store.GetView(ctx, id)
	if err != nil {
		return nil, err
	}
	lru.Put(id, cachedView{v: v, at: time.Now()})
	return v, nil
}

// forgetView drops a view from the cache after this process changed it.
func (r *Resolver) forgetView(id int64) { r.viewCache.LRU().Remove(id) }
