// Package cache is the process's one kit of in-memory caches, so each bounded cache rests on
// a maintained library instead of a hand-written list or an unbounded map.
package cache

import (
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
)

// LRU is a bounded, concurrency-safe least-recently-used cache (hashicorp/golang-lru/v2).
type LRU[K comparable, V any] struct {
	c *lru.Cache[K, V]
}

// NewLRU returns an LRU of at most size entries. onEvict, when not nil, is called with each
// entry that leaves the cache (pushed out, removed or purged), outside the cache's lock, so
// it may release what the value holds (a prepared statement).
func NewLRU[K comparable, V any](size int, onEvict func(K, V)) (*LRU[K, V], error) {
	c, err := lru.NewWithEvict(size, onEvict)
	if err != nil {
		return nil, err
	}
	return &LRU[K, V]{c: c}, nil
}

// Get returns the value of key and marks it recently used.
func (l *LRU[K, V]) Get(key K) (V, bool) { return l.c.Get(key) }

// Add stores value under key unless key is present already; it returns the value the cache
// holds afterwards and whether that is an earlier one (then value was not stored), so two
// callers that made the same value concurrently agree on one.
func (l *LRU[K, V]) Add(key K, value V) (V, bool) {
	prev, ok, _ := l.c.PeekOrAdd(key, value)
	if ok {
		return prev, true
	}
	return value, false
}

// Remove drops key.
func (l *LRU[K, V]) Remove(key K) { l.c.Remove(key) }

// Len is the number of entries.
func (l *LRU[K, V]) Len() int { return l.c.Len() }

// Put stores value under key, replacing what was there.
func (l *LRU[K, V]) Put(key K, value V) { l.c.Add(key, value) }

// Purge drops every entry.
func (l *LRU[K, V]) Purge() { l.c.Purge() }

// DefaultSize is the room of a Bounded cache that names none.
const DefaultSize = 10_000

// Bounded is an LRU whose zero value is ready to use, so a struct can hold one without a
// constructor; it has room for Size entries (DefaultSize when 0), created on first use.
type Bounded[K comparable, V any] struct {
	Size int
	once sync.Once
	lru  *LRU[K, V]
}

// LRU returns the cache, creating it on first use.
func (b *Bounded[K, V]) LRU() *LRU[K, V] {
	b.once.Do(func() {
		size := b.Size
		if size <= 0 {
			size = DefaultSize
		}
		// The size is positive, so NewLRU cannot fail.
		b.lru, _ = NewLRU[K, V](size, nil)
	})
	return b.lru
}
