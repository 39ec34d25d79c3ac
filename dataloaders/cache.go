// Package dataloaders batches and caches the reads of tables and rows: per-operation loaders
// that turn N lookups into one query, over a process-wide ristretto cache that every write of
// this process (and, through the event listener, of other processes) invalidates.
package dataloaders

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/ristretto/v2"

	"github.com/gqlbase/gqlbase"
)

// Cache is the process-wide cache of table metadata and rows by id.
type Cache struct {
	tables *ristretto.Cache[int64, *gqlbase.Table]
	rows   *ristretto.Cache[string, *gqlbase.Row]

	// generations guard against a read that started before an invalidation storing its stale
	// result after it: a result is stored only if its table's generation did not move.
	generations sync.Map // table id → *atomic.Uint64
}

// CacheConfig sizes the cache.
type CacheConfig struct {
	MaxRowBytes int64 // default 64 MiB
	MaxTables   int64 // default 10,000
}

// NewCache builds the cache.
func NewCache(cfg CacheConfig) (*Cache, error) {
	if cfg.MaxRowBytes <= 0 {
		cfg.MaxRowBytes = 64 << 20
	}
	if cfg.MaxTables <= 0 {
		cfg.MaxTables = 10000
	}
	tables, err := ristretto.NewCache(&ristretto.Config[int64, *gqlbase.Table]{
		NumCounters: cfg.MaxTables * 10, MaxCost: cfg.MaxTables, BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	rows, err := ristretto.NewCache(&ristretto.Config[string, *gqlbase.Row]{
		NumCounters: cfg.MaxRowBytes / 100, MaxCost: cfg.MaxRowBytes, BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	return &Cache{tables: tables, rows: rows}, nil
}

// Close stops the cache's goroutines.
func (c *Cache) Close() {
	c.tables.Close()
	c.rows.Close()
}

func (c *Cache) generation(tableID int64) *atomic.Uint64 {
	g, ok := c.generations.Load(tableID)
	if !ok {
		g, _ = c.generations.LoadOrStore(tableID, new(atomic.Uint64))
	}
	return g.(*atomic.Uint64)
}

func rowKey(tableID, rowID int64) string {
	return strconv.FormatInt(tableID, 10) + ":" + strconv.FormatInt(rowID, 10)
}

// InvalidateTables drops tables (their structure changed) and their cached rows: row data is
// shaped by the columns.
func (c *Cache) InvalidateTables(ids ...int64) {
	for _, id := range ids {
		c.generation(id).Add(1)
		c.tables.Del(id)
	}
	if len(ids) > 0 {
		c.rows.Clear() // rarer than row writes; simplest correct way to drop a table's rows
	}
}

// InvalidateRows drops rows.
func (c *Cache) InvalidateRows(tableID int64, ids ...int64) {
	c.generation(tableID).Add(1)
	for _, id := range ids {
		c.rows.Del(rowKey(tableID, id))
	}
}

func (c *Cache) getTable(id int64) (*gqlbase.Table, bool) { return c.tables.Get(id) }

func (c *Cache) putTable(t *gqlbase.Table, gen uint64) {
	if c.generation(t.ID).Load() == gen {
		c.tables.Set(t.ID, t, 1)
	}
}

func (c *Cache) getRow(tableID, id int64) (*gqlbase.Row, bool) {
	return c.rows.Get(rowKey(tableID, id))
}

func (c *Cache) putRow(r *gqlbase.Row, gen uint64) {
	if c.generation(r.TableID).Load() == gen {
		c.rows.Set(rowKey(r.TableID, r.ID), r, int64(len(r.Data)+160))
	}
}

// Wait blocks until pending cache writes are applied (ristretto applies them asynchronously);
// tests and benchmarks use it to observe a warm cache.
func (c *Cache) Wait() {
	c.tables.Wait()
	c.rows.Wait()
}

// Apply invalidates what committed events made stale (events from any process).
func (c *Cache) Apply(events []*gqlbase.Event) {
	for _, e := range events {
		switch {
		case e.Kind.IsRow():
			c.InvalidateRows(e.TableID, e.RowID)
		case e.Kind.IsComment(): // comments are not cached
		case e.TableID != 0:
			c.InvalidateTables(e.TableID)
		case e.Kind == gqlbase.EventDatabaseDeleted:
			c.InvalidateAllTables()
		}
	}
}

// InvalidateAllTables drops every cached table and row.
func (c *Cache) InvalidateAllTables() {
	c.generations.Range(func(_, g any) bool {
		g.(*atomic.Uint64).Add(1)
		return true
	})
	c.tables.Clear()
	c.rows.Clear()
}
