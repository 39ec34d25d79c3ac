package dataloaders

import (
	"context"
	"sync"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// batchWait is how long a loader collects keys before it queries.
const batchWait = time.Millisecond

// Loaders are one operation's batch loaders. They sit in the request context.
type Loaders struct {
	store *storage.Store
	cache *Cache

	tables *batcher[int64, *gqlbase.Table]

	mu   sync.Mutex
	rows map[int64]*batcher[int64, *gqlbase.Row] // by table id
}

// New returns fresh loaders for one operation.
func New(store *storage.Store, cache *Cache) *Loaders {
	l := &Loaders{store: store, cache: cache, rows: map[int64]*batcher[int64, *gqlbase.Row]{}}
	l.tables = newBatcher(batchWait, 500, l.fetchTables)
	return l
}

type loadersKey struct{}

// With returns a context carrying l.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// For returns the loaders of the operation in ctx; without any (a call from outside a
// request) it returns uncached, unbatched-across-calls loaders.
func For(ctx context.Context, store *storage.Store, cache *Cache) *Loaders {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		return l
	}
	return New(store, cache)
}

// Table returns a table with its columns, from the cache when it has it.
func (l *Loaders) Table(ctx context.Context, id int64) (*gqlbase.Table, error) {
	if t, ok := l.cache.getTable(id); ok {
		return t, nil
	}
	t, ok, err := l.tables.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, gqlbase.NotFound("table %d not found", id)
	}
	return t, nil
}

func (l *Loaders) fetchTables(ctx context.Context, ids []int64) (map[int64]*gqlbase.Table, error) {
	gens := make(map[int64]uint64, len(ids))
	for _, id := range ids {
		gens[id] = l.cache.generation(id).Load()
	}
	m, err := l.store.LoadTables(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, t := range m {
		l.cache.putTable(t, gens[id])
	}
	return m, nil
}

// Row returns a row of a table by id (nil without error when it does not exist), from the
// cache or with a query of its own: a lone lookup does not wait for a batch to fill.
func (l *Loaders) Row(ctx context.Context, t *gqlbase.Table, id int64) (*gqlbase.Row, error) {
	if r, ok := l.cache.getRow(t.ID, id); ok {
		return r, nil
	}
	gen := l.cache.generation(t.ID).Load()
	m, err := l.store.GetRows(ctx, t, []int64{id})
	if err != nil {
		return nil, err
	}
	r := m[id]
	if r != nil {
		l.cache.putRow(r, gen)
	}
	return r, nil
}

// LinkedRow is Row for the many lookups of one list (the targets of a LINK column): they are
// batched into one query.
func (l *Loaders) LinkedRow(ctx context.Context, t *gqlbase.Table, id int64) (*gqlbase.Row, error) {
	if r, ok := l.cache.getRow(t.ID, id); ok {
		return r, nil
	}
	r, ok, err := l.rowBatcher(t).load(ctx, id)
	if err != nil || !ok {
		return nil, err
	}
	return r, nil
}

func (l *Loaders) rowBatcher(t *gqlbase.Table) *batcher[int64, *gqlbase.Row] {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.rows[t.ID]
	if !ok {
		b = newBatcher(batchWait, 1000, func(ctx context.Context, ids []int64) (map[int64]*gqlbase.Row, error) {
			gen := l.cache.generation(t.ID).Load()
			m, err := l.store.GetRows(ctx, t, ids)
			if err != nil {
				return nil, err
			}
			for _, r := range m {
				l.cache.putRow(r, gen)
			}
			return m, nil
		})
		l.rows[t.ID] = b
	}
	return b
}
