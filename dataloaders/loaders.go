package dataloaders

import (
	"context"
	"encoding/json"
	"strconv"
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

	// groups maps a row to the rows listed with it (a page, or the targets of one link
	// batch), so that the links of all of them load with one query: see Link.
	groups sync.Map // *gqlbase.Row → *rowGroup

	// tableGroups maps a table to the tables listed with it, so that their row counts are
	// computed with one query: see RowCount.
	tableGroups sync.Map // *gqlbase.Table → *tableGroup
}

// tableGroup is a list of tables whose row counts are computed together.
type tableGroup struct {
	tables []*gqlbase.Table
	once   sync.Once
	counts map[int64]int64
	err    error
}

// rowGroup is a set of rows resolved together, with the link batches already run for it.
type rowGroup struct {
	rows  []*gqlbase.Row
	mu    sync.Mutex
	links map[string]*linkBatch // by column name
}

// linkBatch is the targets of one LINK column for every row of a group.
type linkBatch struct {
	once    sync.Once
	targets map[int64]*gqlbase.Row
	err     error
}

// New returns fresh loaders for one operation.
func New(store *storage.Store, cache *Cache) *Loaders {
	l := &Loaders{store: store, cache: cache, rows: map[int64]*batcher[int64, *gqlbase.Row]{}}
	l.tables = newBatcher(batchWait, 500, l.fetchTables)
	return l
}

// From returns the loaders of the operation in ctx, if there are any.
func From(ctx context.Context) (*Loaders, bool) {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	return l, ok
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

// Group records rows that were resolved together (a page of a list): when a field asks for
// the link of one of them, the links of all of them are loaded with one query. gqlgen resolves
// the fields of list items concurrently and gives no signal when a level is complete, so this
// is what makes the cost one query per nesting level whatever the timing.
func (l *Loaders) Group(rows []*gqlbase.Row) {
	if len(rows) < 2 {
		return
	}
	g := &rowGroup{rows: rows, links: map[string]*linkBatch{}}
	for _, r := range rows {
		l.groups.Store(r, g)
	}
}

// Link returns the row of target that LINK column c of row points at (id, read from row by the
// caller), or nil when it does not exist. For a row of a group (see Group) the first call
// loads the targets of the whole group with one query; the targets form a group in turn, so
// links of links cost one more query per level. Other rows go through LinkedRow.
func (l *Loaders) Link(ctx context.Context, row *gqlbase.Row, c *gqlbase.Column, target *gqlbase.Table, id int64) (*gqlbase.Row, error) {
	v, ok := l.groups.Load(row)
	if !ok {
		return l.LinkedRow(ctx, target, id)
	}
	g := v.(*rowGroup)
	key := c.Name + "\x00" + strconv.FormatInt(target.ID, 10)
	g.mu.Lock()
	b := g.links[key]
	if b == nil {
		b = &linkBatch{}
		g.links[key] = b
	}
	g.mu.Unlock()
	b.once.Do(func() { b.targets, b.err = l.loadLinks(ctx, g.rows, c.Name, target) })
	if b.err != nil {
		return nil, b.err
	}
	if r, ok := b.targets[id]; ok {
		return r, nil
	}
	// Not among the group's targets: the row changed under us (a write of this operation);
	// look it up alone.
	return l.LinkedRow(ctx, target, id)
}

// loadLinks loads the rows of target that column of rows points at: from the cache where it
// has them, the rest with one query.
func (l *Loaders) loadLinks(ctx context.Context, rows []*gqlbase.Row, column string, target *gqlbase.Table) (map[int64]*gqlbase.Row, error) {
	ids := make([]int64, 0, len(rows))
	seen := make(map[int64]bool, len(rows))
	for _, r := range rows {
		id, ok := LinkValue(r, column)
		if ok && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	out := make(map[int64]*gqlbase.Row, len(ids))
	missing := ids[:0:0]
	for _, id := range ids {
		if r, ok := l.cache.getRow(target.ID, id); ok {
			out[id] = r
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		gen := l.cache.generation(target.ID).Load()
		m, err := l.store.GetRows(context.WithoutCancel(ctx), target, missing)
		if err != nil {
			return nil, err
		}
		for id, r := range m {
			out[id] = r
			l.cache.putRow(r, gen)
		}
	}
	found := make([]*gqlbase.Row, 0, len(out))
	for _, r := range out {
		found = append(found, r)
	}
	l.Group(found)
	return out, nil
}

// LinkValue reads the target id of a LINK column from a row's data (ok false for null or a
// row without the column).
func LinkValue(r *gqlbase.Row, column string) (int64, bool) {
	var v map[string]json.RawMessage
	if err := json.Unmarshal(r.Data, &v); err != nil {
		return 0, false
	}
	raw, ok := v[column]
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(string(raw), 10, 64)
	return id, err == nil
}

// GroupTables records tables listed together: the first RowCount of one of them counts the
// rows of all of them with one query.
func (l *Loaders) GroupTables(tables []*gqlbase.Table) {
	if len(tables) < 2 {
		return
	}
	g := &tableGroup{tables: tables}
	for _, t := range tables {
		l.tableGroups.Store(t, g)
	}
}

// RowCount counts the rows of a table exactly (for a table of a group, with the others).
func (l *Loaders) RowCount(ctx context.Context, t *gqlbase.Table) (int64, error) {
	v, ok := l.tableGroups.Load(t)
	if !ok {
		counts, err := l.store.CountRows(ctx, []*gqlbase.Table{t})
		return counts[t.ID], err
	}
	g := v.(*tableGroup)
	g.once.Do(func() { g.counts, g.err = l.store.CountRows(context.WithoutCancel(ctx), g.tables) })
	return g.counts[t.ID], g.err
}
